# A DC1 workload with no intention at DC2: DC2's gateway must refuse its calls to private-api
# (deny by default). It needs no process: the sandbox itself calls its upstream listener
# 127.0.1.2:9193, where DC1's gateway presents unauthorized-web's certificate to DC2. private-api
# rather than public-api: DC1 has a local public-api (failover), which would answer without
# crossing the peering.
service {
  name    = "unauthorized-web"
  address = "127.0.1.22"
  port    = 9090
  connect {
    sidecar_service {
      proxy {
        upstreams = [
          {
            destination_name   = "private-api"
            destination_peer   = "gcp-dc2-default"
            local_bind_address = "127.0.1.2"
            local_bind_port    = 9193
          }
        ]
      }
    }
  }
}
