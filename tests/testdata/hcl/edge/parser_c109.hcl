a = 1
a = 2
b { c = 1
c = 2
}
