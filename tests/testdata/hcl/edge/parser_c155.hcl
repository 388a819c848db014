a = <<EOT
	EOT	
EOT
