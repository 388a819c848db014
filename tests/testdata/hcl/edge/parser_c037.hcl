x = "an\u0303o"
