# DC2, sameness variant: front-service from any member of api-services may call public-api.
Kind = "service-intentions"
Name = "public-api"
Sources = [
  {
    Name          = "front-service"
    Action        = "allow"
    SamenessGroup = "api-services"
  }
]
