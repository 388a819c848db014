a = {for v in [1, 2] : v => v}
b = {for v in [true] : v => 1}
c = {for v in [null] : "k" => v}
d = {for v in [[1]] : v => 1}
