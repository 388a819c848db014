a = foo.0.bar
b = foo.1
