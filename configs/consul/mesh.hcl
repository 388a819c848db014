# Both datacenters: peering control-plane traffic goes through the mesh gateways.
Kind = "mesh"
Peering {
  PeerThroughMeshGateways = true
}
