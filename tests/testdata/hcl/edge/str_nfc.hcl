a = "an\u0303o"
b = "é"
