# ACL policy "mesh-gateway" of the walkthrough (consul acl policy create -rules @mesh-acl.hcl),
# bound to the gateway through the role mesh-gateway-role. mesh:write lets a gateway get the
# mesh-gateway leaf certificate it needs when its partition exports services.
mesh = "write"
partition_prefix "" {
  mesh    = "write"
  peering = "read"
  service_prefix "" {
    policy = "read"
  }
}
