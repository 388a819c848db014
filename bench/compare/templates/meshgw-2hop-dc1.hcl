# meshgw in DC1: an egress listener for a local workload (plain TCP in), originating mTLS with
# the workload's identity to DC2's gateway, the real cross-datacenter path. Written by
# bench/compare from this template.
node {
  id = "bench-gateway-dc1"
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
  secret "client-leaf" {
    certificate_chain_file = "${pki}/client.crt"
    private_key_file       = "${pki}/client.key"
  }
  secret "mesh-ca" {
    trusted_ca_file = "${pki}/ca.crt"
  }
  listener "egress" {
    address       = "127.0.0.1:${port}"
    tls_inspector = false
    filter_chain "to-dc2" {
      tcp_proxy {
        cluster = "dc2"
      }
    }
  }
  cluster "dc2" {
    # The circuit breaker's default (1,024, Envoy's) would refuse most of the 9,000 idle
    # connections.
    max_connections = 9500
    tls {
      certificate = "client-leaf"
      trust       = "mesh-ca"
      sni         = "${sni}"
      match_san   = ["${server_id}"]
    }
    endpoint {
      address = "127.0.0.1:${dc2_port}"
    }
  }
}
