Kind = "api-gateway"
Name = "my-api-gateway"
Listeners = [
  {
    Port     = 8081
    Name     = "my-http-listener"
    Protocol = "http"
  }
]
