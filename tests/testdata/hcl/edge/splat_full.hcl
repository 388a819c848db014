a = list[*].a[0]
b = x[*]
