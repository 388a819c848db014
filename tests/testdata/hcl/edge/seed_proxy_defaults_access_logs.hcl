Kind = "proxy-defaults"
Name = "global"
AccessLogs {
  Enabled    = true
  Type       = "file"
  Path       = "/alloc/logs/envoy-access.log"
  JsonFormat = <<EOF
{
  "start_time": "%START_TIME%",
  "upstream": "%UPSTREAM_HOST%"
}
EOF
}
Config {
  envoy_prometheus_bind_addr = "0.0.0.0:9102"
}
