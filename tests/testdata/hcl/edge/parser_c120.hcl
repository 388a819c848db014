/* unterminated
a = 1
