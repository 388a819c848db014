a = f(a b)
