a = {x = 1}[*].x
b = "str"[*]
