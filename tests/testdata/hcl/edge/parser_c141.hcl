for = 1
if = 2
in = 3
true = 4
null = 5
