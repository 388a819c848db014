# meshgw-control's own config, every setting with its default when it has one.
#
#   meshgw-control agent -config configs/control/control.hcl
#
# Relative folders and files (data_dir, config_dir, token_file) are relative to this file's folder.
# An error names the place: "control.hcl:7:10: source: "etcd" is not one of "file", "consul"".

datacenter = "gcp-dc2"   # required: this datacenter's name (a DNS label)
partition  = "default"   # default "default" (Consul CE has one partition)

# The CA's cluster ID: the trust domain is <cluster_id>.consul. Required with source = "file";
# each datacenter has its own (peers never share a trust domain).
cluster_id = "aaaaaaaa-2222-3333-4444-555555555555"

data_dir   = "data"      # the embedded CA's root (ca/) and the peerings (peering/); "" = in memory
config_dir = "consul.d"  # config entries and service definitions (.hcl) for the file source;
                         # re-read when a file changes; `config write` adds files here
source     = "file"      # "file" (default) or "consul"

grpc_address    = "127.0.0.1:8510"  # default: ADS for the gateways, the control API, gRPC health
peering_address = "127.0.0.1:8503"  # default: the peering service (TLS, embedded CA certificate
                                    # with DNS SAN server.<dc>.peering.<trust domain>)

# Which gateways may fetch their configuration: one block per token; `nodes` are the mesh
# gateways' service IDs (the gateway's node.id), "*" is any. No block: any gateway may connect.
gateway_tokens {
  token = "dc2-gateway-secret"   # or token_file = "gateway.token"
  nodes = ["mesh-gateway-dc2"]
}

# Tokens of the CLI (MESHGW_CONTROL_TOKEN). None: the control API is open, which is only allowed
# when grpc_address is a loopback address.
control_tokens = ["dc2-operator-secret"]

log_level     = "info"  # debug | info | warn | error (default info)
poll_interval = "1s"    # how often config_dir is checked for changes (default 1s)
leaf_cert_ttl = "72h"   # embedded CA leaves; re-issued and pushed after about half (default 72h)
