a {
  b = <<EOT
  }
  EOT
}
