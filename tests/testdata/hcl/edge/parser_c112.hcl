a = 'x'
b = 'y'
