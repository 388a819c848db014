Kind           = "service-resolver"
Name           = "backend"
ConnectTimeout = "15s"
Failover = {
  "*" = {
    Targets = [
      { Peer = "dc2" },
    ]
  }
}
