# meshgw, the mesh gateway of gcp-dc2 in the two-datacenter sandbox (./run sandbox):
#   meshgw -config build/sandbox/dc2/gateway.hcl
# Everything it serves (the mesh listener on 127.0.2.2:8443, the clusters of the exported services,
# certificates) comes over xDS from DC2's meshgw-control. Its node ID is the service ID of its
# registration (config/mesh-gateway.hcl), which the control component matches.
node {
  id         = "mesh-gateway-dc2"
  cluster    = "mesh-gateway"
  datacenter = "gcp-dc2"
}

xds {
  address    = "127.0.2.1:8510"
  token_file = "gateway.token" # the gateway_tokens entry of control.hcl
}

admin {
  address = "127.0.2.2:19000"
}

metrics {
  address = "127.0.2.2:9102"
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
