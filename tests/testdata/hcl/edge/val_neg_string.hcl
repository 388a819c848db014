a = -"5"
b = -"x"
c = !"true"
d = !"yes"
