a = f(a...)
b = f()
