a { b = 1 
