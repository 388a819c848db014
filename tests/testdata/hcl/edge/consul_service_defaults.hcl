Kind     = "service-defaults"
Name     = "backend"
Protocol = "http"
Meta = {
  "x-key" = 42
  owner   = "team"
}
