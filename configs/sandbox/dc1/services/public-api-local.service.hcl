# A local public-api in DC1, for the failover check: the sameness group api-services
# (DefaultForFailover) makes DC1 prefer it and fall back to DC2's instances through the peering.
# The sandbox stops it and removes this registration (as Nomad does when an allocation stops),
# then front-service's calls to public-api must be answered by DC2.
service {
  id      = "public-api-dc1-1"
  name    = "public-api"
  address = "127.0.1.21"
  port    = 9090
  tags    = ["api", "public"]
}
