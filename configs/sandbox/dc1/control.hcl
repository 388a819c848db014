# meshgw-control for datacenter gcp-dc1 of the two-datacenter sandbox (./run sandbox), in place of
# DC1's Consul servers. The sandbox copies this folder to build/sandbox/dc1/ and runs
#   meshgw-control agent -config build/sandbox/dc1/control.hcl
# Relative folders resolve against this file's folder.
datacenter = "gcp-dc1"
# Trust domain 11111111-1111-4111-8111-111111111111.consul (DC2 has its own: peers never share one).
cluster_id = "11111111-1111-4111-8111-111111111111"
data_dir   = "data"   # the CA root and the peerings
config_dir = "config" # config entries and service definitions; `config write` adds files here
source     = "file"

# DC1's loopback range is 127.0.1.x (DC2: 127.0.2.x), so both sides use the usual ports.
grpc_address    = "127.0.1.1:8510" # ADS for the gateway, the control API for the CLI
peering_address = "127.0.1.1:8503" # the peering service (TLS), reached through the gateways

gateway_tokens {
  token = "sandbox-dc1-gateway"
  nodes = ["mesh-gateway-dc1"]
}
control_tokens = ["sandbox-dc1-operator"]

poll_interval = "250ms" # the sandbox deregisters a service by removing its file
