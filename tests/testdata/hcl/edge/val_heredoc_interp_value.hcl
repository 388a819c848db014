a = <<EOT
${true}
EOT
b = <<-EOT
  ${1 + 1}
  EOT
