# DC1: the API gateway may call front-service.
Kind = "service-intentions"
Name = "front-service"
Sources = [
  {
    Name   = "my-api-gateway"
    Action = "allow"
  }
]
