# meshgw-control fed by a Consul datacenter over its HTTP API instead of HCL files.
#
#   CONSUL_HTTP_TOKEN=... meshgw-control agent -config configs/control/consul-source.hcl
#
# The CONSUL_* environment variables apply (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN(_FILE),
# CONSUL_HTTP_SSL, CONSUL_CACERT, CONSUL_CLIENT_CERT/KEY, CONSUL_TLS_SERVER_NAME). Config entries,
# services, peerings and CA roots come from Consul (the trust domain too, so no cluster_id);
# peerings are Consul's (`consul peering ...`), `config write` is `consul config write`.
datacenter = "gcp-dc1"
source     = "consul"
data_dir   = "data"  # the embedded CA that signs the mesh gateway leaf (Consul's API cannot)

consul {
  address               = "127.0.0.1:8500"  # else CONSUL_HTTP_ADDR
  wait                  = "5m"              # blocking query wait (at most 10m)
  peering_poll_interval = "5s"              # /v1/peerings is not blocking: polled
}

gateway_tokens {
  token_file = "gateway.token"
  nodes      = ["*"]
}
