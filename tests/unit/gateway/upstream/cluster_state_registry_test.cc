// ClusterStateRegistry: states per snapshot, endpoint state carried across updates (ejections,
// active connections, the circuit breaker), unchanged clusters kept as they are; and a
// concurrency smoke test of picking and releasing from two workers.
#include "gateway/upstream/cluster_state_registry.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/gateway/upstream/cluster_builder.h"

namespace meshgw::gateway::upstream {
namespace {

using config::HealthStatus;
using testing::EnableOutlier;
using testing::Ep;
using testing::FailConnects;
using testing::IndexOf;
using testing::kT0;
using testing::MakeCluster;
using testing::PickPorts;
using V = std::vector<int>;

config::Snapshot Snap(uint64_t version, std::vector<std::shared_ptr<const config::Cluster>> cs) {
  config::Snapshot s;
  s.version = version;
  for (auto& c : cs) s.clusters.emplace(c->name, c);
  return s;
}

EndpointIndex Index(const ClusterState& s, uint16_t port) {
  const int i = IndexOf(s, port);
  EXPECT_GE(i, 0) << port;
  return static_cast<EndpointIndex>(i);
}

TEST(ClusterStateRegistryTest, EmptyBeforeTheFirstUpdate) {
  ClusterStateRegistry r(2);
  EXPECT_EQ(r.Current()->clusters.size(), 0u);
  EXPECT_EQ(r.Current()->Find("api"), nullptr);
}

TEST(ClusterStateRegistryTest, BuildsOneStatePerClusterAndPublishesIt) {
  ClusterStateRegistry r(2);
  auto api = MakeCluster("api", {{Ep(9001)}});
  auto web = MakeCluster("web", {{Ep(9101), Ep(9102)}});
  auto set = r.Update(Snap(7, {api, web}));
  EXPECT_EQ(set, r.Current());
  EXPECT_EQ(set->snapshot_version, 7u);
  ASSERT_NE(set->Find("web"), nullptr);
  EXPECT_EQ(set->Find("web")->endpoint_count(), 2u);
  EXPECT_EQ(set->Find("web")->workers(), 2u);
  EXPECT_EQ(&set->Find("api")->config(), api.get());
  EXPECT_EQ(set->Find("db"), nullptr);
  std::vector<ClusterStatus> st = set->Status(kT0);
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].name, "api");
  EXPECT_EQ(st[1].name, "web");
}

TEST(ClusterStateRegistryTest, ViewFollowsPublications) {
  ClusterStateRegistry r(1);
  ClusterStateView view(r);
  EXPECT_EQ(view.Get()->snapshot_version, 0u);
  r.Update(Snap(4, {MakeCluster("api", {{Ep(9001)}})}));
  EXPECT_EQ(view.Get()->snapshot_version, 4u);
  const ClusterStateSet* cached = view.Get().get();
  EXPECT_EQ(view.Get().get(), cached);
  r.Update(Snap(5, {}));
  EXPECT_EQ(view.Get()->snapshot_version, 5u);
  EXPECT_EQ(view.Get()->Find("api"), nullptr);
}

TEST(ClusterStateRegistryTest, UnchangedClusterKeepsItsState) {
  ClusterStateRegistry r(1);
  auto api = MakeCluster("api", {{Ep(9001)}});
  auto web = MakeCluster("web", {{Ep(9101)}});
  auto first = r.Update(Snap(1, {api, web}));
  auto web2 = MakeCluster("web", {{Ep(9101), Ep(9102)}});
  auto second = r.Update(Snap(2, {api, web2}));
  EXPECT_EQ(second->Find("api"), first->Find("api"));
  EXPECT_NE(second->Find("web"), first->Find("web"));
  EXPECT_EQ(second->Find("web")->endpoint_count(), 2u);
}

