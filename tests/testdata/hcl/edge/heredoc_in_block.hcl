b {
  data = <<-EOT
    x = 1
    EOT
}
