# Attributes of different name lengths: the = signs line up per run of lines.
a=1
bbbbbb    =    2
cc= "three"   # a trailing comment
d = true // another one

eeeeeeeeeeee = null
f={}
  g   =   [ ]
block  "label"   {
x=1
yyyy=2   # c1
zz = 3 # c2
}
