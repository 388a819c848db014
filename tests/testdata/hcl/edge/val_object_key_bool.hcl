a = { (true) = 1 }
b = { (null) = 1 }
c = { ([1]) = 1 }
