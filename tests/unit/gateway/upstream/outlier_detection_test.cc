// Passive outlier detection in ClusterState: ejection after N consecutive connect failures,
// lazy return, growing and capped ejection time, decay of the ejection count,
// max_ejection_percent, and the counters.
#include <algorithm>
#include <functional>
#include <vector>

#include "gateway/upstream/cluster_state.h"
#include "gateway/upstream/endpoint_picker.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/upstream/cluster_builder.h"

namespace meshgw::gateway::upstream {
namespace {

using testing::EnableOutlier;
using testing::Ep;
using testing::FailConnects;
using testing::IndexOf;
using testing::kT0;
using testing::MakeCluster;
using testing::PickPorts;
using V = std::vector<int>;

absl::Time T(double seconds) { return kT0 + absl::Seconds(seconds); }

class OutlierTest : public ::testing::Test {
 protected:
  // Four endpoints 9001..9004, ejection after 3 failures.
  void Build(uint32_t percent = 100, std::function<void(config::Cluster&)> tweak = {}) {
    auto c = MakeCluster("api", {{Ep(9001), Ep(9002), Ep(9003), Ep(9004)}});
    EnableOutlier(*c, 3, percent);
    if (tweak) tweak(*c);
    state_ = ClusterState::Create(c, 1);
  }
  EndpointIndex Index(uint16_t port) { return static_cast<EndpointIndex>(IndexOf(*state_, port)); }
  bool Ejected(uint16_t port, absl::Time now) { return state_->IsEjected(Index(port), now); }

