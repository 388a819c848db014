café = "é"
ab = "😀😀"
emoji_key = { "😀" = 1, b = 2 }
x = "ñ"   # ñ
yyyyyy = 1 # c
