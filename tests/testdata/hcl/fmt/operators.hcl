a = 1+2*3-4/2%3
b = !true&&false||true
c = -1
d = 5 - -1
e = (1+2)*-3
f = a==b?c:d
g = a!=b
h = a>=b&&c<=d||e<f&&g>h
i = [-1, - 2, 3-4]
j = {k = -1, l = 2- 1}
k = foo(-1, a-b)
l = 1 - (-1)
m = true ? -1 : -2
