a = {for x in ["a", "b", "a"] : x => x...}
