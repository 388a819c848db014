a = "x", b = "y"
