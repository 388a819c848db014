a = list.*.a
b = list.*.a[0]
