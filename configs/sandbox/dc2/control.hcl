# meshgw-control for datacenter gcp-dc2 of the two-datacenter sandbox (./run sandbox), in place of
# DC2's Consul servers. The sandbox copies this folder to build/sandbox/dc2/ and runs
#   meshgw-control agent -config build/sandbox/dc2/control.hcl
# Relative folders resolve against this file's folder.
datacenter = "gcp-dc2"
# Trust domain 22222222-2222-4222-8222-222222222222.consul (DC1 has its own: peers never share one).
cluster_id = "22222222-2222-4222-8222-222222222222"
data_dir   = "data"   # the CA root and the peerings
config_dir = "config" # config entries and service definitions; `config write` adds files here
source     = "file"

# DC2's loopback range is 127.0.2.x (DC1: 127.0.1.x), so both sides use the usual ports.
grpc_address    = "127.0.2.1:8510" # ADS for the gateway, the control API for the CLI
peering_address = "127.0.2.1:8503" # the peering service (TLS), reached through the gateways

gateway_tokens {
  token = "sandbox-dc2-gateway"
  nodes = ["mesh-gateway-dc2"]
}
control_tokens = ["sandbox-dc2-operator"]

poll_interval = "250ms" # the sandbox deregisters a service by removing its file
