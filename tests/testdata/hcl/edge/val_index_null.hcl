a = [1, 2][null]
b = null[0]
c = {a = null}.a
