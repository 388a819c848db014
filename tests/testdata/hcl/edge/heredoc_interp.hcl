a = <<EOT
v=${1 + 1} $${lit} %%{lit}
EOT
