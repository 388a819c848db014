a = "abc\"
