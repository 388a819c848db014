// control.hcl decoding: a full file with every setting, the defaults, relative folders resolved
// against the file's folder, token files, and each bad value reported at its file:line:col.
#include <filesystem>
#include <fstream>
#include <string>

#include "control/agent/control_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::control {
namespace {

namespace fs = std::filesystem;
using testing::ElementsAre;
using testing::HasSubstr;

absl::StatusOr<ControlConfig> Parse(const std::string& text) {
  return ParseControlConfig("control.hcl", text, "/etc/meshgw");
}

std::string Error(const std::string& text) {
  absl::StatusOr<ControlConfig> c = Parse(text);
  EXPECT_FALSE(c.ok()) << text;
  return c.ok() ? "" : std::string(c.status().message());
}

constexpr char kMinimal[] = R"(
datacenter = "gcp-dc2"
cluster_id = "aaaaaaaa-2222-3333-4444-555555555555"
config_dir = "consul.d"
)";

TEST(ControlConfig, FullFile) {
  absl::StatusOr<ControlConfig> c = Parse(R"(
datacenter      = "gcp-dc1"
partition       = "default"
cluster_id      = "11111111-2222-3333-4444-555555555555"
data_dir        = "/var/lib/meshgw-control"
config_dir      = "consul.d"
source          = "file"
grpc_address    = "127.0.1.1:8510"
peering_address = "127.0.1.1:8503"
gateway_tokens {
  token = "dc1-gateway"
  nodes = ["mesh-gateway-dc1", "mesh-gateway-dc1-2"]
}
gateway_tokens {
  token = "any-gateway"
  nodes = ["*"]
}
control_tokens = ["cli-secret"]
log_level      = "DEBUG"
poll_interval  = "250ms"
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->datacenter, "gcp-dc1");
  EXPECT_EQ(c->TrustDomain(), "11111111-2222-3333-4444-555555555555.consul");
  EXPECT_EQ(c->data_dir, "/var/lib/meshgw-control");
  EXPECT_EQ(c->config_dir, "/etc/meshgw/consul.d");
  EXPECT_EQ(c->source, SourceKind::kFile);
  EXPECT_EQ(c->grpc_address, "127.0.1.1:8510");
  EXPECT_EQ(c->peering_address, "127.0.1.1:8503");
  ASSERT_EQ(c->gateway_tokens.size(), 2u);
  EXPECT_EQ(c->gateway_tokens[0].token, "dc1-gateway");
  EXPECT_THAT(c->gateway_tokens[0].nodes, ElementsAre("mesh-gateway-dc1", "mesh-gateway-dc1-2"));
  EXPECT_EQ(c->gateway_tokens[0].origin, "control.hcl:12:11");
  EXPECT_THAT(c->gateway_tokens[1].nodes, ElementsAre("*"));
  EXPECT_THAT(c->control_tokens, ElementsAre("cli-secret"));
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->poll_interval, absl::Milliseconds(250));
}

TEST(ControlConfig, Defaults) {
  absl::StatusOr<ControlConfig> c = Parse(kMinimal);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->partition, "default");
  EXPECT_EQ(c->grpc_address, "127.0.0.1:8510");
  EXPECT_EQ(c->peering_address, "127.0.0.1:8503");
  EXPECT_EQ(c->source, SourceKind::kFile);
  EXPECT_EQ(c->data_dir, "");
  EXPECT_TRUE(c->gateway_tokens.empty());
  EXPECT_TRUE(c->control_tokens.empty());
  EXPECT_EQ(c->poll_interval, absl::Seconds(1));
}

TEST(ControlConfig, ConsulSourceNeedsNoClusterId) {
  absl::StatusOr<ControlConfig> c = Parse(R"(
datacenter = "gcp-dc1"
source     = "consul"
consul {
  address = "127.0.0.1:8500"
  wait    = "30s"
}
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->source, SourceKind::kConsul);
  EXPECT_EQ(c->consul_address, "127.0.0.1:8500");
  EXPECT_EQ(c->consul_wait, absl::Seconds(30));
}

TEST(ControlConfig, TokenFileIsReadRelativeToTheConfig) {
  const fs::path dir = fs::temp_directory_path() / "meshgw-control-config-test";
  fs::create_directories(dir);
  std::ofstream(dir / "gw.token") << "  from-a-file\n";
  std::ofstream(dir / "control.hcl") << kMinimal << R"(
gateway_tokens {
  token_file = "gw.token"
  nodes      = ["mesh-gateway-dc2"]
}
)";
  absl::StatusOr<ControlConfig> c = LoadControlConfig((dir / "control.hcl").string());
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->gateway_tokens.size(), 1u);
  EXPECT_EQ(c->gateway_tokens[0].token, "from-a-file");
  EXPECT_EQ(c->config_dir, (dir / "consul.d").string());
  fs::remove_all(dir);
}

TEST(ControlConfig, MissingFileIsNamed) {
  absl::StatusOr<ControlConfig> c = LoadControlConfig("/nonexistent/control.hcl");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("/nonexistent/control.hcl"));
}

