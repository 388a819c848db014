// The gateway's admin API (Envoy's paths) on an HttpServer. The parts that need the snapshot,
// the workers or the upstreams come in as hooks, so this library stays free of them.
//
//   admin::HttpServer server({.name = "admin"});
//   admin::AdminEndpoints endpoints(server, registry, {
//       .state = [&] { return snapshot_complete() ? "LIVE" : "INITIALIZING"; },
//       .clusters = [&](const admin::HttpRequest&) { return ClustersText(); },
//       .drain_listeners = [&] { workers.StopAccepting(); },
//   });
//   server.Start(bootstrap.admin_address);
//
// Paths (a hook left empty leaves its path out, so it answers 404):
//   GET  /                    this list
//   GET  /ready               200 "LIVE" when state() is "LIVE" and no /healthcheck/fail is in
//                             force; otherwise 503 with the state ("INITIALIZING", "DRAINING")
//   GET  /stats, /stats/prometheus    the registry (see stats_handlers.h)
//   GET  /clusters, /config_dump, /listeners    the hooks' responses
//   POST /drain_listeners     the hook, then the state reads "DRAINING"
//   POST /healthcheck/fail, POST /healthcheck/ok    fail or restore /ready
//   POST /logging?level=debug the process logger's level
//   POST /reopen_logs         reopens the process logger's file and the access log
//
// Thread-safety: handlers run on the server's thread; hooks are called from it and must be
// thread-safe with respect to the rest of the process. healthcheck_failed() and draining() may be
// read from any thread.
#ifndef MESHGW_GATEWAY_ADMIN_ADMIN_ENDPOINTS_H_
#define MESHGW_GATEWAY_ADMIN_ADMIN_ENDPOINTS_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/log.h"
#include "common/metrics.h"
#include "gateway/admin/http_server.h"

namespace meshgw::admin {

struct AdminHooks {
  // The server's state for /ready: "LIVE" when it serves a complete snapshot.
  // (Initialized so that designated initializers may leave any of them out.)
  std::function<std::string()> state = nullptr;
  std::function<HttpResponse(const HttpRequest&)> clusters = nullptr;
  std::function<HttpResponse(const HttpRequest&)> config_dump = nullptr;  // secrets redacted
  std::function<HttpResponse(const HttpRequest&)> listeners = nullptr;
  std::function<void()> drain_listeners = nullptr;
  AccessLog* access_log = nullptr;  // reopened by /reopen_logs when set
};

class AdminEndpoints {
 public:
  // Registers the paths on `server` (before or after it starts). `registry` and `server` must
  // outlive this object's use by the server, and this object must outlive the server's handlers
  // (stop the server first).
  AdminEndpoints(HttpServer& server, const metrics::Registry& registry, AdminHooks hooks);

  bool healthcheck_failed() const { return healthcheck_failed_.load(std::memory_order_acquire); }
  bool draining() const { return draining_.load(std::memory_order_acquire); }

 private:
  void Add(std::string method, std::string path, std::string help, HttpHandler handler);
  HttpResponse Ready() const;
  HttpResponse Index() const;

  HttpServer& server_;
  const AdminHooks hooks_;
  std::vector<std::pair<std::string, std::string>> index_;  // "GET /ready", help; set at start
  std::atomic<bool> healthcheck_failed_{false};
  std::atomic<bool> draining_{false};
};

}  // namespace meshgw::admin

#endif  // MESHGW_GATEWAY_ADMIN_ADMIN_ENDPOINTS_H_
