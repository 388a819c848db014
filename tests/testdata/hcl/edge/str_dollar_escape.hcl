a = "$${lit}"
b = "%%{lit}"
c = "$$${x}"
