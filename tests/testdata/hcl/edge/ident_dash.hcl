foo-bar = 1
x-- = 2
_x = 3
café = 4
