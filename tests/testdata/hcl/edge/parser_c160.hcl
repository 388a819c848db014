a = <<EOT
${x}
EOT
b = <<EOT
a ${x}
EOT
