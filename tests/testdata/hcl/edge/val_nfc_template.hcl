a = "e\u0301${"x"}"
b = "${"e"}\u0301"
c = <<EOT
é
EOT
