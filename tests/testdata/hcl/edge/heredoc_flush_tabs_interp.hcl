a = <<-EOT
		foo
	  bar

		baz ${"q"}
  EOT
