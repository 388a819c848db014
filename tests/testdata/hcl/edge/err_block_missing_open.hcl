a "b" c
