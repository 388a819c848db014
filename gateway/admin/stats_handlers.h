// The admin and metrics endpoints that render a metrics registry:
//   GET /stats               Envoy-like "listener.mesh.cx_total: 12" lines
//   GET /stats?format=json   {"stats":[{"name":...,"value":...}]}
//   GET /stats?format=prometheus, GET /stats/prometheus, GET /metrics   Prometheus text 0.0.4
// `/stats` also takes `filter=<substring>` (only stats whose name contains it).
//
//   admin::HttpServer admin({.name = "admin"});
//   admin::AddStatsHandlers(admin, registry);      // /stats, /stats/prometheus
//   admin::HttpServer metrics({.name = "metrics"});
//   admin::AddMetricsHandler(metrics, registry);   // /metrics
//
// Thread-safety: the handlers only read the registry, which is thread-safe; the registry must
// outlive the server.
#ifndef MESHGW_GATEWAY_ADMIN_STATS_HANDLERS_H_
#define MESHGW_GATEWAY_ADMIN_STATS_HANDLERS_H_

#include "common/metrics.h"
#include "gateway/admin/http_server.h"

namespace meshgw::admin {

// The Content-Type of Prometheus' text exposition format.
inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

void AddStatsHandlers(HttpServer& server, const metrics::Registry& registry);
void AddMetricsHandler(HttpServer& server, const metrics::Registry& registry);

// The /stats response for a request (exposed for tests and for other servers).
HttpResponse StatsResponse(const HttpRequest& request, const metrics::Registry& registry);

}  // namespace meshgw::admin

#endif  // MESHGW_GATEWAY_ADMIN_STATS_HANDLERS_H_
