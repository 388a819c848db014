a = [for k, v in {b = 1, a = 2} : "${k}${v}"]
b = {for i, v in ["x", "y"] : v => i}
c = [for v in [] : v]
d = {for k, v in {} : k => v}
