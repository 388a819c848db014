a = [for x in [1, 2, 3] : x * 2]
b = [for i, x in ["a", "b"] : "${i}${x}"]
