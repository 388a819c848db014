# meshgw-control for the meshgw-xds row: the file source (config/ holds the mesh gateway's and the
# echo service's registrations), the bench PKI's trust domain and datacenter dc1, state in memory.
# Written by bench/compare from this template; the ${...} are filled in.
datacenter      = "dc1"
cluster_id      = "${cluster_id}"
data_dir        = ""
config_dir      = "config"
source          = "file"
grpc_address    = "127.0.0.1:${grpc_port}"
peering_address = "127.0.0.1:${peering_port}"
log_level       = "warn"
# churn-latency registers and deregisters a service every 100 ms.
poll_interval = "50ms"
