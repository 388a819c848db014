a = { "q" = 1, 1 = "x", ("p") = 2, true = 3, null = 4 }
