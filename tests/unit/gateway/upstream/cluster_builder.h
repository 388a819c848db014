// Test helpers: config::Cluster values built by hand (addresses filled with inet_pton, so the
// tests do not depend on the config translation), and shorthands to pick and report.
#ifndef MESHGW_TESTS_UNIT_GATEWAY_UPSTREAM_CLUSTER_BUILDER_H_
#define MESHGW_TESTS_UNIT_GATEWAY_UPSTREAM_CLUSTER_BUILDER_H_

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gateway/config/snapshot.h"
#include "gateway/upstream/cluster_state.h"
#include "gateway/upstream/endpoint_picker.h"
#include "gtest/gtest.h"

namespace meshgw::gateway::upstream::testing {

// 127.0.0.1:<port>, or [::1]:<port> with `v6`.
inline config::SocketAddress Loopback(uint16_t port, bool v6 = false) {
  config::SocketAddress a;
  a.port = port;
  if (v6) {
    a.host = "::1";
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    EXPECT_EQ(inet_pton(AF_INET6, "::1", &in6->sin6_addr), 1);
    a.length = sizeof(sockaddr_in6);
  } else {
    a.host = "127.0.0.1";
    auto* in = reinterpret_cast<sockaddr_in*>(&a.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    EXPECT_EQ(inet_pton(AF_INET, "127.0.0.1", &in->sin_addr), 1);
    a.length = sizeof(sockaddr_in);
  }
  return a;
}

inline config::Endpoint Ep(uint16_t port,
                           config::HealthStatus health = config::HealthStatus::kHealthy,
                           uint32_t weight = 1) {
  config::Endpoint e;
  e.address = Loopback(port);
  e.health = health;
  e.weight = weight;
  return e;
}

// A cluster with one priority level per element of `levels` (priorities 0, 1, ...).
inline std::shared_ptr<config::Cluster> MakeCluster(
    std::string name, std::vector<std::vector<config::Endpoint>> levels,
    config::LbPolicy policy = config::LbPolicy::kRoundRobin) {
  auto c = std::make_shared<config::Cluster>();
  c->name = std::move(name);
  c->lb_policy = policy;
  for (size_t i = 0; i < levels.size(); ++i) {
    c->priorities.push_back(
        {.priority = static_cast<uint32_t>(i), .endpoints = std::move(levels[i])});
  }
  return c;
}

// Outlier detection on: `failures` consecutive failures eject for 30 s × count (max 300 s),
// count decays every 10 s, up to `percent` of the endpoints.
inline void EnableOutlier(config::Cluster& c, uint32_t failures, uint32_t percent = 100) {
  c.outlier.enabled = true;
  c.outlier.consecutive_failures = failures;
  c.outlier.interval = absl::Seconds(10);
  c.outlier.base_ejection_time = absl::Seconds(30);
  c.outlier.max_ejection_time = absl::Seconds(300);
  c.outlier.max_ejection_percent = percent;
}

// The port of the picked endpoint, or -1 with the error name printed on failure.
inline int Port(const ClusterState& s, const PickResult& p) {
  if (!p.ok()) return -1;
  return s.endpoint(p.endpoint).address.port;
}

// Picks `n` times, each connection closed at once; the ports in order (-1 for a failed pick).
inline std::vector<int> PickPorts(EndpointPicker& picker, ClusterState& s, absl::Time now, int n) {
  std::vector<int> ports;
  for (int i = 0; i < n; ++i) {
    PickResult p = picker.Pick(s, now);
    ports.push_back(Port(s, p));
    if (p.ok()) s.OnConnectionClosed(p.endpoint);
  }
  return ports;
}

// The index of the endpoint with `port` (the first one), or -1.
inline int IndexOf(const ClusterState& s, uint16_t port) {
  for (EndpointIndex i = 0; i < s.endpoint_count(); ++i) {
    if (s.endpoint(i).address.port == port) return static_cast<int>(i);
  }
  return -1;
}

// Reserves a connection to the endpoint with `port` (a pick with every other endpoint excluded);
// its index, or -1 when that endpoint cannot be picked.
inline int Reserve(EndpointPicker& picker, ClusterState& s, uint16_t port, absl::Time now) {
  const int want = IndexOf(s, port);
  std::vector<EndpointIndex> others;
  for (EndpointIndex i = 0; i < s.endpoint_count(); ++i) {
    if (static_cast<int>(i) != want) others.push_back(i);
  }
  PickResult p = picker.Pick(s, now, others);
  if (!p.ok()) return -1;
  EXPECT_EQ(static_cast<int>(p.endpoint), want);
  return static_cast<int>(p.endpoint);
}

// Fails `n` connects in a row to the endpoint with `port`, each reserved first.
inline void FailConnects(EndpointPicker& picker, ClusterState& s, uint16_t port, int n,
                         absl::Time now, bool timeout = false) {
  for (int k = 0; k < n; ++k) {
    const int i = Reserve(picker, s, port, now);
    ASSERT_GE(i, 0) << "endpoint " << port << " cannot be picked (failure " << k + 1 << ")";
    s.OnConnectFailure(static_cast<EndpointIndex>(i), now, timeout);
  }
}

inline const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

}  // namespace meshgw::gateway::upstream::testing

#endif  // MESHGW_TESTS_UNIT_GATEWAY_UPSTREAM_CLUSTER_BUILDER_H_
