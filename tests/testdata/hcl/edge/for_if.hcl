a = [for x in [1, 2, 3, 4] : x if x % 2 == 0]
