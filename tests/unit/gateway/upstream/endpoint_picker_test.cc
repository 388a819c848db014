// EndpointPicker: round robin (plain and weighted), least-request, random, failover across
// priorities, health, the exclude list, the circuit breaker, and no allocation on the pick path.
#include "gateway/upstream/endpoint_picker.h"

#include <map>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/gateway/testing/count_allocations.h"
#include "tests/unit/gateway/upstream/cluster_builder.h"

namespace meshgw::gateway::upstream {
namespace {

using config::HealthStatus;
using config::LbPolicy;
using testing::Ep;
using testing::kT0;
using testing::MakeCluster;
using testing::PickPorts;
using testing::Port;
using V = std::vector<int>;

TEST(EndpointPickerTest, RoundRobinInOrder) {
  auto s = ClusterState::Create(MakeCluster("api", {{Ep(9001), Ep(9002), Ep(9003)}}), 2);
  EndpointPicker w0(0);
  EXPECT_EQ(PickPorts(w0, *s, kT0, 7), (V{9001, 9002, 9003, 9001, 9002, 9003, 9001}));
  // Worker 1 starts its rotation one endpoint further.
  EndpointPicker w1(1);
  EXPECT_EQ(PickPorts(w1, *s, kT0, 4), (V{9002, 9003, 9001, 9002}));
  // Each worker keeps its own cursor.
  EXPECT_EQ(PickPorts(w0, *s, kT0, 2), (V{9002, 9003}));
  // A worker index beyond the state's workers wraps around (here onto worker 1's slot).
  EndpointPicker w3(3);
  EXPECT_EQ(PickPorts(w3, *s, kT0, 2), (V{9003, 9001}));
}

TEST(EndpointPickerTest, RoundRobinSkipsEndpointsThatDoNotReceiveTraffic) {
  auto s = ClusterState::Create(
      MakeCluster("api", {{Ep(9001, HealthStatus::kUnhealthy), Ep(9002, HealthStatus::kUnknown),
                           Ep(9003, HealthStatus::kDraining), Ep(9004, HealthStatus::kHealthy),
                           Ep(9005, HealthStatus::kDegraded), Ep(9006, HealthStatus::kTimeout)}}),
      1);
  EndpointPicker w(0);
  EXPECT_EQ(PickPorts(w, *s, kT0, 5), (V{9002, 9004, 9002, 9004, 9002}));
}

TEST(EndpointPickerTest, SmoothWeightedRoundRobin) {
  auto s = ClusterState::Create(
      MakeCluster("api", {{Ep(9001, HealthStatus::kHealthy, 5), Ep(9002), Ep(9003)}}), 1);
  EndpointPicker w(0);
  // Weights 5, 1, 1: interleaved, not five in a row.
  EXPECT_EQ(PickPorts(w, *s, kT0, 14), (V{9001, 9001, 9002, 9001, 9003, 9001, 9001,  //
                                          9001, 9001, 9002, 9001, 9003, 9001, 9001}));

  auto s2 = ClusterState::Create(MakeCluster("api", {{Ep(9001, HealthStatus::kHealthy, 2),
                                                      Ep(9002, HealthStatus::kHealthy, 1)}}),
                                 1);
  EXPECT_EQ(PickPorts(w, *s2, kT0, 6), (V{9001, 9002, 9001, 9001, 9002, 9001}));
}

TEST(EndpointPickerTest, WeightedRoundRobinShares) {
  auto s = ClusterState::Create(
      MakeCluster("api",
                  {{Ep(9001, HealthStatus::kHealthy, 3), Ep(9002, HealthStatus::kHealthy, 2),
                    Ep(9003, HealthStatus::kUnhealthy, 10), Ep(9004, HealthStatus::kHealthy, 5)}}),
      1);
  EndpointPicker w(0);
  std::map<int, int> counts;
  for (int port : PickPorts(w, *s, kT0, 1000)) ++counts[port];
  // 1000 picks over total weight 10 are exactly 100 full rounds.
  EXPECT_EQ(counts, (std::map<int, int>{{9001, 300}, {9002, 200}, {9004, 500}}));
}

TEST(EndpointPickerTest, LeastRequestTakesFewestActiveTiesInTurn) {
  auto s = ClusterState::Create(
      MakeCluster("api", {{Ep(9001), Ep(9002), Ep(9003)}}, LbPolicy::kLeastRequest), 1);
  EndpointPicker w(0);
  std::vector<PickResult> open;
  const auto pick = [&] {
    PickResult p = w.Pick(*s, kT0);
    open.push_back(p);
    return Port(*s, p);
  };
  // All idle: in turn.
  EXPECT_EQ(pick(), 9001);
  EXPECT_EQ(pick(), 9002);
  EXPECT_EQ(pick(), 9003);
  EXPECT_EQ(pick(), 9001);  // active 2, 1, 1
  // 9002's connection closes: it has the fewest.
  s->OnConnectionClosed(open[1].endpoint);  // active 2, 0, 1
  EXPECT_EQ(pick(), 9002);                  // active 2, 1, 1
  // Tie between 9002 and 9003 (1 each); the rotation is after 9002, so 9003 first.
  EXPECT_EQ(pick(), 9003);  // active 2, 1, 2
  EXPECT_EQ(pick(), 9002);  // active 2, 2, 2
  EXPECT_EQ(pick(), 9003);  // tie of three, rotation after 9002
  EXPECT_EQ(s->active_connections(0), 2u);
  EXPECT_EQ(s->active_connections(1), 2u);
  EXPECT_EQ(s->active_connections(2), 3u);
  EXPECT_EQ(s->active_connections(), 7u);
}

TEST(EndpointPickerTest, RandomFollowsWeightsAndHealth) {
  auto s =
      ClusterState::Create(MakeCluster("api",
                                       {{Ep(9001), Ep(9002), Ep(9003, HealthStatus::kHealthy, 2),
                                         Ep(9004, HealthStatus::kUnhealthy, 5)}},
                                       LbPolicy::kRandom),
                           1);
  EndpointPicker w(0, /*seed=*/42);
  std::map<int, int> counts;
  for (int port : PickPorts(w, *s, kT0, 4000)) ++counts[port];
  EXPECT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts.count(9004), 0u);
  // Expected 1000, 1000, 2000; bounds at about 5 standard deviations.
  EXPECT_NEAR(counts[9001], 1000, 150);
  EXPECT_NEAR(counts[9002], 1000, 150);
  EXPECT_NEAR(counts[9003], 2000, 160);
}

TEST(EndpointPickerTest, RandomSkipsEjectedAndTriedEndpoints) {
  auto c = MakeCluster("api", {{Ep(9001), Ep(9002), Ep(9003, HealthStatus::kHealthy, 6)}},
                       LbPolicy::kRandom);
  testing::EnableOutlier(*c, 1);
  auto s = ClusterState::Create(c, 1);
  EndpointPicker w(0, /*seed=*/7);
  testing::FailConnects(w, *s, 9003, 1, kT0);  // the heaviest endpoint is ejected
  const EndpointIndex tried[] = {static_cast<EndpointIndex>(testing::IndexOf(*s, 9002))};
  for (int i = 0; i < 200; ++i) {
    PickResult p = w.Pick(*s, kT0, tried);
    ASSERT_EQ(Port(*s, p), 9001);
    s->OnConnectionClosed(p.endpoint);
  }
  std::map<int, int> counts;
  for (int port : PickPorts(w, *s, kT0, 2000)) ++counts[port];
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_NEAR(counts[9001], 1000, 120);
  EXPECT_NEAR(counts[9002], 1000, 120);
}

TEST(EndpointPickerTest, FailoverToNextPriorityWhenLevelHasNoHealthyEndpoint) {
  auto unhealthy =
      MakeCluster("api", {{Ep(9001, HealthStatus::kUnhealthy), Ep(9002, HealthStatus::kDraining)},
                          {Ep(9101), Ep(9102)},
                          {Ep(9201)}});
  auto s = ClusterState::Create(unhealthy, 1);
  EndpointPicker w(0);
  EXPECT_EQ(PickPorts(w, *s, kT0, 3), (V{9101, 9102, 9101}));
  EXPECT_EQ(s->priority(static_cast<EndpointIndex>(testing::IndexOf(*s, 9101))), 1u);

  // Priority 0 recovers in the next snapshot: traffic goes back to it.
  auto recovered = MakeCluster(
      "api", {{Ep(9001), Ep(9002, HealthStatus::kDraining)}, {Ep(9101), Ep(9102)}, {Ep(9201)}});
  auto s2 = ClusterState::Create(recovered, 1, s.get());
  EXPECT_EQ(PickPorts(w, *s2, kT0, 3), (V{9001, 9001, 9001}));

  // Priority 1 entirely unhealthy too: priority 2.
  auto both = MakeCluster("api", {{Ep(9001, HealthStatus::kTimeout)},
                                  {Ep(9101, HealthStatus::kUnhealthy)},
                                  {Ep(9201), Ep(9202, HealthStatus::kUnknown)}});
  auto s3 = ClusterState::Create(both, 1, s2.get());
  EXPECT_EQ(PickPorts(w, *s3, kT0, 3), (V{9201, 9202, 9201}));
}

TEST(EndpointPickerTest, FailoverWhenPriorityZeroIsEjectedAndBackAfterEjection) {
  auto c = MakeCluster("api", {{Ep(9001), Ep(9002)}, {Ep(9101)}});
  testing::EnableOutlier(*c, /*failures=*/1, /*percent=*/100);
  auto s = ClusterState::Create(c, 1);
  EndpointPicker w(0);
  testing::FailConnects(w, *s, 9001, 1, kT0);
  EXPECT_EQ(PickPorts(w, *s, kT0, 2), (V{9002, 9002}));
  testing::FailConnects(w, *s, 9002, 1, kT0);
  EXPECT_EQ(PickPorts(w, *s, kT0 + absl::Seconds(1), 2), (V{9101, 9101}));
  // Both ejections last 30 s.
  EXPECT_EQ(PickPorts(w, *s, kT0 + absl::Seconds(29), 1), (V{9101}));
  EXPECT_EQ(PickPorts(w, *s, kT0 + absl::Seconds(30), 2), (V{9001, 9002}));
}

TEST(EndpointPickerTest, ExcludeListTakesAnotherEndpointThenTheNextPriority) {
  auto s = ClusterState::Create(MakeCluster("api", {{Ep(9001), Ep(9002)}, {Ep(9101)}}), 1);
  EndpointPicker w(0);
  std::vector<EndpointIndex> tried;
  PickResult p = w.Pick(*s, kT0, tried);
  EXPECT_EQ(Port(*s, p), 9001);
  s->OnConnectFailure(p.endpoint, kT0, /*timeout=*/false);
  tried.push_back(p.endpoint);

  p = w.Pick(*s, kT0, tried);
  EXPECT_EQ(Port(*s, p), 9002);
  s->OnConnectFailure(p.endpoint, kT0, /*timeout=*/true);
  tried.push_back(p.endpoint);

  p = w.Pick(*s, kT0, tried);
  EXPECT_EQ(Port(*s, p), 9101);
  s->OnConnectFailure(p.endpoint, kT0, /*timeout=*/false);
  tried.push_back(p.endpoint);

  p = w.Pick(*s, kT0, tried);
  EXPECT_EQ(p.error, PickError::kNoHealthyEndpoint);
  EXPECT_EQ(PickErrorName(p.error), "no_healthy_endpoint");
  // Nothing stays reserved, and every attempt is counted.
  EXPECT_EQ(s->active_connections(), 0u);
  ClusterStatus st = s->Status(kT0);
  EXPECT_EQ(st.connects, 3u);
  EXPECT_EQ(st.connect_failures, 3u);
  EXPECT_EQ(st.connect_timeouts, 1u);
  EXPECT_EQ(st.overflows, 0u);
}

TEST(EndpointPickerTest, NoEndpoints) {
  EndpointPicker w(0);
  auto empty = ClusterState::Create(MakeCluster("api", {}), 1);
  EXPECT_EQ(w.Pick(*empty, kT0).error, PickError::kNoEndpoints);
  auto empty_level = ClusterState::Create(MakeCluster("api", {{}, {}}), 1);
  EXPECT_EQ(w.Pick(*empty_level, kT0).error, PickError::kNoEndpoints);
  EXPECT_EQ(PickErrorName(PickError::kNoEndpoints), "no_endpoints");
  // An empty priority 0 is skipped.
  auto skip = ClusterState::Create(MakeCluster("api", {{}, {Ep(9101)}}), 1);
  EXPECT_EQ(PickPorts(w, *skip, kT0, 2), (V{9101, 9101}));
  EXPECT_EQ(skip->priority(0), 1u);
}

TEST(EndpointPickerTest, CircuitBreakerLimitsActiveConnections) {
  auto c = MakeCluster("api", {{Ep(9001), Ep(9002)}});
  c->max_connections = 2;
  auto s = ClusterState::Create(c, 1);
  EndpointPicker w(0);
  PickResult a = w.Pick(*s, kT0);
  PickResult b = w.Pick(*s, kT0);
  ASSERT_TRUE(a.ok() && b.ok());
  s->OnConnectSuccess(a.endpoint, kT0);
  PickResult c3 = w.Pick(*s, kT0);
  EXPECT_EQ(c3.error, PickError::kCircuitOpen);
  EXPECT_EQ(PickErrorName(c3.error), "circuit_open");
  EXPECT_EQ(w.Pick(*s, kT0).error, PickError::kCircuitOpen);
  EXPECT_EQ(s->Status(kT0).overflows, 2u);
  EXPECT_EQ(s->active_connections(), 2u);

  s->OnConnectionClosed(a.endpoint);  // established, then closed
  EXPECT_EQ(s->active_connections(), 1u);
  PickResult d = w.Pick(*s, kT0);
  EXPECT_TRUE(d.ok());
  s->OnConnectFailure(b.endpoint, kT0, false);  // a failed connect frees its slot too
  EXPECT_TRUE(w.Pick(*s, kT0).ok());
  EXPECT_EQ(s->active_connections(), 2u);
  EXPECT_EQ(s->TryAcquireConnection(), false);
  EXPECT_EQ(s->Status(kT0).overflows, 3u);
}

TEST(EndpointPickerTest, EveryEndpointEjectedPanicsToTheEjectedOnes) {
  // A lone endpoint (a control component's peering port) that failed while its process
  // restarted: ejected, yet it must get the next connection, not a 30 s refusal.
  auto c = MakeCluster("server.dc1.peering.td", {{Ep(8503)}});
  testing::EnableOutlier(*c, /*failures=*/2, /*percent=*/100);
  auto s = ClusterState::Create(c, 1);
  EndpointPicker w(0);
  for (int i = 0; i < 2; ++i) {
    PickResult p = w.Pick(*s, kT0);
    ASSERT_TRUE(p.ok());
    s->OnConnectFailure(p.endpoint, kT0, /*timeout=*/false);
  }
  ASSERT_TRUE(s->IsEjected(0, kT0 + absl::Seconds(1)));
  PickResult p = w.Pick(*s, kT0 + absl::Seconds(1));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Port(*s, p), 8503);
  // Panic ignores ejection, not health, nor the endpoints this connection already tried.
  const std::vector<EndpointIndex> tried = {p.endpoint};
  s->OnConnectFailure(p.endpoint, kT0 + absl::Seconds(1), /*timeout=*/false);
  EXPECT_EQ(w.Pick(*s, kT0 + absl::Seconds(1), tried).error, PickError::kNoHealthyEndpoint);
}

