a "x {}
