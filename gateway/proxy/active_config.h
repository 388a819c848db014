// ActiveConfig: a Snapshot plus the live objects the data path needs for it — the TLS contexts of
// the terminating chains and of the originating clusters, the clusters' shared endpoint state,
// the listening sockets, and the counters of every chain and cluster.
//
// Built on the main thread when a snapshot is installed (config/translate.h made the snapshot),
// from the previous ActiveConfig so that what did not change is reused: the listening sockets of
// a listener whose address is the same, the endpoint state (ejections, active counts), the TLS
// contexts of chains and clusters whose TLS settings are identical (session tickets keep working
// across updates). Workers then swap to it; each connection keeps the ActiveConfig it started
// with.
//
// Thread-safety: immutable after Build, except the atomics it holds (counters, endpoint state).
#ifndef MESHGW_GATEWAY_PROXY_ACTIVE_CONFIG_H_
#define MESHGW_GATEWAY_PROXY_ACTIVE_CONFIG_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/metrics.h"
#include "gateway/config/snapshot.h"
#include "gateway/tls/client_context.h"
#include "gateway/tls/server_context.h"
#include "gateway/tls/verified_chain_cache.h"
#include "gateway/upstream/cluster_state.h"
#include "gateway/upstream/cluster_state_registry.h"

namespace meshgw::gateway::proxy {

class GatewayMetrics;

// The listening sockets of one listener: one SO_REUSEPORT socket per worker. Worker i takes
// fds[i] and closes it when the listener goes away.
struct ListenerSockets {
  config::SocketAddress address;
  std::vector<int> fds;
};

struct ChainRuntime {
  const config::FilterChain* chain = nullptr;
  std::shared_ptr<tls::ServerTlsContext> server_tls;  // when chain->tls
  // connection_limit: connections through this chain now (shared by workers).
  std::shared_ptr<std::atomic<uint64_t>> active;
  // Counters labelled with the chain (route) name.
  metrics::Counter* authz_allowed = nullptr;
  metrics::Counter* authz_denied = nullptr;
  metrics::Counter* connections = nullptr;
  uint64_t tls_key = 0;  // hash of the TLS settings, to reuse server_tls across configs
};

struct ListenerRuntime {
  const config::Listener* listener = nullptr;
  std::shared_ptr<ListenerSockets> sockets;
  std::vector<ChainRuntime> chains;  // same indexes as listener->chains
  std::unique_ptr<ChainRuntime> default_chain;
  metrics::Counter* unknown_sni = nullptr;
  metrics::Counter* connections = nullptr;

  const ChainRuntime* ChainFor(const config::FilterChain* chain) const;
};

struct ClusterRuntime {
  std::shared_ptr<upstream::ClusterState> state;
  std::shared_ptr<tls::ClientTlsContext> client_tls;  // when the cluster originates TLS
  // One per Cluster::transport_socket_matches entry (same indexes); null for a plain TCP entry.
  std::vector<std::shared_ptr<tls::ClientTlsContext>> match_tls;
  metrics::Counter* connect_failures = nullptr;
  metrics::Counter* connect_timeouts = nullptr;
  metrics::Counter* overflows = nullptr;
  metrics::Counter* no_healthy = nullptr;
  uint64_t tls_key = 0;
  std::vector<uint64_t> match_tls_keys;  // same indexes as match_tls

  // ClientTlsFor(endpoint): the TLS context for a connection to `endpoint` (its transport socket
  // match's, else the cluster's); nullptr for plain TCP.
  tls::ClientTlsContext* ClientTlsFor(const config::Endpoint& endpoint) const;
};

struct ActiveConfig {
  config::SnapshotPtr snapshot;
  absl::flat_hash_map<std::string, std::unique_ptr<ListenerRuntime>> listeners;
  // A SharedMap like the snapshot's: a build starts from the previous config's runtimes (shard
  // pointers) and builds only those of the clusters whose object changed, so an update of one
  // cluster among 20,000 costs one runtime. A runtime is immutable once built and shared by the
  // configs that have the same cluster object.
  SharedMap<std::shared_ptr<const ClusterRuntime>> clusters;
  bool with_metrics = false;  // built with BuildOptions::metrics (its runtimes have counters)

  const ClusterRuntime* FindCluster(std::string_view name) const;
};

struct BuildOptions {
  uint32_t workers = 1;
  GatewayMetrics* metrics = nullptr;
  tls::VerifiedChainCache* chain_cache = nullptr;
  upstream::ClusterStateRegistry* cluster_states = nullptr;
};

// BuildActiveConfig makes the live objects of `snapshot`, reusing what `previous` (may be null)
// already has. Errors name the resource: `Listener "mesh" chain "api": certificate: ...`,
// `listener "mesh": bind 0.0.0.0:8443: Address already in use`; on error nothing changes.
absl::StatusOr<std::shared_ptr<const ActiveConfig>> BuildActiveConfig(config::SnapshotPtr snapshot,
                                                                      const ActiveConfig* previous,
                                                                      const BuildOptions& options);

}  // namespace meshgw::gateway::proxy

#endif  // MESHGW_GATEWAY_PROXY_ACTIVE_CONFIG_H_
