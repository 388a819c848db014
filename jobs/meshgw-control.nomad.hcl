# meshgw-control beside the Consul servers of one datacenter: it mirrors Consul (peerings,
# exported services, intentions, sameness groups, CA roots) over Consul's HTTP API and serves the
# mesh gateways of jobs/mesh-gateway.nomad.hcl over xDS.
#
#   nomad var put nomad/jobs/meshgw-control operator_token=... xds_token=...
#   nomad run -var datacenter=gcp-dc1 jobs/meshgw-control.nomad.hcl
#
# The control API (the CLI: `meshgw-control peering list` ...) and ADS share the gRPC port 8510.

variable "datacenter" {
  type        = string
  default     = "dc1"
  description = "The Nomad and Consul datacenter, e.g. gcp-dc1."
}

variable "artifact_source" {
  type        = string
  default     = "https://releases.example.com/meshgw/meshgw-0.1.0-Linux.tar.gz"
  description = "Where Nomad clients download the meshgw release tarball (go-getter URL)."
}

job "meshgw-control" {
  datacenters = [var.datacenter]
  type        = "service"

  # Next to the Consul servers, as the Consul servers' own gRPC port would be.
  constraint {
    attribute = "${attr.consul.server}"
    value     = "true"
  }

  constraint {
    operator = "distinct_hosts"
    value    = "true"
  }

  update {
    max_parallel     = 1
    min_healthy_time = "10s"
    healthy_deadline = "3m"
    auto_revert      = true
  }

  group "control" {
    count = 1

    consul {}

    network {
      port "grpc" {
        static = 8510
      }
      port "peering" {
        static = 8503
      }
    }

    restart {
      attempts = 3
      interval = "5m"
      delay    = "10s"
      mode     = "delay"
    }

    service {
      name = "meshgw-control"
      port = "grpc"
      tags = ["xds", "control-api"]

      identity {
        aud = ["consul.io"]
        ttl = "1h"
      }

      check {
        name     = "gRPC health"
        type     = "grpc"
        port     = "grpc"
        interval = "10s"
        timeout  = "2s"
      }
    }

    service {
      name = "meshgw-control-peering"
      port = "peering"
      tags = ["peering"]

      identity {
        aud = ["consul.io"]
        ttl = "1h"
      }

      check {
        name     = "peering port"
        type     = "tcp"
        port     = "peering"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "meshgw-control" {
      driver = "exec"

      # The Consul token the Consul source reads Consul with (Nomad writes it to
      # secrets/consul_token).
      identity {
        name = "consul_default"
        aud  = ["consul.io"]
        ttl  = "1h"
      }

      artifact {
        source      = var.artifact_source
        destination = "local/meshgw"
      }

      config {
        command = "local/meshgw/bin/meshgw-control"
        args    = ["agent", "-config", "local/control.hcl"]
      }

      env {
        CONSUL_HTTP_ADDR       = "${attr.unique.network.ip-address}:8500"
        CONSUL_HTTP_TOKEN_FILE = "${NOMAD_SECRETS_DIR}/consul_token"
      }

      template {
        destination = "local/control.hcl"
        change_mode = "restart"
        data        = <<-EOT
          datacenter      = "${var.datacenter}"
          source          = "consul"
          data_dir        = "{{ env "NOMAD_ALLOC_DIR" }}/data"
          config_dir      = "{{ env "NOMAD_TASK_DIR" }}/config"
          grpc_address    = "{{ env "NOMAD_IP_grpc" }}:{{ env "NOMAD_PORT_grpc" }}"
          peering_address = "{{ env "NOMAD_IP_peering" }}:{{ env "NOMAD_PORT_peering" }}"
          {{- with nomadVar "nomad/jobs/meshgw-control" }}
          gateway_tokens {
            token = "{{ .xds_token }}"
            nodes = ["*"]
          }
          control_tokens = ["{{ .operator_token }}"]
          {{- end }}
          EOT
      }

      resources {
        cpu    = 500
        memory = 256
      }
    }
  }
}
