Kind     = "service-defaults"
Name     = "public-api"
Protocol = "http"
