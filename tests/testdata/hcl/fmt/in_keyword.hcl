a = [for x in [foo]: x]
b = [for x in[1]:x]
c = in[0]
d = [for i, in in ins : in]
