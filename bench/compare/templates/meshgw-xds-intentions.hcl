# dc2's `client` may call echo: the terminated chain's RBAC allows its SPIFFE ID
# (spiffe://<dc2's trust domain>/ns/default/dc/dc2/svc/client); anything else is denied.
Kind = "service-intentions"
Name = "echo"
Sources = [
  {
    Name   = "client"
    Peer   = "dc2"
    Action = "allow"
  }
]
