a = true ? 1 : "x"
b = true ? 1 : true
