a = f(a,)
