a = "${var.x}-gw"
b = "--name=${var.datacenter}-gw"
