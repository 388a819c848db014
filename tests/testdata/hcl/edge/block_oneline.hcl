a { b = 1 }
c {}
d "l" { e = "x" }
