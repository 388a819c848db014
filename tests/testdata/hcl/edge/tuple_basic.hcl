a = [1, "b", true, null]
b = []
c = [1, 2,]
d = [
  1,
  2
]