TEST(ClusterStateRegistryTest, EjectionAndActiveConnectionsSurviveAnUpdate) {
  ClusterStateRegistry r(1);
  auto c1 = MakeCluster("api", {{Ep(9001), Ep(9002), Ep(9003)}});
  EnableOutlier(*c1, 2);
  auto set1 = r.Update(Snap(1, {c1}));
  ClusterState& s1 = *set1->Find("api");
  EndpointPicker w(0);

  // On the old state: a connection to 9001 stays open, 9002 is ejected (count 1, until t=30).
  const int open = testing::Reserve(w, s1, 9001, kT0);
  ASSERT_GE(open, 0);
  s1.OnConnectSuccess(static_cast<EndpointIndex>(open), kT0);
  FailConnects(w, s1, 9002, 2, kT0);
  ASSERT_TRUE(s1.IsEjected(Index(s1, 9002), kT0));

  // The new config drops 9003, adds 9004, moves 9001 to the end and changes weights.
  auto c2 = MakeCluster("api", {{Ep(9002, HealthStatus::kHealthy, 3), Ep(9004), Ep(9001)}});
  EnableOutlier(*c2, 2);
  auto set2 = r.Update(Snap(2, {c2}));
  ClusterState& s2 = *set2->Find("api");
  ASSERT_NE(&s1, &s2);
  EXPECT_TRUE(s2.IsEjected(Index(s2, 9002), kT0 + absl::Seconds(29)));
  EXPECT_FALSE(s2.IsEjected(Index(s2, 9002), kT0 + absl::Seconds(30)));
  EXPECT_EQ(s2.EjectionCount(Index(s2, 9002), kT0), 1u);
  EXPECT_EQ(s2.active_connections(Index(s2, 9001)), 1u);
  EXPECT_EQ(s2.active_connections(Index(s2, 9004)), 0u);
  EXPECT_EQ(s2.active_connections(), 1u);
  EXPECT_EQ(s2.Status(kT0).endpoints[Index(s2, 9002)].connect_failures, 2u);
  EXPECT_EQ(s2.Status(kT0).connect_failures, 2u);

  // The ejected endpoint is skipped on the new state, and its next ejection is the second one.
  EXPECT_EQ(PickPorts(w, s2, kT0, 4), (V{9004, 9001, 9004, 9001}));
  FailConnects(w, s2, 9002, 2, kT0 + absl::Seconds(31));
  EXPECT_EQ(s2.EjectionCount(Index(s2, 9002), kT0 + absl::Seconds(31)), 2u);
  EXPECT_TRUE(s2.IsEjected(Index(s2, 9002), kT0 + absl::Seconds(90)));

  // The connection opened on the old state closes there; the new state sees it.
  s1.OnConnectionClosed(static_cast<EndpointIndex>(open));
  EXPECT_EQ(s2.active_connections(Index(s2, 9001)), 0u);
  EXPECT_EQ(s2.active_connections(), 0u);
  EXPECT_EQ(s1.active_connections(), 0u);
}

TEST(ClusterStateRegistryTest, CircuitBreakerCountsConnectionsOfTheOldState) {
  ClusterStateRegistry r(1);
  auto c1 = MakeCluster("api", {{Ep(9001)}});
  c1->max_connections = 1;
  auto set1 = r.Update(Snap(1, {c1}));
  EndpointPicker w(0);
  PickResult p = w.Pick(*set1->Find("api"), kT0);
  ASSERT_TRUE(p.ok());

  auto c2 = MakeCluster("api", {{Ep(9001), Ep(9002)}});
  c2->max_connections = 1;
  auto set2 = r.Update(Snap(2, {c2}));
  EXPECT_EQ(w.Pick(*set2->Find("api"), kT0).error, PickError::kCircuitOpen);
  set1->Find("api")->OnConnectionClosed(p.endpoint);
  PickResult q = w.Pick(*set2->Find("api"), kT0);
  EXPECT_TRUE(q.ok());
  EXPECT_EQ(set2->Find("api")->Status(kT0).overflows, 1u);
  set2->Find("api")->OnConnectionClosed(q.endpoint);
}

TEST(ClusterStateRegistryTest, RemovedClusterIsGoneAndComesBackFresh) {
  ClusterStateRegistry r(1);
  auto c = MakeCluster("api", {{Ep(9001), Ep(9002)}});
  EnableOutlier(*c, 1);
  auto set1 = r.Update(Snap(1, {c}));
  EndpointPicker w(0);
  FailConnects(w, *set1->Find("api"), 9001, 1, kT0);
  auto set2 = r.Update(Snap(2, {}));
  EXPECT_EQ(set2->Find("api"), nullptr);
  auto set3 = r.Update(Snap(3, {MakeCluster("api", {{Ep(9001), Ep(9002)}})}));
  ClusterState& s3 = *set3->Find("api");
  EXPECT_FALSE(s3.IsEjected(Index(s3, 9001), kT0));
  EXPECT_EQ(s3.Status(kT0).connect_failures, 0u);
  // The old state still works for whoever holds it.
  EXPECT_TRUE(set1->Find("api")->IsEjected(Index(*set1->Find("api"), 9001), kT0));
}

