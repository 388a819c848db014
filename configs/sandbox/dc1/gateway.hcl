# meshgw, the mesh gateway of gcp-dc1 in the two-datacenter sandbox (./run sandbox):
#   meshgw -config build/sandbox/dc1/gateway.hcl
# Everything it serves (the mesh listener on 127.0.1.2:8443, the egress listeners of front-service's
# upstreams, clusters, certificates) comes over xDS from DC1's meshgw-control. Its node ID is the
# service ID of its registration (config/mesh-gateway.hcl), which the control component matches.
node {
  id         = "mesh-gateway-dc1"
  cluster    = "mesh-gateway"
  datacenter = "gcp-dc1"
}

xds {
  address    = "127.0.1.1:8510"
  token_file = "gateway.token" # the gateway_tokens entry of control.hcl
}

admin {
  address = "127.0.1.2:19000"
}

metrics {
  address = "127.0.1.2:9102"
}

# Two event loops are plenty for the demo, and leave the machine's cores to the other processes.
workers = 2

timeouts {
  connect = "2s"
  drain   = "2s" # Ctrl-C stops the sandbox quickly
}

log {
  level      = "info"
  access_log = "stderr" # one line per connection, in the gateway's log
}
