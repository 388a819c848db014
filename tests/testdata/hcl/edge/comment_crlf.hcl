# c
a = 1 // d
b = 2
