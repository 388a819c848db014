// GatewayServer: the meshgw process — workers, the configuration (static section and xDS), the
// admin and metrics endpoints, reload and drain.
//
//   GatewayServer server(bootstrap);
//   if (absl::Status s = server.Start(); !s.ok()) { ... exit 1 ... }   // names what failed
//   ... SIGHUP → server.Reload(LoadBootstrap(path)) ... SIGTERM → server.Drain(); server.Stop();
//
// Configuration flow: the static resources of the bootstrap file and the xDS client's resources
// are merged (a name declared both ways is an error), translated into one Snapshot
// (config/translate.h), turned into live objects (ActiveConfig: listening sockets, TLS contexts,
// endpoint state) and handed to every worker. Any error on the way rejects the update — an xDS
// update is NACKed with the reason — and the last good configuration keeps serving.
//
// Thread-safety: Start, Reload, Drain and Stop are called from the main thread; the xDS client
// and the admin server call in from their own threads (an internal mutex orders updates).
#ifndef MESHGW_GATEWAY_PROXY_GATEWAY_SERVER_H_
#define MESHGW_GATEWAY_PROXY_GATEWAY_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "common/metrics.h"
#include "gateway/admin/admin_endpoints.h"
#include "gateway/admin/http_server.h"
#include "gateway/config/bootstrap.h"
#include "gateway/config/translate.h"
#include "gateway/proxy/active_config.h"
#include "gateway/proxy/gateway_metrics.h"
#include "gateway/proxy/worker.h"
#include "gateway/tls/verified_chain_cache.h"
#include "gateway/upstream/cluster_state_registry.h"
#include "xds/client.h"

namespace meshgw::gateway::proxy {

class GatewayServer {
 public:
  explicit GatewayServer(config::Bootstrap bootstrap);
  ~GatewayServer();
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  // Start opens the admin and metrics endpoints, starts the workers, installs the static
  // configuration and starts the xDS client. An error (a port in use, a bad certificate) names
  // the listener or address; nothing is left running then.
  absl::Status Start();

  // Reload applies a re-read bootstrap file: log settings and the static section. Node, xDS,
  // admin, metrics, workers and limits need a restart (a warning says so when they changed).
  absl::Status Reload(config::Bootstrap bootstrap);

  // Drain stops accepting everywhere and waits until no connection is open or `timeout` passed;
  // returns the connections still open.
  uint64_t Drain(absl::Duration timeout);
  void Stop();

  uint64_t active_connections() const;
  const config::Bootstrap& bootstrap() const { return bootstrap_; }
  // The admin port actually bound (useful with port 0).
  uint16_t admin_port() const { return admin_.port(); }

 private:
  // Rebuilds the translation input from static + xDS resources, then installs it (mu_ held):
  // at start and when the static section changes.
  absl::Status ApplyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Translates `input` and installs the snapshot (mu_ held). On error nothing changes.
  absl::Status InstallLocked(const config::TranslateInput& input)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status OnXdsUpdate(const xds::ClientUpdate& update);
  void RegisterAdminHandlers();
  absl::Status StartXds();
  std::shared_ptr<const ActiveConfig> current() const;

  config::Bootstrap bootstrap_;
  uint32_t workers_count_;
  metrics::Registry registry_;
  GatewayMetrics metrics_;
  std::unique_ptr<AccessLog> access_log_;
  tls::VerifiedChainCache chain_cache_;
  upstream::ClusterStateRegistry cluster_states_;
  std::atomic<uint64_t> process_connections_{0};
  std::vector<std::unique_ptr<Worker>> workers_;

  admin::HttpServer admin_;
  admin::HttpServer metrics_server_;
  std::unique_ptr<admin::AdminEndpoints> admin_endpoints_;
  std::unique_ptr<xds::Client> xds_;

  mutable absl::Mutex mu_;
  config::Translator translator_ ABSL_GUARDED_BY(mu_);
  config::TranslateInput static_input_ ABSL_GUARDED_BY(mu_);
  // The xDS client's last good set of each type, kept up to date by each update's changes.
  absl::flat_hash_map<std::string, xds::ResourceMap> xds_resources_ ABSL_GUARDED_BY(mu_);
  // What the installed snapshot was translated from: static + xDS. An xDS update patches the
  // names it changed (a one-service change does not rebuild 37,000 entries).
  config::TranslateInput input_ ABSL_GUARDED_BY(mu_);
  bool listeners_received_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_version_ ABSL_GUARDED_BY(mu_) = 1;
  std::shared_ptr<const ActiveConfig> current_ ABSL_GUARDED_BY(mu_);
  absl::Duration last_apply_ ABSL_GUARDED_BY(mu_);

  std::atomic<bool> draining_{false};  // SIGTERM (the admin's drain_listeners has its own flag)
};

}  // namespace meshgw::gateway::proxy

#endif  // MESHGW_GATEWAY_PROXY_GATEWAY_SERVER_H_
