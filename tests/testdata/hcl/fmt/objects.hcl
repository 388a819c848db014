obj = {
a=1
bbb = 2
  "c d"   = 3
(e) = 4
nested = {
x = [
1,
2,
]
}
}
tuple = [
  {
  a = 1
  },
  {b=2},
]
call = foo(
a,
b,
)
