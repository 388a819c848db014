a = "%{ if true }yes%{ else }no%{ endif }"
b = "%{ if false }yes%{ else }no%{ endif }"