TEST(ClusterStateRegistryTest, EndpointIdentityIsTheBinaryAddress) {
  ClusterStateRegistry r(1);
  config::Endpoint v6 = Ep(9001);
  v6.address = testing::Loopback(9001, /*v6=*/true);  // host text "::1"
  auto c1 = MakeCluster("api", {{v6, Ep(9002)}});
  EnableOutlier(*c1, 1);
  auto set1 = r.Update(Snap(1, {c1}));
  EndpointPicker w(0);
  FailConnects(w, *set1->Find("api"), 9001, 1, kT0);

  config::Endpoint same = v6;
  same.address.host = "0:0::1";            // another spelling of the same address
  config::Endpoint other_port = Ep(9001);  // 127.0.0.1:9001: another endpoint
  auto c2 = MakeCluster("api", {{same, other_port}});
  EnableOutlier(*c2, 1);
  auto set2 = r.Update(Snap(2, {c2}));
  EXPECT_TRUE(set2->Find("api")->IsEjected(0, kT0));
  EXPECT_FALSE(set2->Find("api")->IsEjected(1, kT0));
}

TEST(ClusterStateRegistryTest, SameAddressTwiceSharesOneState) {
  ClusterStateRegistry r(1);
  auto c = MakeCluster("api", {{Ep(9001)}, {Ep(9001), Ep(9002)}});
  auto set = r.Update(Snap(1, {c}));
  ClusterState& s = *set->Find("api");
  EndpointPicker w(0);
  PickResult p = w.Pick(s, kT0);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.endpoint, 0u);
  EXPECT_EQ(s.active_connections(0), 1u);
  EXPECT_EQ(s.active_connections(1), 1u);  // the same endpoint at priority 1
  EXPECT_EQ(s.active_connections(2), 0u);
  s.OnConnectionClosed(p.endpoint);
}

// Two workers pick, fail or succeed, and release concurrently (while the config is updated):
// every count returns to zero and the totals add up exactly.
TEST(ClusterStateRegistryTest, ConcurrentPickAndReleaseBalance) {
  ClusterStateRegistry r(2);
  auto c = MakeCluster("api", {{Ep(9001), Ep(9002, HealthStatus::kHealthy, 2)}, {Ep(9101)}},
                       config::LbPolicy::kLeastRequest);
  EnableOutlier(*c, 3, 50);
  c->max_connections = 64;
  auto set = r.Update(Snap(1, {c}));

  constexpr int kIterations = 20000;
  struct Tally {
    uint64_t picked = 0, failed = 0, timeouts = 0, overflow = 0, no_healthy = 0;
  };
  std::vector<Tally> tallies(2);
  auto work = [&](uint32_t worker) {
    EndpointPicker picker(worker, worker + 1);
    ClusterStateView view(r);
    Tally& t = tallies[worker];
    for (int i = 0; i < kIterations; ++i) {
      std::shared_ptr<const ClusterStateSet> states = view.Get();
      ClusterState& s = *states->Find("api");
      const absl::Time now = kT0 + absl::Milliseconds(i);
      PickResult p = picker.Pick(s, now);
      if (p.error == PickError::kCircuitOpen) ++t.overflow;
      if (p.error == PickError::kNoHealthyEndpoint) ++t.no_healthy;
      if (!p.ok()) continue;
      ++t.picked;
      if (i % 5 == 0) {
        ++t.failed;
        t.timeouts += (i % 10 == 0);
        s.OnConnectFailure(p.endpoint, now, i % 10 == 0);
      } else {
        s.OnConnectSuccess(p.endpoint, now);
        s.OnConnectionClosed(p.endpoint);
      }
    }
  };
  std::thread a(work, 0), b(work, 1);
  // Meanwhile the same cluster is re-sent as new config objects.
  for (int v = 2; v < 50; ++v) {
    auto copy = std::make_shared<config::Cluster>(*c);
    r.Update(Snap(v, {copy}));
  }
  a.join();
  b.join();

  ClusterStatus st = r.Current()->Find("api")->Status(kT0 + absl::Hours(1));
  EXPECT_EQ(st.active, 0u);
  uint64_t endpoint_connects = 0;
  for (const EndpointStatus& e : st.endpoints) {
    EXPECT_EQ(e.active, 0u) << e.address.port;
    endpoint_connects += e.connects;
  }
  const Tally sum{tallies[0].picked + tallies[1].picked, tallies[0].failed + tallies[1].failed,
                  tallies[0].timeouts + tallies[1].timeouts,
                  tallies[0].overflow + tallies[1].overflow,
                  tallies[0].no_healthy + tallies[1].no_healthy};
  EXPECT_EQ(sum.picked + sum.overflow + sum.no_healthy, 2u * kIterations);
  EXPECT_EQ(st.connects, sum.picked);
  EXPECT_EQ(endpoint_connects, sum.picked);
  EXPECT_EQ(st.connect_failures, sum.failed);
  EXPECT_EQ(st.connect_timeouts, sum.timeouts);
  EXPECT_EQ(st.overflows, sum.overflow);
}

}  // namespace
}  // namespace meshgw::gateway::upstream
