# DC1: the default partition here and DC2's peering serve the same services.
Kind               = "sameness-group"
Name               = "api-services"
Partition          = "default"
DefaultForFailover = true
Members = [
  { Partition = "default" },
  { Peer = "gcp-dc2-default" }
]
