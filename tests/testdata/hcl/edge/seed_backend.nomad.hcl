variable "back_version" {
  default = "v0.26.2"
}
variable "datacenter" {
  default = "dc1"
}
variable "replicas_public" {
  type    = number
  default = 2
}

job "backend-services" {
  datacenters = [var.datacenter]

  group "public" {
    count = var.replicas_public
    network {
      mode = "bridge"
      port "public-api" {
        static = 8082
        to     = 9090
      }
    }
    service {
      name         = "public-api"
      tags         = ["api", "public"]
      port         = "public-api"
      address_mode = "alloc"
      connect {
        sidecar_service {
          proxy {
            transparent_proxy {}
          }
        }
      }
    }
    task "public-api" {
      driver = "docker"
      config {
        image = "nicholasjackson/fake-service:${var.back_version}"
        ports = ["public-api"]
      }
      env {
        PORT        = "${NOMAD_PORT_public-api}"
        LISTEN_ADDR = "0.0.0.0:9090"
        MESSAGE     = "Hello World from Public API @${NOMAD_DC}"
        NAME        = "Public_API@${NOMAD_DC}"
      }
    }
  }
}
