a = "%{ for a b }a%{endfor}"
