ñandú = "ok"
Ωmega = 1
