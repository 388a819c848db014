a = !!a
b = - -1
c = 1 + -2
d = a == b == c
