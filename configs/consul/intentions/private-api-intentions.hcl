# DC2: front-service in DC1 may call private-api.
# Correction to the walkthrough: a source from a peer must name the peer. Without
# Peer = "gcp-dc1-default" the source means a local front-service, and DC1's caller, which
# presents DC1's trust domain, matches no intention and is denied by default.
Kind = "service-intentions"
Name = "private-api"
Sources = [
  {
    Name   = "front-service"
    Peer   = "gcp-dc1-default"
    Action = "allow"
  }
]
