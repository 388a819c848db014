# The mesh gateway's registration (kind mesh-gateway): its ID is the gateway's xDS node ID.
service {
  id      = "bench-gateway"
  name    = "mesh-gateway"
  kind    = "mesh-gateway"
  address = "127.0.0.1"
  port    = ${port}
}
