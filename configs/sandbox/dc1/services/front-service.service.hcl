# front-service (the walkthrough's frontend.nomad.hcl), registered when the sandbox starts it.
# Its sidecar's upstreams reach DC2's APIs through the egress listeners of DC1's mesh gateway
# (127.0.1.2:9191 and :9192): plain HTTP in, mTLS with front-service's identity out to DC2's
# gateway. The walkthrough's transparent proxy (public-api.virtual.consul) becomes these explicit
# upstreams.
service {
  name    = "front-service"
  address = "127.0.1.20"
  port    = 9090
  tags    = ["web", "frontend"]
  connect {
    sidecar_service {
      proxy {
        upstreams = [
          {
            destination_name   = "public-api"
            destination_peer   = "gcp-dc2-default"
            local_bind_address = "127.0.1.2"
            local_bind_port    = 9191
          },
          {
            destination_name   = "private-api"
            destination_peer   = "gcp-dc2-default"
            local_bind_address = "127.0.1.2"
            local_bind_port    = 9192
          }
        ]
      }
    }
  }
}
