Kind     = "service-defaults"
Name     = "private-api"
Protocol = "http"
