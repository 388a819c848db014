a = "x"
bb {
  c = 1 # x
   d=[1,
2]
}
