/ not a comment
a = 1
