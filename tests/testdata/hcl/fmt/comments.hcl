// leading comment
   # hash comment
/* block
   comment */
a = 1 /* inline */ + 2
b = 2    # trailing
ccc = 3  // trailing too
block {
    # inside
  x = 1 # one
      /* multi
line */
  yy = 2 # two
}
// at end without newline
