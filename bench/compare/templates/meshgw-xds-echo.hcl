# The echo service: the TLS echo backend (passthrough) or the TCP one (terminate). Exported to the
# peer dc2 (exported.hcl), it gets the chain echo.default.default.dc2.external.${trust_domain} on
# the mesh gateway's listener.
service {
  id      = "echo-1"
  name    = "echo"
  address = "127.0.0.1"
  port    = ${backend_port}
}
