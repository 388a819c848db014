a = "%{ if true ~}  hi  %{~ endif }"
