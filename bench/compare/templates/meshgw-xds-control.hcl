# meshgw-control for the meshgw-xds row: the file source (config/ holds the mesh gateway's and the
# echo service's registrations and config entries), the bench PKI's trust domain and datacenter
# dc1. With a terminate scenario a second one, for datacenter dc2 (the consuming peer, another
# trust domain), runs from this template too. data_dir keeps the CA root (data/ca/root.pem: the
# root the load tool verifies the gateway with; for dc2 also the key its client leaf is signed
# with) and the peerings. Written by bench/compare from this template; the ${...} are filled in.
datacenter      = "${datacenter}"
cluster_id      = "${cluster_id}"
data_dir        = "data"
config_dir      = "config"
source          = "file"
grpc_address    = "127.0.0.1:${grpc_port}"
peering_address = "127.0.0.1:${peering_port}"
log_level       = "warn"
# churn-latency registers and deregisters a service every 100 ms.
poll_interval = "50ms"
