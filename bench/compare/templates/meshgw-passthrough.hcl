# meshgw, TLS passthrough routed by SNI, as a mesh gateway does for sidecar-to-sidecar mTLS.
# Written by bench/compare from this template; the ${...} are filled in.
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
  listener "mesh" {
    address = "127.0.0.1:${port}"
    filter_chain "echo" {
      server_names = ["${sni}"]
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
