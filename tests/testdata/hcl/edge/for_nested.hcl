a = [for x in [[1, 2], [3]] : [for y in x : y * 10]]
