a = 1 + 2 * 3 - 4 / 2 % 3
b = !true && false || true
c = 1 < 2 == true
d = -2 * -3
e = (1 + 2) * 3
