a = "%{ for k, v in {b = 2, a = 1} }${k}${v}%{ endfor }"
b = "%{ for v in [] }x%{ endfor }end"
