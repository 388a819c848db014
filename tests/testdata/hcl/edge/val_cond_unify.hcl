a = true ? [1] : []
b = false ? {a = 1} : {}
c = true ? "a" : null
d = true ? 1 : "2"
e = false ? [1] : ["a"]
