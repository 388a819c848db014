# meshgw terminating mTLS (client certificate verified against the mesh CA), routed by SNI,
# forwarding plain TCP to the local service. Written by bench/compare from this template.
node {
  id = "bench-gateway"
}
admin {
  address = "127.0.0.1:0"
}
metrics {
  address = "127.0.0.1:0"
}
workers = 1
limits {
  max_connections = 9500
}
log {
  level      = "warn"
  access_log = "off"
}

static {
  secret "gateway-leaf" {
    certificate_chain_file = "${pki}/gateway.crt"
    private_key_file       = "${pki}/gateway.key"
  }
  secret "mesh-ca" {
    trusted_ca_file = "${pki}/ca.crt"
  }
  listener "mesh" {
    address = "127.0.0.1:${port}"
    filter_chain "echo" {
      server_names = ["${sni}"]
      tls {
        certificate                = "gateway-leaf"
        trust                      = "mesh-ca"
        require_client_certificate = true
      }
      tcp_proxy {
        cluster = "echo"
      }
    }
  }
  cluster "echo" {
    # The circuit breaker's default (1,024, Envoy's) would refuse most of the 9,000 idle
    # connections.
    max_connections = 9500
    endpoint {
      address = "127.0.0.1:${backend_port}"
    }
  }
}
