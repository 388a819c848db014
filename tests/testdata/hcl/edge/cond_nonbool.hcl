a = "x" ? 1 : 2
b = null ? 1 : 2
