a = <<-EOT
		foo
	  bar

		baz ${x}
  EOT
