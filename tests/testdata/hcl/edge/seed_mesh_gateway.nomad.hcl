variable "datacenter" {
  type    = string
  default = "dc1"
}

locals {
  wan_attribute = "$${attr.unique.platform.gce.network.${var.datacenter}-network.external-ip.0}"
}

job "mesh-gateway" {
  datacenters = [var.datacenter]

  group "mesh-gateway-one" {
    network {
      mode = "host"
      port "mesh_wan" {
        host_network = "default"
        static       = 8443
        to           = 8443
      }
    }

    service {
      name = "mesh-gateway"
      port = "mesh_wan"

      tagged_addresses {
        wan_ipv4 = "${local.wan_attribute}"
        wan      = "${local.wan_attribute}"
      }

      connect {
        gateway {
          mesh {}
          proxy {
            envoy_gateway_bind_tagged_addresses = true
            # envoy_gateway_no_default_bind = true
            # envoy_gateway_bind_addresses "wan" {
            #   address = "0.0.0.0"
            #   port    = 8443
            # }
          }
        }
      }
    }
  }
}
