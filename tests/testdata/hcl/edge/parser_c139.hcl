héllo_wörld-x = 1
