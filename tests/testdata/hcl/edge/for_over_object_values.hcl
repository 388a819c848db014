a = [for v in {b = 2, a = 1} : v]
