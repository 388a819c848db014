Kind = "service-intentions"
Name = "backend"
Sources = [
  {
    Name   = "frontend"
    Peer   = "dc1"
    Action = "allow"
  },
  {
    Name   = "*"
    Action = "deny"
  }
]
