for = 1
if = 2
true = 3
false = 4
null = 5
in = 6
endif = 7