TEST(EndpointPickerTest, PanicOnlyWhenNoPriorityHasAnUnejectedEndpoint) {
  auto c = MakeCluster("api", {{Ep(9001)}, {Ep(9101)}});
  testing::EnableOutlier(*c, /*failures=*/1, /*percent=*/100);
  auto s = ClusterState::Create(c, 1);
  EndpointPicker w(0);
  PickResult p = w.Pick(*s, kT0);
  ASSERT_EQ(Port(*s, p), 9001);
  s->OnConnectFailure(p.endpoint, kT0, /*timeout=*/false);  // 9001 ejected
  p = w.Pick(*s, kT0);
  EXPECT_EQ(Port(*s, p), 9101);                             // failover, not panic
  s->OnConnectFailure(p.endpoint, kT0, /*timeout=*/false);  // 9101 ejected too
  p = w.Pick(*s, kT0);
  EXPECT_EQ(Port(*s, p), 9001);  // panic: the lowest priority first
  s->OnConnectionClosed(p.endpoint);
}

TEST(EndpointPickerTest, NoHealthyEndpointReleasesTheCircuitBreakerSlot) {
  auto c = MakeCluster("api", {{Ep(9001, HealthStatus::kUnhealthy)}});
  c->max_connections = 1;
  auto s = ClusterState::Create(c, 1);
  EndpointPicker w(0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(w.Pick(*s, kT0).error, PickError::kNoHealthyEndpoint);
  EXPECT_EQ(s->active_connections(), 0u);
  EXPECT_EQ(s->Status(kT0).overflows, 0u);
}

TEST(EndpointPickerTest, PickAllocatesNothing) {
  auto c = MakeCluster("api", {{Ep(9001, HealthStatus::kHealthy, 3), Ep(9002)}, {Ep(9101)}});
  for (LbPolicy policy : {LbPolicy::kRoundRobin, LbPolicy::kLeastRequest, LbPolicy::kRandom}) {
    c->lb_policy = policy;
    auto s = ClusterState::Create(c, 1);
    EndpointPicker w(0, 7);
    const EndpointIndex tried[] = {0};
    const long before = allocations.load();
    for (int i = 0; i < 100; ++i) {
      PickResult p = w.Pick(*s, kT0, tried);
      if (p.ok()) s->OnConnectionClosed(p.endpoint);
    }
    EXPECT_EQ(allocations.load(), before) << "policy " << static_cast<int>(policy);
  }
}

}  // namespace
}  // namespace meshgw::gateway::upstream
