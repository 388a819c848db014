a = <<-EOT
${"x"}
  foo
  EOT
