# The walkthrough's frontend (nomad-apps/demo-fake-service/frontend.nomad.hcl): front-service in
# DC1 calling DC2's public-api and private-api across the peering.
#
#   nomad run -var datacenter=gcp-dc1 jobs/frontend.nomad.hcl
#
# meshgw has no sidecar: the upstreams declared on the sidecar registration become egress
# listeners of DC1's mesh gateway (local_bind_address:local_bind_port on the gateway's node),
# where meshgw originates mTLS with front-service's identity to DC2's gateway. front-service
# calls those listeners instead of the walkthrough's transparent-proxy names
# (public-api.virtual.gcp-dc2-default.peer.consul).

variable "datacenter" {
  type    = string
  default = "dc1"
}

variable "mesh_gateway_address" {
  type        = string
  default     = "127.0.0.1"
  description = "The address of DC1's mesh gateway node, where the egress listeners bind."
}

variable "artifact_source" {
  type        = string
  default     = "https://releases.example.com/meshgw/meshgw-0.1.0-Linux.tar.gz"
  description = "Where Nomad clients download the meshgw release tarball (go-getter URL)."
}

job "front-service" {
  datacenters = [var.datacenter]
  type        = "service"

  group "frontend" {
    count = 1

    network {
      port "http" {
        to = 9090
      }
    }

    service {
      name = "front-service"
      tags = ["web", "frontend"]
      port = "http"

      identity {
        aud = ["consul.io"]
        ttl = "1h"
      }

      # The registration carries the upstreams; the control component turns them into the
      # gateway's egress listeners.
      connect {
        sidecar_service {
          disable_default_tcp_check = true
          proxy {
            upstreams {
              destination_name   = "public-api"
              destination_peer   = "gcp-dc2-default"
              local_bind_address = var.mesh_gateway_address
              local_bind_port    = 9191
            }
            upstreams {
              destination_name   = "private-api"
              destination_peer   = "gcp-dc2-default"
              local_bind_address = var.mesh_gateway_address
              local_bind_port    = 9192
            }
          }
        }

        # Nothing to proxy locally: the sidecar task only holds the registration.
        sidecar_task {
          driver = "exec"
          config {
            command = "/bin/sleep"
            args    = ["infinity"]
          }
          resources {
            cpu    = 20
            memory = 16
          }
        }
      }

      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "web" {
      driver = "exec"

      artifact {
        source      = var.artifact_source
        destination = "local/meshgw"
      }

      config {
        command = "local/meshgw/bin/meshgw-fake-service"
      }

      env {
        LISTEN_ADDR   = "${NOMAD_ADDR_http}"
        MESSAGE       = "Hello World fron Frontend V1 @${NOMAD_DC}"
        NAME          = "web"
        UPSTREAM_URIS = "http://${var.mesh_gateway_address}:9191,http://${var.mesh_gateway_address}:9192"
        TIMEOUT       = "5s"
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
