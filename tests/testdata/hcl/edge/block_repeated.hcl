port "x" {
  static = 1
}
port "x" {
  static = 2
}
port "y" {}
