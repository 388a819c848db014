a = "${true} and ${false}"
b = "x${null}"
c = "x${[1]}"
d = "x${{}}"
