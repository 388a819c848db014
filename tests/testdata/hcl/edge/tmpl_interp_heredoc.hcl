a = "${ <<EOT
hi
EOT
}"
