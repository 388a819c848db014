Kind = "proxy-defaults"
Name = "global"
MeshGateway {
  Mode = "local"
}
Config {
  protocol = "http"
}
