a = a ? b :
