#include "gateway/admin/admin_endpoints.h"

#include <stdio.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/admin/raw_http_client.h"

namespace meshgw::admin {
namespace {

using test_client::Exchange;
using test_client::Wire;

std::string Get(uint16_t port, const std::string& target) {
  return Exchange(port, absl::StrCat("GET ", target, " HTTP/1.1\r\n\r\n"));
}
std::string Post(uint16_t port, const std::string& target) {
  return Exchange(port, absl::StrCat("POST ", target, " HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class AdminEndpointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    metrics_.Counter("meshgw_listener_cx_total", "Accepted.", {"listener"}, "cx_total")
        .Get({"mesh"})
        ->Add(3);
    AdminHooks hooks;
    hooks.state = [this] {
      std::lock_guard<std::mutex> lock(mu_);
      return state_;
    };
    hooks.clusters = [](const HttpRequest& r) {
      return HttpResponse::Text(200, absl::StrCat("clusters for ", r.remote.substr(0, 10)));
    };
    hooks.drain_listeners = [this] { drained_.store(true); };
    endpoints_ = std::make_unique<AdminEndpoints>(server_, metrics_, std::move(hooks));
    ASSERT_TRUE(server_.Start("127.0.0.1:0").ok());
  }
  void TearDown() override { server_.Stop(); }
  void SetState(std::string s) {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = std::move(s);
  }

  metrics::Registry metrics_{1};
  HttpServer server_{{.name = "admin"}};
  std::mutex mu_;
  std::string state_ = "INITIALIZING";
  std::atomic<bool> drained_{false};
  std::unique_ptr<AdminEndpoints> endpoints_;
};

TEST_F(AdminEndpointsTest, IndexListsWhatIsServed) {
  EXPECT_EQ(Get(server_.port(), "/"),
            Wire("HTTP/1.1 200 OK",
                 "meshgw admin\n"
                 "  GET /                   this list\n"
                 "  GET /clusters           upstream clusters and endpoints\n"
                 "  POST /drain_listeners   stop accepting; open connections finish\n"
                 "  POST /healthcheck/fail  make /ready fail (take this gateway out of rotation)\n"
                 "  POST /healthcheck/ok    undo /healthcheck/fail\n"
                 "  POST /logging           set the log level: ?level=debug|info|warn|error\n"
                 "  GET /ready              200 LIVE when serving a complete snapshot, else 503 "
                 "and the state\n"
                 "  POST /reopen_logs       reopen the log files (after rotation)\n"
                 "  GET /stats              counters and gauges (?format=json|prometheus, "
                 "?filter=)\n"
                 "  GET /stats/prometheus   Prometheus text format 0.0.4\n"));
  // Hooks not given: their paths are not served.
  EXPECT_EQ(Get(server_.port(), "/config_dump").substr(0, 22), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(Get(server_.port(), "/clusters"), Wire("HTTP/1.1 200 OK", "clusters for 127.0.0.1:\n"));
  EXPECT_EQ(Get(server_.port(), "/stats"), Wire("HTTP/1.1 200 OK", "listener.mesh.cx_total: 3\n"));
}

TEST_F(AdminEndpointsTest, ReadyFollowsStateHealthcheckAndDrain) {
  const uint16_t port = server_.port();
  EXPECT_EQ(Get(port, "/ready"), Wire("HTTP/1.1 503 Service Unavailable", "INITIALIZING\n"));
  SetState("LIVE");
  EXPECT_EQ(Get(port, "/ready"), Wire("HTTP/1.1 200 OK", "LIVE\n"));
  EXPECT_EQ(Post(port, "/healthcheck/fail"), Wire("HTTP/1.1 200 OK", "OK\n"));
  EXPECT_TRUE(endpoints_->healthcheck_failed());
  EXPECT_EQ(Get(port, "/ready"), Wire("HTTP/1.1 503 Service Unavailable", "HEALTHCHECK_FAILED\n"));
  EXPECT_EQ(Post(port, "/healthcheck/ok"), Wire("HTTP/1.1 200 OK", "OK\n"));
  EXPECT_EQ(Get(port, "/ready"), Wire("HTTP/1.1 200 OK", "LIVE\n"));
  EXPECT_FALSE(drained_.load());
  EXPECT_EQ(Get(port, "/drain_listeners").substr(0, 31), "HTTP/1.1 405 Method Not Allowed");
  EXPECT_FALSE(drained_.load());
  EXPECT_EQ(Post(port, "/drain_listeners"), Wire("HTTP/1.1 200 OK", "OK\n"));
  EXPECT_TRUE(drained_.load());
  EXPECT_TRUE(endpoints_->draining());
  EXPECT_EQ(Get(port, "/ready"), Wire("HTTP/1.1 503 Service Unavailable", "DRAINING\n"));
}

TEST_F(AdminEndpointsTest, LoggingLevelAndReopen) {
  const uint16_t port = server_.port();
  EXPECT_EQ(Post(port, "/logging?level=debug"), Wire("HTTP/1.1 200 OK", "level: debug\n"));
  EXPECT_EQ(ProcessLogger().level(), LogLevel::kDebug);
  EXPECT_EQ(Post(port, "/logging?level=loud"),
            Wire("HTTP/1.1 400 Bad Request",
                 "log level \"loud\": expected debug, info, warn or error\n"));
  EXPECT_EQ(Post(port, "/logging"),
            Wire("HTTP/1.1 400 Bad Request", "missing ?level=debug|info|warn|error\n"));
  EXPECT_EQ(Post(port, "/logging?level=info"), Wire("HTTP/1.1 200 OK", "level: info\n"));
  EXPECT_EQ(ProcessLogger().level(), LogLevel::kInfo);
  EXPECT_EQ(Post(port, "/reopen_logs"), Wire("HTTP/1.1 200 OK", "OK\n"));
}

TEST(AdminEndpoints, ReopenLogsReopensTheAccessLog) {
  std::string dir = ::testing::TempDir() + "admin_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/access.log";
  absl::StatusOr<std::unique_ptr<AccessLog>> access = AccessLog::Open(path, LogFormat::kText);
  ASSERT_TRUE(access.ok());
  metrics::Registry registry(1);
  HttpServer server({.name = "admin"});
  AdminEndpoints endpoints(server, registry, {.access_log = access->get()});
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  AccessLogRecord record;
  record.listener = "mesh";
  (*access)->Write(record);
  ASSERT_EQ(rename(path.c_str(), (path + ".1").c_str()), 0);
  EXPECT_EQ(Post(server.port(), "/reopen_logs"), Wire("HTTP/1.1 200 OK", "OK\n"));
  (*access)->Write(record);
  const std::string line = AccessLog::Format(LogFormat::kText, record);
  EXPECT_EQ(ReadFile(path + ".1"), line);
  EXPECT_EQ(ReadFile(path), line);
  // Without a state hook the server is LIVE.
  EXPECT_EQ(Get(server.port(), "/ready"), Wire("HTTP/1.1 200 OK", "LIVE\n"));
  server.Stop();
  access->reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
}  // namespace meshgw::admin
