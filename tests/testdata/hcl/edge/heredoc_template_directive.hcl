a = <<-EOT
  %{ if true }
  yes
  %{ endif }
  EOT
