a = <<EOT
%{ if x ~}
  yes
%{~ else ~}
  no
%{~ endif }
EOT
