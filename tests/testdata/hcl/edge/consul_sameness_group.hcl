Kind = "sameness-group"
Name = "sg1"
DefaultForFailover = true
Members = [
  { Partition = "default" },
  { Peer = "dc2" },
]
