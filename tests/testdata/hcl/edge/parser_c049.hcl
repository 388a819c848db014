a = {a}
