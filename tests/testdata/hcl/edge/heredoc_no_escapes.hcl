a = <<EOT
line\nstill \t one
"quotes"
EOT