TEST(ControlConfig, ErrorsNameFileLineColumn) {
  EXPECT_THAT(Error("datacenter = \"dc1\"\ncluster_id = \"x\"\nconfig_dir = \"d\"\nsorce = 1\n"),
              HasSubstr("control.hcl:4:1: Unsupported argument; An argument named \"sorce\" is "
                        "not expected here. Did you mean \"source\"?"));
  EXPECT_THAT(Error(std::string(kMinimal) + "source = \"etcd\"\n"),
              HasSubstr("control.hcl:5:10: source: \"etcd\" is not one of \"file\", \"consul\""));
  EXPECT_THAT(Error(std::string(kMinimal) + "grpc_address = \"localhost\"\n"),
              HasSubstr("control.hcl:5:16: grpc_address: \"localhost\" is not host:port"));
  EXPECT_THAT(Error(std::string(kMinimal) + "peering_address = \"127.0.0.1:99999\"\n"),
              HasSubstr("control.hcl:5:19: peering_address: \"127.0.0.1:99999\" is not host:port "
                        "with a port from 0 to 65535"));
  EXPECT_THAT(Error("datacenter = \"gcp dc1\"\ncluster_id = \"aa\"\nconfig_dir = \"d\"\n"),
              HasSubstr("control.hcl:1:14: datacenter: \"gcp dc1\" is not a valid name"));
  EXPECT_THAT(Error("datacenter = \"dc1\"\ncluster_id = \"not-a-uuid!\"\nconfig_dir = \"d\"\n"),
              HasSubstr("control.hcl:2:14: cluster_id: \"not-a-uuid!\" is not a cluster ID"));
  EXPECT_THAT(Error("datacenter = \"dc1\"\nconfig_dir = \"d\"\n"),
              HasSubstr("control.hcl:1:1: cluster_id: required with source = \"file\""));
  EXPECT_THAT(Error("cluster_id = \"aa\"\nconfig_dir = \"d\"\n"),
              HasSubstr("Missing required argument"));
  EXPECT_THAT(Error(std::string(kMinimal) + "log_level = \"loud\"\n"),
              HasSubstr("control.hcl:5:13: log_level: \"loud\" is not one of"));
  EXPECT_THAT(Error(std::string(kMinimal) + "leaf_cert_ttl = \"1s\"\n"),
              HasSubstr("control.hcl:5:17: leaf_cert_ttl: must be from 2m to 8760h"));
  EXPECT_THAT(Error(std::string(kMinimal) + "poll_interval = \"1ms\"\n"),
              HasSubstr("control.hcl:5:17: poll_interval: must be at least 10ms"));
}

TEST(ControlConfig, TokenErrors) {
  EXPECT_THAT(Error(std::string(kMinimal) + "gateway_tokens {\n  nodes = [\"gw\"]\n}\n"),
              HasSubstr("control.hcl:6:11: gateway_tokens: set exactly one of token and "
                        "token_file"));
  EXPECT_THAT(Error(std::string(kMinimal) + "gateway_tokens {\n  token = \"t\"\n  nodes = []\n}\n"),
              HasSubstr("control.hcl:7:11: gateway_tokens.nodes: empty"));
  EXPECT_THAT(Error(std::string(kMinimal) +
                    "gateway_tokens {\n  token_file = \"/nonexistent/t\"\n  nodes = [\"gw\"]\n}\n"),
              HasSubstr("control.hcl:6:16: gateway_tokens.token_file: cannot read /nonexistent/t"));
  EXPECT_THAT(Error(std::string(kMinimal) + "gateway_tokens {\n  token = \"t\"\n}\n"),
              HasSubstr("Missing required argument"));
}

TEST(ControlConfig, OpenApiOnlyOnLoopback) {
  EXPECT_THAT(Error(std::string(kMinimal) + "grpc_address = \"0.0.0.0:8510\"\n"),
              HasSubstr("control.hcl:5:16: grpc_address: 0.0.0.0:8510 is not a loopback address: "
                        "set control_tokens"));
  absl::StatusOr<ControlConfig> c =
      Parse(std::string(kMinimal) + "grpc_address = \"0.0.0.0:8510\"\ncontrol_tokens = [\"t\"]\n");
  EXPECT_TRUE(c.ok()) << c.status();
}

TEST(ControlConfig, PortsMustDiffer) {
  EXPECT_THAT(Error(std::string(kMinimal) +
                    "grpc_address = \"127.0.0.1:1\"\npeering_address = \"127.0.0.1:1\"\n"),
              HasSubstr("control.hcl:6:19: peering_address: the same as grpc_address"));
}

TEST(ControlConfig, ConsulBlockOnlyWithConsulSource) {
  EXPECT_THAT(Error(std::string(kMinimal) + "consul {\n  address = \"127.0.0.1:8500\"\n}\n"),
              HasSubstr("control.hcl:6:13: consul: set only with source = \"consul\""));
}

TEST(ControlConfig, ExamplesParse) {
  const std::string dir = std::string(MESHGW_SOURCE_DIR) + "/configs/control/";
  absl::StatusOr<ControlConfig> file = LoadControlConfig(dir + "control.hcl");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->config_dir, dir + "consul.d");
  EXPECT_EQ(file->gateway_tokens[0].nodes[0], "mesh-gateway-dc2");
  absl::StatusOr<ControlConfig> consul = LoadControlConfig(dir + "consul-source.hcl");
  ASSERT_TRUE(consul.ok()) << consul.status();
  EXPECT_EQ(consul->source, SourceKind::kConsul);
  EXPECT_EQ(consul->gateway_tokens[0].token, "replace-me-gateway-token");
}

TEST(HostPort, SplitAndLoopback) {
  auto hp = SplitHostPort("[::1]:8510");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->first, "::1");
  EXPECT_EQ(hp->second, 8510);
  EXPECT_FALSE(SplitHostPort("::1:8510").ok());
  EXPECT_TRUE(IsLoopbackAddress("127.0.1.1:8510"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:1"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:1"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1:8510"));
}

}  // namespace
}  // namespace meshgw::control
