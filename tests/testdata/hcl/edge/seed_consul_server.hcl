advertise_addr_wan = "$PUBLIC_IP"
bootstrap_expect = 3
connect {
  enabled = true
}
ports {
  https = 8501
  grpc_tls = 8502
}
acl {
  enabled = true
  default_policy = "deny"
}
