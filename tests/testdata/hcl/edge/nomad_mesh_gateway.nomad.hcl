variable "datacenter" {
  type    = string
  default = "dc1"
}

locals {
  wan_attribute = "$${attr.unique.platform.gce.network.${var.datacenter}-network.external-ip.0}"
}

job "mesh-gw" {
  datacenters = [var.datacenter]
  type        = "service"

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  update {
    max_parallel     = 1
    min_healthy_time = "10s"
    healthy_deadline = "3m"
    auto_revert      = true
  }

  group "gw" {
    count = 1

    consul {}

    network {
      mode = "host"
      port "mesh" {
        static = 8443
        to     = 8443
      }
    }

    restart {
      attempts = 3
      interval = "5m"
      delay    = "10s"
      mode     = "fail"
    }

    service {
      name         = "mesh-gateway"
      port         = "mesh"
      address_mode = "host"
      tags         = ["peering"]
      tagged_addresses {
        wan_ipv4 = "${local.wan_attribute}"
      }
      meta {
        consul-wan-federation = "1"
      }

      check {
        type     = "tcp"
        port     = "mesh"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "gateway" {
      driver = "raw_exec"

      identity {
        name = "consul_default"
        aud  = ["consul.io"]
      }

      config {
        command = "/usr/local/bin/meshgw"
        args    = ["-config", "${NOMAD_TASK_DIR}/gateway.hcl"]
      }

      template {
        destination = "local/gateway.hcl"
        change_mode = "restart"
        data        = <<-EOT
          listen     = "0.0.0.0:{{ env "NOMAD_PORT_mesh" }}"
          datacenter = "${var.datacenter}"
          peer_token = "{{ key "meshgw/peer-token" }}"
          EOT
      }

      resources {
        cpu    = 200
        memory = 128
      }
    }
  }
}
