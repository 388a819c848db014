#include "gateway/admin/stats_handlers.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/metrics.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/admin/raw_http_client.h"

namespace meshgw::admin {
namespace {

using test_client::Exchange;

TEST(StatsHandlers, ServeTheRegistryInEveryFormat) {
  metrics::Registry registry(1);
  registry.Counter("meshgw_listener_cx_total", "Accepted.", {"listener"}, "cx_total")
      .Get({"mesh"})
      ->Add(12);
  HttpServer server({.name = "admin"});
  AddStatsHandlers(server, registry);
  AddMetricsHandler(server, registry);
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  const std::string body_sep = "\r\n\r\n";
  auto body = [&](const std::string& target) {
    const std::string r =
        Exchange(server.port(), absl::StrCat("GET ", target, " HTTP/1.1\r\n\r\n"));
    return r.substr(r.find(body_sep) + body_sep.size());
  };
  EXPECT_EQ(body("/stats"), "listener.mesh.cx_total: 12\n");
  EXPECT_EQ(body("/stats?format=json"),
            "{\"stats\":[{\"name\":\"listener.mesh.cx_total\",\"value\":12}]}");
  EXPECT_EQ(body("/stats?filter=egress"), "");
  const std::string prom =
      "# HELP meshgw_listener_cx_total Accepted.\n# TYPE meshgw_listener_cx_total counter\n"
      "meshgw_listener_cx_total{listener=\"mesh\"} 12\n";
  EXPECT_EQ(body("/stats/prometheus"), prom);
  EXPECT_EQ(body("/metrics"), prom);
  EXPECT_EQ(body("/stats?format=prometheus"), prom);
  EXPECT_EQ(body("/stats?format=xml"), "format \"xml\" is not one of text, json, prometheus\n");

  // Values move between scrapes; content types are the formats' own.
  registry.Counter("meshgw_listener_cx_total", "Accepted.", {"listener"}, "cx_total")
      .Get({"mesh"})
      ->Inc();
  const std::string r = Exchange(server.port(), "GET /metrics HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.substr(0, r.find(body_sep)),
            absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; "
                         "charset=utf-8\r\nContent-Length: ",
                         prom.size(), "\r\nConnection: close"));
  EXPECT_EQ(r.substr(r.find(body_sep) + body_sep.size()),
            "# HELP meshgw_listener_cx_total Accepted.\n# TYPE meshgw_listener_cx_total counter\n"
            "meshgw_listener_cx_total{listener=\"mesh\"} 13\n");
  const std::string j = Exchange(server.port(), "GET /stats?format=json HTTP/1.1\r\n\r\n");
  EXPECT_NE(j.find("\r\nContent-Type: application/json\r\n"), std::string::npos) << j;
}

}  // namespace
}  // namespace meshgw::admin
