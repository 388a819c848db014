Kind     = "service-defaults"
Name     = "front-service"
Protocol = "http"
