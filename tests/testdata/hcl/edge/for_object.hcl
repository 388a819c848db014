a = {for k, v in {x = 1, y = 2} : k => v + 1}
b = {for x in ["a", "b"] : x => upper(x)}
