a = "s".x
