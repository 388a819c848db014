a = true ? 1 : 2
b = false ? "x" : "y"
c = true ? 1 : false ? 2 : 3
d = 1 > 2 ? "big" : "small"
