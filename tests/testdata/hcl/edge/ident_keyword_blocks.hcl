for "x" {
  if = true
}
null {}
