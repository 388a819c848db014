a = for.x
