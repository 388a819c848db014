a = b - 1
