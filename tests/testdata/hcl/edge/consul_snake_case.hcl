kind = "mesh"
peering {
  peer_through_mesh_gateways = true
}
