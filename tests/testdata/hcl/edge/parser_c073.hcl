a = x.0.b
b = x.0.1
c = x.*.0.b
d = x.*.0.1
