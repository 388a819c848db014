// The /clusters rendering of the upstream state: exact text lines and JSON.
#include "gateway/upstream/clusters_page.h"

#include "gtest/gtest.h"
#include "tests/unit/gateway/upstream/cluster_builder.h"

namespace meshgw::gateway::upstream {
namespace {

using config::HealthStatus;
using testing::Ep;
using testing::kT0;

// public-api: 127.0.0.1:9001 ejected after one timed-out connect, 127.0.0.1:9002 unhealthy,
// [::1]:9101 at priority 1 with two open connections.
std::shared_ptr<ClusterState> Scenario() {
  config::Endpoint e2 = Ep(9002, HealthStatus::kUnhealthy, 2);
  e2.hostname = "api-2";
  config::Endpoint e3 = Ep(9101, HealthStatus::kHealthy, 3);
  e3.address = testing::Loopback(9101, /*v6=*/true);
  auto c = testing::MakeCluster("public-api", {{Ep(9001), e2}, {e3}});
  testing::EnableOutlier(*c, 1);
  auto s = ClusterState::Create(c, 1);
  EndpointPicker w(0);
  PickResult p = w.Pick(*s, kT0);
  EXPECT_EQ(testing::Port(*s, p), 9001);
  s->OnConnectFailure(p.endpoint, kT0, /*timeout=*/true);
  EXPECT_EQ(testing::Port(*s, w.Pick(*s, kT0)), 9101);
  EXPECT_EQ(testing::Port(*s, w.Pick(*s, kT0)), 9101);
  return s;
}

TEST(ClustersPageTest, Text) {
  auto s = Scenario();
  const ClusterStatus st = s->Status(kT0 + absl::Seconds(1));
  EXPECT_EQ(RenderClustersText({st}),
            "public-api::default_priority::max_connections::1024\n"
            "public-api::upstream_cx_active::2\n"
            "public-api::upstream_cx_overflow::0\n"
            "public-api::upstream_cx_total::3\n"
            "public-api::upstream_cx_connect_fail::1\n"
            "public-api::upstream_cx_connect_timeout::1\n"
            "public-api::outlier_detection_ejections_total::1\n"
            "public-api::outlier_detection_ejections_overflow::0\n"
            "public-api::127.0.0.1:9001::hostname::\n"
            "public-api::127.0.0.1:9001::cx_active::0\n"
            "public-api::127.0.0.1:9001::cx_total::1\n"
            "public-api::127.0.0.1:9001::cx_connect_fail::1\n"
            "public-api::127.0.0.1:9001::cx_connect_timeout::1\n"
            "public-api::127.0.0.1:9001::outlier_ejections_total::1\n"
            "public-api::127.0.0.1:9001::ejection_count::1\n"
            "public-api::127.0.0.1:9001::ejected::true\n"
            "public-api::127.0.0.1:9001::health_flags::/failed_outlier_check\n"
            "public-api::127.0.0.1:9001::weight::1\n"
            "public-api::127.0.0.1:9001::priority::0\n"
            "public-api::127.0.0.1:9002::hostname::api-2\n"
            "public-api::127.0.0.1:9002::cx_active::0\n"
            "public-api::127.0.0.1:9002::cx_total::0\n"
            "public-api::127.0.0.1:9002::cx_connect_fail::0\n"
            "public-api::127.0.0.1:9002::cx_connect_timeout::0\n"
            "public-api::127.0.0.1:9002::outlier_ejections_total::0\n"
            "public-api::127.0.0.1:9002::ejection_count::0\n"
            "public-api::127.0.0.1:9002::ejected::false\n"
            "public-api::127.0.0.1:9002::health_flags::/failed_eds_health\n"
            "public-api::127.0.0.1:9002::weight::2\n"
            "public-api::127.0.0.1:9002::priority::0\n"
            "public-api::[::1]:9101::hostname::\n"
            "public-api::[::1]:9101::cx_active::2\n"
            "public-api::[::1]:9101::cx_total::2\n"
            "public-api::[::1]:9101::cx_connect_fail::0\n"
            "public-api::[::1]:9101::cx_connect_timeout::0\n"
            "public-api::[::1]:9101::outlier_ejections_total::0\n"
            "public-api::[::1]:9101::ejection_count::0\n"
            "public-api::[::1]:9101::ejected::false\n"
            "public-api::[::1]:9101::health_flags::healthy\n"
            "public-api::[::1]:9101::weight::3\n"
            "public-api::[::1]:9101::priority::1\n");
}

TEST(ClustersPageTest, Json) {
  auto s = Scenario();
  const ClusterStatus st = s->Status(kT0 + absl::Seconds(1));
  EXPECT_EQ(
      RenderClustersJson({st}),
      R"({"cluster_statuses":[{"name":"public-api",)"
      R"("circuit_breakers":{"thresholds":[{"max_connections":1024}]},)"
      R"("stats":[{"type":"GAUGE","name":"upstream_cx_active","value":"2"},)"
      R"({"name":"upstream_cx_overflow","value":"0"},{"name":"upstream_cx_total","value":"3"},)"
      R"({"name":"upstream_cx_connect_fail","value":"1"},)"
      R"({"name":"upstream_cx_connect_timeout","value":"1"},)"
      R"({"name":"outlier_detection_ejections_total","value":"1"},)"
      R"({"name":"outlier_detection_ejections_overflow","value":"0"}],)"
      R"("host_statuses":[)"
      R"({"address":{"socket_address":{"address":"127.0.0.1","port_value":9001}},"hostname":"",)"
      R"("stats":[{"type":"GAUGE","name":"cx_active","value":"0"},{"name":"cx_total","value":"1"},)"
      R"({"name":"cx_connect_fail","value":"1"},{"name":"cx_connect_timeout","value":"1"},)"
      R"({"name":"outlier_ejections_total","value":"1"}],)"
      R"("health_status":{"eds_health_status":"HEALTHY","failed_outlier_check":true},)"
      R"("ejection_count":1,"ejected_until":"2027-01-15T08:00:30+00:00","weight":1,"priority":0},)"
      R"({"address":{"socket_address":{"address":"127.0.0.1","port_value":9002}},)"
      R"("hostname":"api-2",)"
      R"("stats":[{"type":"GAUGE","name":"cx_active","value":"0"},{"name":"cx_total","value":"0"},)"
      R"({"name":"cx_connect_fail","value":"0"},{"name":"cx_connect_timeout","value":"0"},)"
      R"({"name":"outlier_ejections_total","value":"0"}],)"
      R"("health_status":{"eds_health_status":"UNHEALTHY","failed_outlier_check":false},)"
      R"("ejection_count":0,"weight":2,"priority":0},)"
      R"({"address":{"socket_address":{"address":"::1","port_value":9101}},"hostname":"",)"
      R"("stats":[{"type":"GAUGE","name":"cx_active","value":"2"},{"name":"cx_total","value":"2"},)"
      R"({"name":"cx_connect_fail","value":"0"},{"name":"cx_connect_timeout","value":"0"},)"
      R"({"name":"outlier_ejections_total","value":"0"}],)"
      R"("health_status":{"eds_health_status":"HEALTHY","failed_outlier_check":false},)"
      R"("ejection_count":0,"weight":3,"priority":1}]}]})");
}

TEST(ClustersPageTest, JsonEscapesNamesAndSeparatesClusters) {
  ClusterStatus a;
  a.name = "we\"ird\\name";
  ClusterStatus b;
  b.name = "b";
  b.max_connections = 5;
  const std::string json = RenderClustersJson({a, b});
  EXPECT_NE(json.find(R"("name":"we\"ird\\name")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("host_statuses":[]},{"name":"b")"), std::string::npos) << json;
  EXPECT_EQ(RenderClustersJson({}), R"({"cluster_statuses":[]})");
  EXPECT_EQ(RenderClustersText({}), "");
}

TEST(ClustersPageTest, HealthFlags) {
  EndpointStatus e;
  EXPECT_EQ(HealthFlags(e), "healthy");  // UNKNOWN
  e.health = HealthStatus::kHealthy;
  EXPECT_EQ(HealthFlags(e), "healthy");
  e.health = HealthStatus::kTimeout;
  EXPECT_EQ(HealthFlags(e), "/failed_eds_health");
  e.health = HealthStatus::kDegraded;
  EXPECT_EQ(HealthFlags(e), "/degraded_eds_health");
  e.health = HealthStatus::kDraining;
  EXPECT_EQ(HealthFlags(e), "/eds_status_draining");
  // Ejected on an earlier snapshot, unhealthy in this one.
  e.health = HealthStatus::kUnhealthy;
  e.ejected = true;
  EXPECT_EQ(HealthFlags(e), "/failed_outlier_check/failed_eds_health");
}

}  // namespace
}  // namespace meshgw::gateway::upstream
