# DC1: fail over from local public-api instances to DC2's through the peering.
Kind           = "service-resolver"
Name           = "public-api"
ConnectTimeout = "15s"
Failover = {
  "*" = {
    Targets = [{ Peer = "gcp-dc2-default" }]
  }
}
