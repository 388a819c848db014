a = x[a.b]["c"][1.5][true][null]
