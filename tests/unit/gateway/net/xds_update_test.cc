// GatewayServer fed over a real xDS stream (an in-process xds::Server on loopback): each update
// patches the translation input with the names it changed; a response that names a static
// resource is NACKed and never overrides it (the server then sends the rest on its own, which is
// accepted); later updates start from the last good set, and a removal takes a resource out.
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "gateway/config/bootstrap.h"
#include "gateway/proxy/gateway_server.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/unit/gateway/testing/loopback.h"
#include "xds/resource.h"
#include "xds/server.h"
#include "xds/snapshot_cache.h"

namespace meshgw::gateway::proxy {
namespace {

using namespace ::meshgw::gateway::testing;  // NOLINT: loopback helpers

// A STATIC cluster with one endpoint on `port`, as an xDS resource.
xds::ResourcePtr StaticCluster(const std::string& name, uint32_t port) {
  envoy::config::cluster::v3::Cluster c;
  c.set_name(name);
  c.set_type(envoy::config::cluster::v3::Cluster::STATIC);
  c.mutable_connect_timeout()->set_seconds(1);
  auto* sa = c.mutable_load_assignment()
                 ->add_endpoints()
                 ->add_lb_endpoints()
                 ->mutable_endpoint()
                 ->mutable_address()
                 ->mutable_socket_address();
  sa->set_address("127.0.0.1");
  sa->set_port_value(port);
  absl::StatusOr<xds::ResourcePtr> r = xds::MakeResource(c);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : nullptr;
}

class XdsUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    xds::ServerOptions options;
    options.address = "127.0.0.1:0";
    absl::StatusOr<std::unique_ptr<xds::Server>> server = xds::Server::Start(&cache_, options);
    ASSERT_TRUE(server.ok()) << server.status();
    xds_ = std::move(*server);
    auto b = config::ParseBootstrap(absl::StrCat(R"(
node {
  id = "gw"
}
xds {
  address = "127.0.0.1:)",
                                                 xds_->port(), R"("
}
admin {
  address = "127.0.0.1:0"
}
metrics {
  address = "127.0.0.1:0"
}
workers = 1
log {
  level      = "error"
  access_log = "off"
}
static {
  cluster "static-api" {
    endpoint { address = "127.0.0.1:9" }
  }
}
)"),
                                    "gateway.hcl");
    ASSERT_TRUE(b.ok()) << b.status();
    gateway_ = std::make_unique<GatewayServer>(*std::move(b));
    ASSERT_TRUE(gateway_->Start().ok());
  }
  void TearDown() override {
    if (gateway_) gateway_->Stop();
    if (xds_) xds_->Shutdown();
  }

  // Publishes these clusters to the gateway and waits until it has answered (bounded).
  void Publish(std::vector<xds::ResourcePtr> clusters) {
    const uint64_t answered = Answered();
    xds::ResourceSnapshot snapshot;
    for (auto& c : clusters) snapshot.Add(std::move(c));
    cache_.SetSnapshot("gw", std::make_shared<const xds::ResourceSnapshot>(snapshot));
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (Answered() == answered && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
    ASSERT_GT(Answered(), answered) << "the gateway did not answer";
  }
  uint64_t Answered() const { return xds_->stats().acks.load() + xds_->stats().nacks.load(); }

  // The installed clusters' names and first endpoint ports, from /config_dump.
  std::map<std::string, int> Clusters() {
    int fd = Connect(gateway_->admin_port());
    EXPECT_GE(fd, 0);
    SendAll(fd, "GET /config_dump HTTP/1.0\r\n\r\n");
    std::string response = ReadToEof(fd);
    close(fd);
    const size_t body = response.find("\r\n\r\n");
    EXPECT_NE(body, std::string::npos);
    nlohmann::json dump = nlohmann::json::parse(response.substr(body + 4));
    std::map<std::string, int> out;
    for (const auto& c : dump["clusters"]) {
      const std::string address = c["priorities"][0]["endpoints"][0]["address"];
      out[c["name"]] = std::stoi(address.substr(address.rfind(':') + 1));
    }
    return out;
  }

  // Clusters(), once it equals `want` or after 10 s (the server may answer a NACK with more
  // responses).
  std::map<std::string, int> ClustersOnceThey(const std::map<std::string, int>& want) {
    std::map<std::string, int> now = Clusters();
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (now != want && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
      now = Clusters();
    }
    return now;
  }

  xds::SnapshotCache cache_;
  std::unique_ptr<xds::Server> xds_;
  std::unique_ptr<GatewayServer> gateway_;
};

TEST_F(XdsUpdateTest, UpdatesPatchAConflictIsNackedAndRemovalsApply) {
  Publish({StaticCluster("x", 1001), StaticCluster("y", 1002)});
  EXPECT_EQ(xds_->stats().nacks.load(), 0u);
  EXPECT_EQ(ClustersOnceThey({{"static-api", 9}, {"x", 1001}, {"y", 1002}}),
            (std::map<std::string, int>{{"static-api", 9}, {"x", 1001}, {"y", 1002}}));

  // "static-api" from xDS conflicts with the bootstrap's: every response carrying it is NACKed
  // and the static one stays; "a" and the new port of "x" arrive once the server sends them
  // without it.
  Publish({StaticCluster("a", 5), StaticCluster("static-api", 7), StaticCluster("x", 2001),
           StaticCluster("y", 1002)});
  const std::map<std::string, int> after_conflict = {
      {"a", 5}, {"static-api", 9}, {"x", 2001}, {"y", 1002}};
  EXPECT_EQ(ClustersOnceThey(after_conflict), after_conflict);
  EXPECT_GE(xds_->stats().nacks.load(), 1u);

  // The next update starts from the last good set: "x" moves, "a" and "y" go.
  const uint64_t nacks = xds_->stats().nacks.load();
  Publish({StaticCluster("x", 3001)});
  EXPECT_EQ(ClustersOnceThey({{"static-api", 9}, {"x", 3001}}),
            (std::map<std::string, int>{{"static-api", 9}, {"x", 3001}}));
  EXPECT_EQ(xds_->stats().nacks.load(), nacks);
}

}  // namespace
}  // namespace meshgw::gateway::proxy
