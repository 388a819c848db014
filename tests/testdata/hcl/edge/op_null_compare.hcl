a = null == 1
b = 1 != null
