a = [1, "a"]
b = [{x = 1}, {y = "z"}]
c = [[1], ["a", true]]
d = [null, 1]
