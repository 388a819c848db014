a "b" {
