# The walkthrough's backend (nomad-apps/demo-fake-service/backend.nomad.hcl): public-api and
# private-api in DC2, exported to DC1 by configs/consul/default-exported.hcl. meshgw-fake-service
# from the release tarball stands in for the nicholasjackson/fake-service image, with the same
# NAME, MESSAGE and LISTEN_ADDR.
#
#   nomad run -var datacenter=gcp-dc2 -var replicas_public=2 -var replicas_private=2 \
#     jobs/backend.nomad.hcl
#
# No sidecar: DC2's mesh gateway terminates the peer's mTLS, applies the intentions and forwards
# to the instances' registered addresses.

variable "datacenter" {
  type    = string
  default = "dc1"
}

variable "replicas_public" {
  type    = number
  default = 2
}

variable "replicas_private" {
  type    = number
  default = 2
}

variable "artifact_source" {
  type        = string
  default     = "https://releases.example.com/meshgw/meshgw-0.1.0-Linux.tar.gz"
  description = "Where Nomad clients download the meshgw release tarball (go-getter URL)."
}

job "backend-services" {
  datacenters = [var.datacenter]
  type        = "service"

  group "public" {
    count = var.replicas_public

    network {
      port "public-api" {
        to = 9090
      }
    }

    service {
      name = "public-api"
      tags = ["api", "public"]
      port = "public-api"

      identity {
        aud = ["consul.io"]
        ttl = "1h"
      }

      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "public-api" {
      driver = "exec"

      artifact {
        source      = var.artifact_source
        destination = "local/meshgw"
      }

      config {
        command = "local/meshgw/bin/meshgw-fake-service"
      }

      env {
        LISTEN_ADDR = "${NOMAD_ADDR_public-api}"
        MESSAGE     = "Hello World from Public API @${NOMAD_DC}"
        NAME        = "Public_API@${NOMAD_DC}"
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }

  group "private" {
    count = var.replicas_private

    network {
      port "private-api" {
        to = 9090
      }
    }

    service {
      name = "private-api"
      tags = ["api", "private"]
      port = "private-api"

      identity {
        aud = ["consul.io"]
        ttl = "1h"
      }

      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "private-api" {
      driver = "exec"

      artifact {
        source      = var.artifact_source
        destination = "local/meshgw"
      }

      config {
        command = "local/meshgw/bin/meshgw-fake-service"
      }

      env {
        LISTEN_ADDR = "${NOMAD_ADDR_private-api}"
        MESSAGE     = "Hello World from Private API @${NOMAD_DC}"
        NAME        = "Private_API@${NOMAD_DC}"
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
