job "mesh-gw" {
datacenters = [ var.datacenter , "dc2" ]
    group "gw" {
          count=1
   network {
port "mesh" {
   static = 8443
}
}
        service {
name = "mesh-gateway"
tags = ["a",
"b",
    "c"]
meta = {
owner="me"
"x-key"  :  42
}
}
}
}
