a = upper("x")
b = f(1, 2)
c = g()
d = h(xs...)
e = k(
  1,
  2,
)
