a = foo[bar]
b = foo[1 + 1]
