# A multi-line value is not aligned and ends the run of aligned lines.
short=1
much_longer_name = [
"a",
  "b",
]
x=2
yy   =   3
list = [1,
2, 3]
after = true
obj = { a = 1,
b = 2 }
z=0
