// GatewayMetrics: the gateway's counters and gauges, declared once (the list macros below are the
// one place their names live) and registered in the process's metrics registry.
//
//   GatewayMetrics m(registry);
//   m.downstream_cx_total->Inc();                 // meshgw_downstream_cx_total
//   m.HelloError("not_tls")->Inc();               // meshgw_hello_errors_total{reason="not_tls"}
//   m.ForChain("mesh", "api").authz_denied->Inc();  //
//   meshgw_authz_total{route="api",decision="deny"}
//
// Per-label counters for routes and clusters are looked up when a config is installed
// (ActiveConfig keeps the pointers), never on the data path. Failure counters by reason are looked
// up when the failure happens (a map lookup under the family's lock: failures are not the hot
// path).
//
// Thread-safety: as metrics::Registry — counters are safe from any thread.
#ifndef MESHGW_GATEWAY_PROXY_GATEWAY_METRICS_H_
#define MESHGW_GATEWAY_PROXY_GATEWAY_METRICS_H_

#include <array>
#include <string_view>

#include "common/metrics.h"
#include "gateway/proxy/connection.h"

namespace meshgw::gateway::proxy {

#define MESHGW_GATEWAY_STATS(COUNTER, GAUGE)                                                    \
  COUNTER(downstream_cx_total, "Downstream connections accepted")                               \
  GAUGE(downstream_cx_active, "Downstream connections open")                                    \
  COUNTER(downstream_cx_overflow, "Connections refused over limits.max_connections")            \
  COUNTER(bytes_from_downstream, "Bytes received from downstream clients")                      \
  COUNTER(bytes_to_downstream, "Bytes sent to downstream clients")                              \
  COUNTER(unknown_sni, "Connections closed because no filter chain matched their SNI")          \
  COUNTER(hello_timeouts, "Connections closed because the ClientHello did not arrive in time")  \
  COUNTER(idle_timeouts, "Connections closed by the tcp_proxy idle timeout")                    \
  COUNTER(connection_limited, "Connections refused by a chain's connection_limit")              \
  COUNTER(no_cluster, "Connections whose chain named a cluster the config does not have")       \
  COUNTER(handshakes, "Downstream TLS handshakes completed")                                    \
  COUNTER(handshakes_resumed, "Downstream TLS handshakes completed by session resumption")      \
  GAUGE(config_version, "Version of the installed snapshot (increases by one per update)")      \
  GAUGE(config_complete, "1 when the installed snapshot is complete (every reference present)") \
  GAUGE(config_apply_microseconds, "Time the last configuration update took to apply")          \
  GAUGE(config_listeners, "Listeners in the installed snapshot")                                \
  GAUGE(config_clusters, "Clusters in the installed snapshot")                                  \
  GAUGE(workers, "Worker event loops")

MESHGW_STATS_STRUCT(GatewayStats, MESHGW_GATEWAY_STATS);

class GatewayMetrics : public GatewayStats {
 public:
  explicit GatewayMetrics(metrics::Registry& registry);

  metrics::Registry& registry() { return registry_; }

  metrics::Counter* HelloError(std::string_view reason);
  metrics::Counter* HandshakeFailure(std::string_view reason);
  metrics::Counter* UpstreamHandshakeFailure(std::string_view reason);
  metrics::Counter* CloseReasonCounter(CloseReason reason) {
    return close_reasons_[static_cast<size_t>(reason)];
  }

  // Per-route and per-cluster counters, for ActiveConfig.
  metrics::CounterFamily& authz() { return *authz_; }
  metrics::CounterFamily& route_connections() { return *route_connections_; }
  metrics::CounterFamily& listener_connections() { return *listener_connections_; }
  metrics::CounterFamily& listener_unknown_sni() { return *listener_unknown_sni_; }
  metrics::CounterFamily& cluster_connect_failures() { return *cluster_connect_failures_; }
  metrics::CounterFamily& cluster_connect_timeouts() { return *cluster_connect_timeouts_; }
  metrics::CounterFamily& cluster_overflows() { return *cluster_overflows_; }
  metrics::CounterFamily& cluster_no_healthy() { return *cluster_no_healthy_; }

 private:
  metrics::Registry& registry_;
  metrics::CounterFamily* hello_errors_;
  metrics::CounterFamily* handshake_failures_;
  metrics::CounterFamily* upstream_handshake_failures_;
  std::array<metrics::Counter*, kCloseReasonCount> close_reasons_{};
  metrics::CounterFamily* authz_;
  metrics::CounterFamily* route_connections_;
  metrics::CounterFamily* listener_connections_;
  metrics::CounterFamily* listener_unknown_sni_;
  metrics::CounterFamily* cluster_connect_failures_;
  metrics::CounterFamily* cluster_connect_timeouts_;
  metrics::CounterFamily* cluster_overflows_;
  metrics::CounterFamily* cluster_no_healthy_;
};

}  // namespace meshgw::gateway::proxy

#endif  // MESHGW_GATEWAY_PROXY_GATEWAY_METRICS_H_
