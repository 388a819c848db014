a = 1 && true
b = "true" || false
c = !"false"
d = !1
