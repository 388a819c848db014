a = {for v in ["a"] : null => v}
