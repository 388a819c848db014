x = "café"
y = "café"
