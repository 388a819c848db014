# meshgw bootstrap file: every option, with its default when it has one.
#
#   meshgw -config configs/gateway/static-example.hcl
#
# File names (certificates, token_file, access_log) are relative to this file's folder. HCL
# functions work, e.g. certificate_chain = file("gw.pem") (also relative to this folder). An
# error names the place: "gateway.hcl:14:21: tcp_proxy.cluster: cluster "x" is not declared".

# Who this gateway is (sent to the xDS server as the Node).
node {
  id         = "mesh-gateway-dc1-1" # required
  cluster    = "mesh-gateway"       # default "mesh-gateway"
  datacenter = "dc1"
}

# The control component's xDS server (incremental ADS). Without this block, the gateway serves
# the static section alone. Both may be used together.
xds {
  address = "127.0.0.1:8510" # host:port; a DNS name is fine here
  # token    = "..."          # sent as x-consul-token
  token_file = "xds-token" # or the token in a file (surrounding whitespace trimmed)
  tls {
    ca_file     = "control-ca.pem" # verify the server; without tls the stream is plain
    cert_file   = "gw.pem"         # optional client certificate (with key_file)
    key_file    = "gw-key.pem"
    server_name = "control.dc1" # default: the address's host
  }
}

admin {
  address = "127.0.0.1:19000" # default; keep it on loopback
}

metrics {
  address = "0.0.0.0:9102" # default; Prometheus text at /metrics
}

workers = 0 # event loops; 0 (default) = one per core

limits {
  max_connections = 10000 # downstream connections at once (default 10000)
  max_hello_size  = 16384 # largest ClientHello accepted, bytes (default 16384)
  buffer_size     = 65536 # relay buffer per direction, bytes (default 65536)
}

timeouts {
  hello   = "5s"  # ClientHello must arrive within (default 5s)
  connect = "5s"  # upstream connect (default 5s; a cluster's connect_timeout wins)
  idle    = "1h"  # idle connection (default 1h; "0s" = none)
  drain   = "30s" # on SIGTERM, connections may finish within (default 30s)
}

log {
  level      = "info"   # debug | info | warn | error (default info)
  json       = false    # JSON lines (default false)
  access_log = "stderr" # stderr (default) | stdout | off | a file
}

# Listeners, clusters and secrets declared here, for running without a control component. They
# become the same xDS resources the control component would send, and go through the same checks.
static {
  # A certificate and its key: from files, or inline with certificate_chain / private_key.
  secret "gateway-leaf" {
    certificate_chain_file = "gw.pem"
    private_key_file       = "gw-key.pem"
  }
  # A trust bundle (one or more CA certificates): trusted_ca_file, or inline trusted_ca.
  secret "dc1-bundle" {
    trusted_ca_file = "ca.pem"
  }
  secret "web-leaf" {
    certificate_chain_file = "web.pem"
    private_key_file       = "web-key.pem"
  }
  secret "dc2-bundle" {
    trusted_ca_file = "dc2-ca.pem"
  }

  listener "mesh" {
    address = "0.0.0.0:8443" # an IP literal and a port
    # tls_inspector: true (default) routes on the ClientHello's SNI and ALPN; false: plain TCP
    # (egress listeners).
    tls_inspector = true
    hello_timeout = "5s" # default 5s

    # Chains are matched like Envoy's: exact server name, then "*." wildcards, then chains
    # without server_names; then transport_protocol, then ALPN.
    filter_chain "public-api" {
      server_names       = ["public-api.default.default.gcp-dc1-default.external.td"]
      transport_protocol = "tls"  # optional: tls | raw_buffer
      alpn               = ["h2"] # optional: match the client's ALPN offer

      # Present: terminate TLS here (absent: pass the TLS bytes through).
      tls {
        certificate                = "gateway-leaf" # secret name (required)
        trust                      = "dc1-bundle"   # secret name; verifies client certificates
        require_client_certificate = true
        match_san                  = ["spiffe://td/ns/default/dc/dc1/svc/web"] # exact URI SANs
        min_version                = "TLSv1_2"
        max_version                = "TLSv1_3" # versions: TLS_AUTO | TLSv1_0 ... TLSv1_3
        cipher_suites              = []        # OpenSSL names; empty: library defaults
        alpn                       = []        # offered to clients, in order
      }

      # Intentions: who may connect once the TLS handshake is done.
      rbac {
        action = "ALLOW" # ALLOW: only matching callers; DENY: all but matching callers
        policy "web" {
          principals      = ["spiffe://td/ns/default/dc/dc1/svc/web"] # exact URI SAN
          principal_regex = ["^spiffe://peer-td/ns/default/dc/[^/]+/svc/web$"]
          # no principals and no principal_regex: anyone
        }
      }

      connection_limit = 1000 # optional: connections at once through this chain

      tcp_proxy {
        cluster              = "public-api"
        idle_timeout         = "1h" # default 1h; "0s" = none
        max_connect_attempts = 3    # default 1: endpoints tried before giving up
      }
    }

    # Remote datacenter's services: pass through to its gateways.
    filter_chain "dc2" {
      server_names = ["*.dc2.internal.td"]
      tcp_proxy {
        cluster = "dc2-gateways"
      }
    }

    # Anything else: the cluster named by the SNI (Consul's catch-all).
    filter_chain "catch-all" {
      sni_cluster = true
      tcp_proxy {}
    }
  }

  # Egress for a local workload: plain TCP in, mTLS out to the peer's gateway.
  listener "egress-public-api" {
    address       = "127.0.0.1:9191"
    tls_inspector = false
    filter_chain "out" {
      tcp_proxy {
        cluster = "egress-public-api"
      }
    }
  }

  cluster "public-api" {
    connect_timeout = "1s"          # default 5s
    lb_policy       = "round_robin" # round_robin (default) | least_request | random
    max_connections = 1024          # circuit breaker (default 1024)
    outlier_detection {
      consecutive_failures = 5      # connect failures in a row eject an endpoint (default 5)
      interval             = "10s"  # default 10s
      base_ejection_time   = "30s"  # times the ejection count (default 30s)
      max_ejection_time    = "300s" # default 300s
      max_ejection_percent = 10     # default 10
    }
    # Lowest priority with a healthy endpoint wins; health: UNKNOWN (default) | HEALTHY |
    # UNHEALTHY | DRAINING | TIMEOUT | DEGRADED; only UNKNOWN and HEALTHY get traffic.
    endpoint {
      address  = "127.0.0.1:9001"
      priority = 0 # default 0
      health   = "HEALTHY"
      weight   = 1 # default 1
    }
    endpoint {
      address  = "127.0.0.1:9002"
      priority = 1
    }
  }

  cluster "dc2-gateways" {
    endpoint {
      address = "127.0.2.1:8443"
    }
  }

  cluster "egress-public-api" {
    # Present: originate mTLS to the endpoints.
    tls {
      certificate = "web-leaf"   # client certificate (secret name)
      trust       = "dc2-bundle" # verifies the server
      sni         = "public-api.default.default.gcp-dc1-default.external.td"
      match_san   = ["spiffe://dc2-td/ns/default/dc/dc2/svc/public-api"]
      alpn        = []
    }
    endpoint {
      address = "127.0.2.1:8443"
    }
  }
}
