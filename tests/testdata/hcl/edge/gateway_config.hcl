# a meshgw gateway config
listen       = "0.0.0.0:8443"
admin_listen = "127.0.0.1:19000"
datacenter   = "dc1"

control {
  address = "127.0.0.1:8510"
  token   = "${env.TOKEN}"
}

tls {
  handshake_timeout = "5s"
}

limits {
  max_connections = 10000
  idle_timeout    = "5m"
  buffer_bytes    = 65536
}
