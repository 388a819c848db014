a = x ~} y
