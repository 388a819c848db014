// The agent in-process on 127.0.0.1 (ports picked by the kernel) with the walkthrough's DC2 set:
// every gateway snapshot it serves is accepted by the gateway's own config translation, config
// writes are validated, placed and rolled back when the folder would not load, a bad file on disk
// keeps the last good model, and a start with a bad file names file:line:col.
#include "control/agent/agent.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "gateway/config/translate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::control {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

const std::string kConfigs = std::string(MESHGW_SOURCE_DIR) + "/configs/consul/";

constexpr char kServices[] = R"(
service {
  id      = "mesh-gateway-dc2"
  name    = "mesh-gateway"
  kind    = "mesh-gateway"
  address = "127.0.0.1"
  port    = 18443
  tagged_addresses {
    lan = { address = "127.0.0.1", port = 18443 }
    wan = { address = "127.0.0.1", port = 18443 }
  }
}
service {
  id      = "public-api-1"
  name    = "public-api"
  address = "127.0.0.1"
  port    = 19090
}
)";

class AgentTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "meshgw-agent-XXXXXX").string();
    dir_ = mkdtemp(templ.data());
    config_dir_ = dir_ + "/consul.d";
    for (const char* f :
         {"default-exported.hcl", "intentions/public-api-intentions.hcl",
          "sameness-groups/sg-dc2.hcl", "mesh.hcl", "servicedefaults/public-api.hcl"}) {
      fs::create_directories(fs::path(config_dir_ + "/" + f).parent_path());
      fs::copy_file(kConfigs + f, config_dir_ + "/" + f);
    }
    Write("services.hcl", kServices);
  }
  void TearDown() override {
    if (agent_ != nullptr) agent_->Stop();
    fs::remove_all(dir_);
  }

  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(config_dir_ + "/" + rel) << text;
  }

  ControlConfig Config() {
    ControlConfig c;
    c.datacenter = "gcp-dc2";
    c.cluster_id = "aaaaaaaa-2222-3333-4444-555555555555";
    c.data_dir = dir_ + "/data";
    c.config_dir = config_dir_;
    c.grpc_address = "127.0.0.1:0";
    c.peering_address = "127.0.0.1:0";
    c.poll_interval = absl::Milliseconds(50);
    return c;
  }

  void StartAgent() {
    absl::StatusOr<std::unique_ptr<ControlAgent>> a = ControlAgent::Start(Config());
    ASSERT_TRUE(a.ok()) << a.status();
    agent_ = *std::move(a);
  }

  std::string dir_;
  std::string config_dir_;
  std::unique_ptr<ControlAgent> agent_;
};

TEST_F(AgentTest, ServesWhatTheGatewayAccepts) {
  StartAgent();
  EXPECT_GT(agent_->grpc_port(), 0);
  EXPECT_GT(agent_->peering_port(), 0);
  SnapshotsByNode snapshots = agent_->CurrentSnapshots();
  ASSERT_EQ(snapshots.count("mesh-gateway-dc2"), 1u);
  const xds::ResourceSnapshot& snap = *snapshots["mesh-gateway-dc2"];
  EXPECT_GT(snap.Resources(xds::kListenerType).size(), 0u);
  namespace gwc = gateway::config;
  gwc::TranslateInput in;
  gwc::AddResources(snap.Resources(xds::kListenerType).ToMap(), "xds", &in.listeners);
  gwc::AddResources(snap.Resources(xds::kClusterType).ToMap(), "xds", &in.clusters);
  gwc::AddResources(snap.Resources(xds::kEndpointType).ToMap(), "xds", &in.endpoints);
  gwc::AddResources(snap.Resources(xds::kSecretType).ToMap(), "xds", &in.secrets);
  absl::StatusOr<gwc::SnapshotPtr> translated = gwc::Translate(in, 1);
  EXPECT_TRUE(translated.ok()) << translated.status();
  EXPECT_EQ(agent_->CurrentModel().local().datacenter, "gcp-dc2");
}

