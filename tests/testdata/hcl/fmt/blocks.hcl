empty {}
empty2 {
}
oneline { a = 1 }
labels "a" "b" c {
}
nested {
  inner {
      deeper "x" {
  v = 1
      }
  }
}
single {   a=1   }
