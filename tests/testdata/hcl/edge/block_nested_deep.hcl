a {
  b "x" {
    c "y" "z" {
      d = 1
    }
  }
  b "w" {}
}
