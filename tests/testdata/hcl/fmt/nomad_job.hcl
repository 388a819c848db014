variable "datacenter" {
type = string
  default = "dc1"
}
job "mesh-gw" {
  datacenters = [var.datacenter]
    type = "service"
  group "gw" {
        count = 1
network {
    port "mesh" {
static = 8443
    }
}
    task "gateway" {
      driver="raw_exec"
      config {
        command = "/usr/local/bin/meshgw"
        args = ["-config", "${NOMAD_TASK_DIR}/gateway.hcl"]
      }
      template {
destination = "local/gateway.hcl"
change_mode = "restart"
        data = <<-EOT
          listen     = "0.0.0.0:{{ env "NOMAD_PORT_mesh" }}"
          datacenter = "${var.datacenter}"
          EOT
      }
    }
  }
}
