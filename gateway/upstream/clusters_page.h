// The admin `/clusters` page of the upstream state: Envoy-like text lines and JSON.
//
//   std::vector<ClusterStatus> all = registry.Current()->Status(absl::Now());
//   RenderClustersText(all) ==
//     "public-api::default_priority::max_connections::1024\n"
//     "public-api::upstream_cx_active::3\n" ...
//     "public-api::127.0.0.1:9001::cx_active::3\n" ...
//     "public-api::127.0.0.1:9001::health_flags::healthy\n" ...
//
// Per cluster (text): default_priority::max_connections, upstream_cx_active,
// upstream_cx_overflow, upstream_cx_total, upstream_cx_connect_fail, upstream_cx_connect_timeout,
// outlier_detection_ejections_total, outlier_detection_ejections_overflow. Per endpoint:
// hostname, cx_active, cx_total, cx_connect_fail, cx_connect_timeout, outlier_ejections_total,
// ejection_count, ejected, health_flags, weight, priority. health_flags is Envoy's: "healthy", or
// "/failed_outlier_check" (ejected), "/failed_eds_health" (UNHEALTHY, TIMEOUT),
// "/degraded_eds_health", "/eds_status_draining", concatenated in that order.
//
// The JSON keeps the shape of Envoy's /clusters?format=json (cluster_statuses, host_statuses with
// socket_address, stats as name/value pairs with uint64 values as strings, health_status), plus
// our outlier fields.
//
// Thread-safety: pure functions.
#ifndef MESHGW_GATEWAY_UPSTREAM_CLUSTERS_PAGE_H_
#define MESHGW_GATEWAY_UPSTREAM_CLUSTERS_PAGE_H_

#include <string>

#include "absl/types/span.h"
#include "gateway/upstream/cluster_state.h"

namespace meshgw::gateway::upstream {

// HealthFlags(e) == "healthy" for a HEALTHY or UNKNOWN endpoint that is not ejected.
std::string HealthFlags(const EndpointStatus& e);

std::string RenderClustersText(absl::Span<const ClusterStatus> clusters);
std::string RenderClustersJson(absl::Span<const ClusterStatus> clusters);

}  // namespace meshgw::gateway::upstream

#endif  // MESHGW_GATEWAY_UPSTREAM_CLUSTERS_PAGE_H_
