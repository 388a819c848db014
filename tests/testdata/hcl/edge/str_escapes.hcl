a = "tab\there \"q\" \\ \n \r"
b = "\u00e9\U0001F600"
