job "mesh" {}
foo bar "baz" {}
x "a\"b" "c" {}
