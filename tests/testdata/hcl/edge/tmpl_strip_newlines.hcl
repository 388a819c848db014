a = "a \n ${~ "b" ~} \n c"
