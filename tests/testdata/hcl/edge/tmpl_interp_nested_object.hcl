a = "x${ {k="v"}.k }y"
