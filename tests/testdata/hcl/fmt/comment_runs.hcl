a = 1 # one
bb = 22 # two
# standalone comment breaks the comment run
ccc = 333 # three
dddd = 4444    /* block comments are not aligned */
e = 5 // five

f {   # on a block line
  g = 1 # inside
}   # after close
