a = true ? null : 1
b = false ? null : {x = 1}