  std::shared_ptr<ClusterState> state_;
  EndpointPicker picker_{0};
};

TEST_F(OutlierTest, EjectsAfterConsecutiveFailuresAndReturnsLazily) {
  Build();
  FailConnects(picker_, *state_, 9001, 2, T(0));
  EXPECT_FALSE(Ejected(9001, T(0)));
  FailConnects(picker_, *state_, 9001, 1, T(1));
  EXPECT_TRUE(Ejected(9001, T(1)));
  EXPECT_EQ(state_->EjectionCount(Index(9001), T(1)), 1u);
  // Ejected for base_ejection_time × 1 = 30 s from the ejection.
  EXPECT_TRUE(Ejected(9001, T(30.999)));
  EXPECT_FALSE(Ejected(9001, T(31)));
  // Not a candidate while ejected; back afterwards without any call.
  std::vector<int> during = PickPorts(picker_, *state_, T(10), 6);
  EXPECT_EQ(std::count(during.begin(), during.end(), 9001), 0);
  std::vector<int> after = PickPorts(picker_, *state_, T(31), 4);
  EXPECT_EQ(std::count(after.begin(), after.end(), 9001), 1);

  ClusterStatus st = state_->Status(T(1));
  EXPECT_EQ(st.ejections, 1u);
  EXPECT_EQ(st.connect_failures, 3u);
  EXPECT_EQ(st.endpoints[Index(9001)].ejections, 1u);
  EXPECT_TRUE(st.endpoints[Index(9001)].ejected);
  EXPECT_EQ(st.endpoints[Index(9001)].ejected_until, T(31));
}

TEST_F(OutlierTest, SuccessResetsConsecutiveFailures) {
  Build();
  FailConnects(picker_, *state_, 9002, 2, T(0));
  int i = testing::Reserve(picker_, *state_, 9002, T(0));
  ASSERT_GE(i, 0);
  state_->OnConnectSuccess(static_cast<EndpointIndex>(i), T(0));
  state_->OnConnectionClosed(static_cast<EndpointIndex>(i));
  FailConnects(picker_, *state_, 9002, 2, T(0));
  EXPECT_FALSE(Ejected(9002, T(0)));
  FailConnects(picker_, *state_, 9002, 1, T(0));
  EXPECT_TRUE(Ejected(9002, T(0)));
}

TEST_F(OutlierTest, EjectionTimeGrowsWithTheCountAndIsCapped) {
  Build(100, [](config::Cluster& c) { c.outlier.max_ejection_time = absl::Seconds(70); });
  // Ejection 1 at t=0: 30 s.
  FailConnects(picker_, *state_, 9003, 3, T(0));
  EXPECT_TRUE(Ejected(9003, T(29)));
  EXPECT_FALSE(Ejected(9003, T(30)));
  // Ejection 2 at t=35 (5 s after the return, less than one interval: no decay): 60 s.
  FailConnects(picker_, *state_, 9003, 3, T(35));
  EXPECT_EQ(state_->EjectionCount(Index(9003), T(35)), 2u);
  EXPECT_TRUE(Ejected(9003, T(94)));
  EXPECT_FALSE(Ejected(9003, T(95)));
  // Ejection 3 at t=96: 90 s capped at max_ejection_time, 70 s.
  FailConnects(picker_, *state_, 9003, 3, T(96));
  EXPECT_EQ(state_->EjectionCount(Index(9003), T(96)), 3u);
  EXPECT_TRUE(Ejected(9003, T(165)));
  EXPECT_FALSE(Ejected(9003, T(166)));
  // Ejection 4 at t=170: the count stops growing at the cap; still 70 s.
  FailConnects(picker_, *state_, 9003, 3, T(170));
  EXPECT_EQ(state_->EjectionCount(Index(9003), T(170)), 3u);
  EXPECT_TRUE(Ejected(9003, T(239)));
  EXPECT_FALSE(Ejected(9003, T(240)));
  EXPECT_EQ(state_->Status(T(240)).endpoints[Index(9003)].ejections, 4u);
}

TEST_F(OutlierTest, EjectionCountDecaysOnePerIntervalAfterTheEjection) {
  Build();
  FailConnects(picker_, *state_, 9001, 3, T(0));   // count 1, until 30
  FailConnects(picker_, *state_, 9001, 3, T(30));  // count 2, 60 s: until 90
  EXPECT_EQ(state_->EjectionCount(Index(9001), T(89)), 2u);
  EXPECT_EQ(state_->EjectionCount(Index(9001), T(99.9)), 2u);
  EXPECT_EQ(state_->EjectionCount(Index(9001), T(100)), 1u);
  EXPECT_EQ(state_->EjectionCount(Index(9001), T(110)), 0u);
  EXPECT_EQ(state_->EjectionCount(Index(9001), T(1000)), 0u);
  // At t=105 the count is 1: the next ejection is the second again, 60 s.
  FailConnects(picker_, *state_, 9001, 3, T(105));
  EXPECT_EQ(state_->EjectionCount(Index(9001), T(105)), 2u);
  EXPECT_TRUE(Ejected(9001, T(164)));
  EXPECT_FALSE(Ejected(9001, T(165)));
  // Long after, fully decayed: 30 s again.
  FailConnects(picker_, *state_, 9001, 3, T(500));
  EXPECT_EQ(state_->EjectionCount(Index(9001), T(500)), 1u);
  EXPECT_FALSE(Ejected(9001, T(530)));
}

TEST_F(OutlierTest, FailuresOfConnectionsStartedBeforeTheEjectionDoNotExtendIt) {
  Build();
  // Six connections to 9004 are in flight; the first three failures eject it.
  std::vector<EndpointIndex> inflight;
  for (int k = 0; k < 6; ++k) {
    int i = testing::Reserve(picker_, *state_, 9004, T(0));
    ASSERT_GE(i, 0);
    inflight.push_back(static_cast<EndpointIndex>(i));
  }
  for (int k = 0; k < 3; ++k) state_->OnConnectFailure(inflight[k], T(0), true);
  EXPECT_TRUE(Ejected(9004, T(0)));
  // Three more reach the threshold again while it is ejected: no new ejection, and the run of
  // failures starts over, so that the endpoint gets a fresh chance when it returns.
  for (int k = 3; k < 6; ++k) state_->OnConnectFailure(inflight[k], T(5), true);
  EXPECT_FALSE(Ejected(9004, T(30)));
  ClusterStatus st = state_->Status(T(30));
  EXPECT_EQ(st.ejections, 1u);
  EXPECT_EQ(st.endpoints[Index(9004)].connect_failures, 6u);
  EXPECT_EQ(st.endpoints[Index(9004)].connect_timeouts, 6u);
  EXPECT_EQ(st.endpoints[Index(9004)].active, 0u);
  EXPECT_EQ(st.active, 0u);
  FailConnects(picker_, *state_, 9004, 2, T(30));
  EXPECT_FALSE(Ejected(9004, T(30)));
  FailConnects(picker_, *state_, 9004, 1, T(30));
  EXPECT_TRUE(Ejected(9004, T(30)));
}

TEST_F(OutlierTest, MaxEjectionPercent) {
  Build(/*percent=*/50);  // 2 of 4
  FailConnects(picker_, *state_, 9001, 3, T(0));
  FailConnects(picker_, *state_, 9002, 3, T(0));
  EXPECT_TRUE(Ejected(9001, T(0)));
  EXPECT_TRUE(Ejected(9002, T(0)));
  FailConnects(picker_, *state_, 9003, 3, T(1));
  EXPECT_FALSE(Ejected(9003, T(1)));
  EXPECT_EQ(state_->Status(T(1)).ejections_refused, 1u);
  // Still over the threshold: every further failure asks again, refused while two are out.
  FailConnects(picker_, *state_, 9003, 1, T(2));
  EXPECT_FALSE(Ejected(9003, T(2)));
  EXPECT_EQ(state_->Status(T(2)).ejections_refused, 2u);
  // Once 9001 and 9002 are back (t=30), the next failure ejects 9003 at once.
  FailConnects(picker_, *state_, 9003, 1, T(30));
  EXPECT_TRUE(Ejected(9003, T(30)));
  EXPECT_EQ(state_->Status(T(30)).ejections, 3u);
}

TEST_F(OutlierTest, AtLeastOneEndpointMayAlwaysBeEjected) {
  Build(/*percent=*/10);  // 10% of 4 is less than one endpoint
  FailConnects(picker_, *state_, 9001, 3, T(0));
  EXPECT_TRUE(Ejected(9001, T(0)));
  FailConnects(picker_, *state_, 9002, 3, T(0));
  EXPECT_FALSE(Ejected(9002, T(0)));
  Build(/*percent=*/0);
  FailConnects(picker_, *state_, 9004, 3, T(0));
  EXPECT_TRUE(Ejected(9004, T(0)));
}

TEST_F(OutlierTest, DisabledNeverEjectsButCounts) {
  Build(100, [](config::Cluster& c) { c.outlier.enabled = false; });
  FailConnects(picker_, *state_, 9001, 20, T(0), /*timeout=*/true);
  EXPECT_FALSE(Ejected(9001, T(0)));
  ClusterStatus st = state_->Status(T(0));
  EXPECT_EQ(st.ejections, 0u);
  EXPECT_EQ(st.connect_failures, 20u);
  EXPECT_EQ(st.connect_timeouts, 20u);
  EXPECT_EQ(st.connects, 20u);
  EXPECT_EQ(st.endpoints[Index(9001)].connect_failures, 20u);
  EXPECT_EQ(st.endpoints[Index(9002)].connect_failures, 0u);
}

}  // namespace
}  // namespace meshgw::gateway::upstream
