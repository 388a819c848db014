Kind = "exported-services"
Name = "default"
Services = [
  {
    Name = "backend"
    Consumers = [
      {
        Peer = "dc2"
      },
    ]
  },
  {
    Name      = "frontend"
    Namespace = "default"
    Consumers = [{ Peer = "dc2" }, { SamenessGroup = "sg1" }]
  }
]
