a = true ? {a = 1} : {a = "x"}
b = true ? {a = 1} : {b = 1}
c = true ? [1, 2] : [3]
