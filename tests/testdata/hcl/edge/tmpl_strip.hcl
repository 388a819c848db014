a = "x  ${~ "y" ~}  z"
b = "%{ if true ~}  hi  %{~ endif }"
