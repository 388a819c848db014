# The access-log variant of proxy-defaults; also sets the de-facto gateway metrics port 9102.
Kind = "proxy-defaults"
Name = "global"
MeshGateway {
  Mode = "local"
}
AccessLogs {
  Enabled    = true
  Type       = "file"
  Path       = "/alloc/logs/envoy-access.log"
  JsonFormat = <<EOT
{
  "start_time": "%START_TIME%",
  "method": "%REQ(:METHOD)%",
  "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
  "response_code": "%RESPONSE_CODE%",
  "upstream_host": "%UPSTREAM_HOST%",
  "duration": "%DURATION%"
}
EOT
}
Config {
  protocol                   = "http"
  envoy_prometheus_bind_addr = "0.0.0.0:9102"
}
