# The mesh gateway of gcp-dc2, registered as the walkthrough's Nomad job registers it
# (jobs/mesh-gateway.nomad.hcl): kind mesh-gateway, port 8443, a "wan" tagged address that the peer
# dials. In the sandbox LAN and WAN are the same loopback address.
service {
  id      = "mesh-gateway-dc2" # the gateway's xDS node ID (gateway.hcl)
  name    = "mesh-gateway"
  kind    = "mesh-gateway"
  address = "127.0.2.2"
  port    = 8443
  tagged_addresses {
    lan {
      address = "127.0.2.2"
      port    = 8443
    }
    wan {
      address = "127.0.2.2"
      port    = 8443
    }
  }
}
