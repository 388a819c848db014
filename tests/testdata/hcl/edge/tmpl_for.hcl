a = "%{ for x in ["a", "b"] }${x},%{ endfor }"
b = "%{ for k, v in {p = 1, q = 2} }${k}=${v};%{ endfor }"
