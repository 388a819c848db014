# The echo service, exported to the peer dc2 (DC2's consumers reach it through this gateway).
Kind = "exported-services"
Name = "default"
Services = [
  {
    Name      = "echo"
    Consumers = [{ Peer = "dc2" }]
  }
]
