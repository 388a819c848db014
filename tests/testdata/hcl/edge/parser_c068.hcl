a = 1 + 2 * 3 - 4 / 2 % 3 > 1 && true || false
