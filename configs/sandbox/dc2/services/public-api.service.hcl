# public-api ×2 (the walkthrough's backend.nomad.hcl, replicas_public = 2), exported to
# gcp-dc1-default by default-exported.hcl. DC2's gateway terminates the peer's mTLS, checks the
# intentions and forwards plain HTTP to an instance.
service {
  id      = "public-api-1"
  name    = "public-api"
  address = "127.0.2.20"
  port    = 9090
  tags    = ["api", "public"]
}
service {
  id      = "public-api-2"
  name    = "public-api"
  address = "127.0.2.21"
  port    = 9090
  tags    = ["api", "public"]
}
