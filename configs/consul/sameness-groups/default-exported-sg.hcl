# DC2, sameness variant: export the APIs to every member of the sameness group.
Kind = "exported-services"
Name = "default"
Services = [
  {
    Name      = "public-api"
    Consumers = [{ SamenessGroup = "api-services" }]
  },
  {
    Name      = "private-api"
    Consumers = [{ SamenessGroup = "api-services" }]
  }
]
