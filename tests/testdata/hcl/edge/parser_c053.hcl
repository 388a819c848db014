a = {a
}
