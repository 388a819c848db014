# The mesh gateway of one datacenter: meshgw in place of the Envoy task that Nomad injects for
# `connect { gateway { mesh {} } }` in the walkthrough's mesh-gateway.hcl.
#
#   nomad run -var datacenter=gcp-dc1 jobs/mesh-gateway.nomad.hcl
#   nomad run -var datacenter=gcp-dc2 jobs/mesh-gateway.nomad.hcl
#
# meshgw comes from the release tarball (`cpack -G TGZ` in build/release, see jobs/README.md),
# fetched by the `artifact` block and run with the isolated `exec` driver. Its bootstrap file is
# rendered by a `template`: the node ID is the service ID Nomad registers in Consul (the control
# component serves each gateway the resources of its registration), the xDS server is the local
# meshgw-control (jobs/meshgw-control.nomad.hcl), found through Consul.

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

variable "wan_address" {
  type        = string
  default     = ""
  description = "The address peers dial (a NATed public IP); empty: the node's own IP address."
}

locals {
  # Like the walkthrough's GCE external-IP attribute: `$${` leaves a runtime interpolation that
  # the Nomad client resolves on the node.
  wan_attribute = var.wan_address != "" ? var.wan_address : "$${attr.unique.network.ip-address}"
}

job "mesh-gateway" {
  datacenters = [var.datacenter]
  type        = "service"

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  # One gateway at a time, rolled back when the new one does not become healthy.
  update {
    max_parallel     = 1
    health_check     = "checks"
    min_healthy_time = "10s"
    healthy_deadline = "3m"
    auto_revert      = true
  }

  group "mesh-gateway-one" {
    count = 1

    # Consul cluster of the workload identity (the default cluster unless set).
    consul {}

    network {
      mode = "host"
      port "mesh_wan" {
        host_network = "default"
        static       = 8443
        to           = 8443
      }
      # Static, as the walkthrough's notes require for the admin interface with host networking.
      port "admin" {
        static = 19000
      }
      port "metrics" {
        static = 9102
      }
    }

    restart {
      attempts = 3
      interval = "5m"
      delay    = "10s"
      mode     = "delay"
    }

    service {
      name = "mesh-gateway"
      port = "mesh_wan"
      # The registration the control component reads: a mesh gateway whose "wan" address the
      # peer's gateways and control components dial.
      kind = "mesh-gateway"
      tags = ["meshgw", "peering"]

      tagged_addresses {
        lan_ipv4 = "${NOMAD_IP_mesh_wan}"
        wan_ipv4 = local.wan_attribute
        wan      = local.wan_attribute
      }

      meta {
        metrics_port = "${NOMAD_PORT_metrics}"
      }

      # The service's own Consul token (registration), from Nomad's workload identity.
      identity {
        aud = ["consul.io"]
        ttl = "1h"
      }

      check {
        name     = "meshgw ready"
        type     = "http"
        port     = "admin"
        path     = "/ready"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "meshgw" {
      driver = "exec"

      # The task's Consul token, for the template's service lookups.
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
        command = "local/meshgw/bin/meshgw"
        args    = ["-config", "local/gateway.hcl"]
      }

      template {
        destination = "local/gateway.hcl"
        change_mode = "restart"
        data        = <<-EOT
          node {
            # Nomad's service ID of the group service above.
            id         = "_nomad-task-{{ env "NOMAD_ALLOC_ID" }}-group-mesh-gateway-one-mesh-gateway-mesh_wan"
            cluster    = "mesh-gateway"
            datacenter = "${var.datacenter}"
          }
          xds {
          {{- range service "meshgw-control" }}
            address = "{{ .Address }}:{{ .Port }}"
          {{- end }}
            token_file = "{{ env "NOMAD_SECRETS_DIR" }}/xds-token"
          }
          admin {
            # The node's address, for the health check above; keep 19000 closed at the firewall.
            address = "{{ env "NOMAD_IP_admin" }}:{{ env "NOMAD_PORT_admin" }}"
          }
          metrics {
            address = "0.0.0.0:{{ env "NOMAD_PORT_metrics" }}"
          }
          EOT
      }

      # The gateway's xDS token (control.hcl gateway_tokens), kept in a Nomad variable.
      template {
        destination = "secrets/xds-token"
        change_mode = "restart"
        perms       = "600"
        data        = <<-EOT
          {{- with nomadVar "nomad/jobs/mesh-gateway" }}{{ .xds_token }}{{ end }}
          EOT
      }

      resources {
        cpu    = 500
        memory = 256
      }

      logs {
        max_files     = 5
        max_file_size = 20
      }

      kill_timeout = "35s" # meshgw drains for up to 30 s on SIGTERM
    }
  }
}
