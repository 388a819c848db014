a {
}
b { # c
}
