a = "%{ if null }x%{ endif }"
