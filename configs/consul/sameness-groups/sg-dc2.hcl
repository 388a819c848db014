# DC2: the default partition here and DC1's peering serve the same services.
Kind               = "sameness-group"
Name               = "api-services"
Partition          = "default"
DefaultForFailover = true
Members = [
  { Partition = "default" },
  { Peer = "gcp-dc1-default" }
]
