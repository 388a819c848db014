# private-api ×2 (the walkthrough's backend.nomad.hcl, replicas_private = 2), exported to
# gcp-dc1-default by default-exported.hcl. DC2's gateway terminates the peer's mTLS, checks the
# intentions and forwards plain HTTP to an instance.
service {
  id      = "private-api-1"
  name    = "private-api"
  address = "127.0.2.30"
  port    = 9090
  tags    = ["api", "private"]
}
service {
  id      = "private-api-2"
  name    = "private-api"
  address = "127.0.2.31"
  port    = 9090
  tags    = ["api", "private"]
}
