a = a ? b
