a = "\ud83d"
