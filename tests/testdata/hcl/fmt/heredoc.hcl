a {
b = <<EOT
   indented body ${ var.x }
     kept   as   is
EOT
c = <<-EOT
      stripped ${ var.y }
      EOT
  d=1
}
e = [<<EOT
one
EOT
, "two"]
