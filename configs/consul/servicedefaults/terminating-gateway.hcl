Kind     = "service-defaults"
Name     = "terminating-gateway"
Protocol = "http"
