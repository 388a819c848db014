a = [for a, b, c in [] : a]
