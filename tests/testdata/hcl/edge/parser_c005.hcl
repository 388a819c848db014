a = <<EOT
unterminated
