a = {for v in [1, 2, 3] : (v % 2 == 0 ? "even" : "odd") => v...}
