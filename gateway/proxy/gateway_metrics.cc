#include "gateway/proxy/gateway_metrics.h"

#include "absl/strings/str_cat.h"

namespace meshgw::gateway::proxy {

GatewayMetrics::GatewayMetrics(metrics::Registry& registry)
    : GatewayStats(GatewayStats::Create(registry, "meshgw_", {}, {})), registry_(registry) {
  hello_errors_ = &registry.Counter("meshgw_hello_errors_total", "ClientHellos rejected, by reason",
                                    {"reason"});
  handshake_failures_ = &registry.Counter(
      "meshgw_handshake_failures_total", "Downstream TLS handshakes failed, by reason", {"reason"});
  upstream_handshake_failures_ =
      &registry.Counter("meshgw_upstream_handshake_failures_total",
                        "Upstream (originated) TLS handshakes failed, by reason", {"reason"});
  auto& closes = registry.Counter("meshgw_downstream_cx_closed_total",
                                  "Downstream connections closed, by reason", {"reason"});
  for (size_t i = 0; i < kCloseReasonCount; ++i) {
    close_reasons_[i] = closes.Get({CloseReasonName(static_cast<CloseReason>(i))});
  }
  authz_ = &registry.Counter("meshgw_authz_total",
                             "RBAC (intention) decisions on terminated connections",
                             {"route", "decision"});
  route_connections_ =
      &registry.Counter("meshgw_route_cx_total", "Connections per filter chain", {"route"});
  listener_connections_ =
      &registry.Counter("meshgw_listener_cx_total", "Connections per listener", {"listener"});
  listener_unknown_sni_ = &registry.Counter("meshgw_listener_unknown_sni_total",
                                            "Unknown-SNI closes per listener", {"listener"});
  cluster_connect_failures_ = &registry.Counter("meshgw_upstream_cx_connect_fail_total",
                                                "Upstream connect failures", {"cluster"});
  cluster_connect_timeouts_ = &registry.Counter("meshgw_upstream_cx_connect_timeout_total",
                                                "Upstream connect timeouts", {"cluster"});
  cluster_overflows_ =
      &registry.Counter("meshgw_upstream_cx_overflow_total",
                        "Connections refused by the cluster's max_connections", {"cluster"});
  cluster_no_healthy_ = &registry.Counter(
      "meshgw_upstream_cx_none_healthy_total",
      "Connections closed because the cluster had no healthy endpoint", {"cluster"});
}

metrics::Counter* GatewayMetrics::HelloError(std::string_view reason) {
  return hello_errors_->Get({reason});
}

metrics::Counter* GatewayMetrics::HandshakeFailure(std::string_view reason) {
  return handshake_failures_->Get({reason});
}

metrics::Counter* GatewayMetrics::UpstreamHandshakeFailure(std::string_view reason) {
  return upstream_handshake_failures_->Get({reason});
}

}  // namespace meshgw::gateway::proxy
