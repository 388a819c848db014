a = foo ( 1 , 2 , xs ... )
b = a . b [ 0 ] [ "k" ]
c = [ for x in xs : upper ( x ) if x != "" ]
d = { for k , v in m : k => v ... }
e = list [ * ] . name
f = list . * . name
g = [for x in [1, 2]: x]
h = {for k, v in {a=1}: k=>v}
i = foo.0.bar
j = "${ a } and ${b} %{ if c }yes%{ else }no%{ endif }"
k = "${ {a = 1}.a }"
l = "%{ for x in xs }${ x },%{ endfor }"
m = "x ${~ y ~} z"
n = upper("a")
o = a[0] [1]
