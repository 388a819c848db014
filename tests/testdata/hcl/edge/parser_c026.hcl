a = "%{ for a, in y }a%{endfor}"
