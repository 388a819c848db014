a = foo[1
