locals {
cond = var.enabled ? (
var.x
) : var.y
calls = concat(
  ["a"],
    var.more,
[for s in var.list : upper(s)
if s != ""],
)
m = {for k, v in var.map :
k => v
}
nested = merge({
a = 1
}, {
b = 2
})
}
