a = !!true
b = - - 1
c = -"2"
