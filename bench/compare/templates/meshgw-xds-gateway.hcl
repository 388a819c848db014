# meshgw for the meshgw-xds row: everything it serves comes over xDS from meshgw-control. Its
# node ID is the service ID of the mesh gateway's registration (config/mesh-gateway.hcl).
# Written by bench/compare from this template.
node {
  id         = "bench-gateway"
  cluster    = "mesh-gateway"
  datacenter = "dc1"
}
xds {
  address = "127.0.0.1:${grpc_port}"
}
admin {
  address = "127.0.0.1:${admin_port}"
}
metrics {
  address = "127.0.0.1:0"
}
workers = 1
limits {
  max_connections = 9500
}
log {
  level      = "warn"
  access_log = "off"
}
