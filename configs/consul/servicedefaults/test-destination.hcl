Kind     = "service-defaults"
Name     = "test-destination"
Protocol = "tcp"
Destination {
  Addresses = ["10.2.0.4", "10.2.0.18"]
  Port      = 80
}
