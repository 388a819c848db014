// leading
a = 1 // trailing