TEST_F(AgentTest, ConfigWritePlacesAndValidates) {
  StartAgent();
  // A new entry goes into the folder under the file's own name.
  absl::StatusOr<ConfigWriteResult> r = agent_->WriteConfig(
      "/somewhere/else/private.hcl",
      "Kind = \"service-defaults\"\nName = \"private-api\"\nProtocol = \"tcp\"\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->kind, "service-defaults");
  EXPECT_EQ(r->name, "private-api");
  EXPECT_EQ(r->path, config_dir_ + "/private.hcl");
  EXPECT_NE(agent_->CurrentModel().Find(ConfigEntryKind::kServiceDefaults, "private-api"), nullptr);
  // An existing entry is replaced where it lives.
  r = agent_->WriteConfig(
      "public.hcl", "Kind = \"service-defaults\"\nName = \"public-api\"\nProtocol = \"tcp\"\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->path,
            fs::weakly_canonical(config_dir_ + "/servicedefaults/public-api.hcl").string());
  EXPECT_EQ(agent_->CurrentModel().ServiceProtocol("public-api"), "tcp");
  EXPECT_FALSE(fs::exists(config_dir_ + "/public.hcl"));
  // Service definitions.
  r = agent_->WriteConfig(
      "more.hcl", "service {\n  name = \"audit\"\n  address = \"127.0.0.1\"\n  port = 1\n}\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->kind, "");
  EXPECT_EQ(r->name, "audit");
  EXPECT_NE(agent_->CurrentModel().FindService("audit"), nullptr);
  // A bad file: the error names the client's file name and position; nothing is written.
  r = agent_->WriteConfig("bad.hcl", "Kind = \"service-defaults\"\nName = \"x\"\nProtocl = 1\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("bad.hcl:3:1: Unsupported argument"));
  EXPECT_FALSE(fs::exists(config_dir_ + "/bad.hcl"));
}

TEST_F(AgentTest, ConfigWriteThatBreaksTheFolderIsRolledBack) {
  StartAgent();
  // services.hcl holds mesh-gateway-dc2 and public-api-1: a file redefining only public-api-1
  // does not replace it (mesh-gateway-dc2 would go); written beside it, it is a duplicate.
  absl::StatusOr<ConfigWriteResult> r = agent_->WriteConfig(
      "dup.hcl", "service {\n  id = \"public-api-1\"\n  name = \"y\"\n  port = 3\n}\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("not written"));
  EXPECT_THAT(r.status().message(), HasSubstr("public-api-1"));
  EXPECT_FALSE(fs::exists(config_dir_ + "/dup.hcl"));
  EXPECT_EQ(agent_->CurrentModel().FindService("public-api-1")->name, "public-api");
  EXPECT_NE(agent_->CurrentModel().FindService("mesh-gateway-dc2"), nullptr);
  // Redefining every service of the file replaces it.
  r = agent_->WriteConfig("services.hcl",
                          std::string(kServices) + "service {\n  name = \"z\"\n}\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->path, fs::weakly_canonical(config_dir_ + "/services.hcl").string());
  EXPECT_NE(agent_->CurrentModel().FindService("z"), nullptr);
}

TEST_F(AgentTest, BadFileOnDiskKeepsTheLastGoodModel) {
  StartAgent();
  const std::string version_before = agent_->CurrentSnapshots().at("mesh-gateway-dc2")->Version();
  Write("broken.hcl", "Kind = \"service-defaults\"\nName = \"zzz\"\nProtocol = 3 +\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(agent_->CurrentModel().Find(ConfigEntryKind::kServiceDefaults, "zzz"), nullptr);
  EXPECT_NE(agent_->CurrentModel().Find(ConfigEntryKind::kServiceDefaults, "public-api"), nullptr);
  fs::remove(config_dir_ + "/broken.hcl");
  // A good change after that is served (bounded wait).
  Write("servicedefaults/public-api.hcl",
        "Kind = \"service-defaults\"\nName = \"public-api\"\nProtocol = \"tcp\"\n");
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (agent_->CurrentModel().ServiceProtocol("public-api") != "tcp" && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(agent_->CurrentModel().ServiceProtocol("public-api"), "tcp");
  // The model is replaced before the snapshots are rebuilt from it: wait for those too.
  auto snapshot_version = [&] {
    return agent_->CurrentSnapshots().at("mesh-gateway-dc2")->Version();
  };
  while (snapshot_version() == version_before && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(snapshot_version(), version_before);
}

TEST_F(AgentTest, LeavesAreRotatedWhenDue) {
  ControlConfig c = Config();
  c.leaf_cert_ttl = absl::Hours(2);  // re-issued after 60 to 72 minutes
  absl::Mutex mu;
  absl::Time now = absl::Now();
  auto clock = [&] {
    absl::MutexLock lock(&mu);
    return now;
  };
  absl::StatusOr<std::unique_ptr<ControlAgent>> a = ControlAgent::Start(c, clock);
  ASSERT_TRUE(a.ok()) << a.status();
  agent_ = *std::move(a);
  auto leaf_version = [&] { return agent_->TEST_gateway_leaf_serial(); };
  auto peering_cert = [&]() {
    std::ifstream in(dir_ + "/data/peering-tls/cert.pem");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  const std::string first = leaf_version();
  const std::string first_peering = peering_cert();
  ASSERT_NE(first, "");
  ASSERT_THAT(first_peering, HasSubstr("BEGIN CERTIFICATE"));
  // Not yet due: the same leaves after a few polls.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(leaf_version(), first);
  EXPECT_EQ(peering_cert(), first_peering);
  {
    absl::MutexLock lock(&mu);
    now += absl::Minutes(75);
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while ((leaf_version() == first || peering_cert() == first_peering) && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(leaf_version(), first);
  EXPECT_NE(peering_cert(), first_peering);
  agent_->Stop();  // before the clock it reads goes out of scope
}

TEST_F(AgentTest, StartWithABadFileNamesIt) {
  Write("broken.hcl", "Kind = \"service-defaults\"\nName = \"zzz\"\nProtocl = \"tcp\"\n");
  absl::StatusOr<std::unique_ptr<ControlAgent>> a = ControlAgent::Start(Config());
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.status().message(), HasSubstr("broken.hcl:3:1: Unsupported argument"));
}

TEST_F(AgentTest, AddressInUseIsNamed) {
  StartAgent();
  ControlConfig c = Config();
  c.data_dir = dir_ + "/data2";
  c.grpc_address = "127.0.0.1:" + std::to_string(agent_->grpc_port());
  absl::StatusOr<std::unique_ptr<ControlAgent>> second = ControlAgent::Start(c);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("grpc_address: cannot listen on 127.0.0.1:"));
}

}  // namespace
}  // namespace meshgw::control
