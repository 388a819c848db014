a {}
x = 1
b {}
a "l" {}
y = 2
