a = "5" * 2
b = "1e3" + 0
c = " 5" + 0
d = "0x10" + 0
e = "true" && true
