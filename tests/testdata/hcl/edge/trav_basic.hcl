a = var.datacenter
b = a.b[0]["k"]
c = local.x
