a = [for x in [for y in [1] : y] : x
