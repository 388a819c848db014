a = <<-EOT
    ${x} foo
  bar
  EOT
