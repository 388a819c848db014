a = "%{for v in m}${v}%{else}x%{endfor}"
