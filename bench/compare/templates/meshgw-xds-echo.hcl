# The echo service (the TLS echo backend): the catch-all chain routes its SNI
# echo.default.dc1.internal.${trust_domain} to this instance, passed through.
service {
  id      = "echo-1"
  name    = "echo"
  address = "127.0.0.1"
  port    = ${backend_port}
}
