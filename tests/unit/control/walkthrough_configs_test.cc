// Every Consul file of the walkthrough (configs/consul/, the golden inputs) loads into the typed
// values it means, and the two datacenters' sets load as folders into the models DC1 and DC2 run
// on. The folder as a whole mixes both datacenters' variants, so it must fail, naming each
// duplicate and both of its places.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "control/model/model.h"
#include "control/source/file_source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::control {
namespace {

namespace fs = std::filesystem;
using testing::ElementsAre;

const std::string kConfigs = std::string(MESHGW_SOURCE_DIR) + "/configs/consul/";

ConfigFileContents Parse(const std::string& rel) {
  std::ifstream in(kConfigs + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << rel;
  absl::StatusOr<ConfigFileContents> c = ParseConfigFile("configs/consul/" + rel, ss.str());
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *std::move(c) : ConfigFileContents{};
}

template <typename T>
T ParseEntry(const std::string& rel) {
  ConfigFileContents c = Parse(rel);
  EXPECT_TRUE(c.entry.has_value()) << rel;
  EXPECT_TRUE(c.services.empty());
  EXPECT_EQ(c.skipped_reason, "");
  if (!c.entry.has_value() || !std::holds_alternative<T>(*c.entry)) {
    ADD_FAILURE() << rel << " is not the expected kind";
    return T{};
  }
  return std::get<T>(*c.entry);
}

TEST(Walkthrough, DefaultExported) {
  auto e = ParseEntry<ExportedServices>("default-exported.hcl");
  EXPECT_EQ(e.name, "default");
  EXPECT_EQ(e.origin, "configs/consul/default-exported.hcl:2:1");
  ASSERT_EQ(e.services.size(), 2u);
  EXPECT_EQ(e.services[0].name, "public-api");
  EXPECT_THAT(e.services[0].consumers, ElementsAre(ExportedConsumer{"gcp-dc1-default", "", ""}));
  EXPECT_EQ(e.services[1].name, "private-api");
  EXPECT_THAT(e.services[1].consumers, ElementsAre(ExportedConsumer{"gcp-dc1-default", "", ""}));
}

TEST(Walkthrough, DefaultExportedSamenessVariant) {
  auto e = ParseEntry<ExportedServices>("sameness-groups/default-exported-sg.hcl");
  EXPECT_EQ(e.name, "default");
  ASSERT_EQ(e.services.size(), 2u);
  EXPECT_EQ(e.services[0].name, "public-api");
  EXPECT_THAT(e.services[0].consumers, ElementsAre(ExportedConsumer{"", "", "api-services"}));
  EXPECT_EQ(e.services[1].name, "private-api");
  EXPECT_THAT(e.services[1].consumers, ElementsAre(ExportedConsumer{"", "", "api-services"}));
}

IntentionSource Source(std::string name, std::string peer, std::string sameness,
                       IntentionAction action, int precedence) {
  IntentionSource s;
  s.name = std::move(name);
  s.peer = std::move(peer);
  s.sameness_group = std::move(sameness);
  s.action = action;
  s.precedence = precedence;
  return s;
}

TEST(Walkthrough, Intentions) {
  auto front = ParseEntry<ServiceIntentions>("intentions/front-intentions.hcl");
  EXPECT_EQ(front.name, "front-service");
  EXPECT_THAT(front.sources,
              ElementsAre(Source("my-api-gateway", "", "", IntentionAction::kAllow, 9)));

  auto pub = ParseEntry<ServiceIntentions>("intentions/public-api-intentions.hcl");
  EXPECT_EQ(pub.name, "public-api");
  EXPECT_EQ(pub.origin, "configs/consul/intentions/public-api-intentions.hcl:5:1");
  EXPECT_THAT(pub.sources, ElementsAre(Source("front-service", "gcp-dc1-default", "",
                                              IntentionAction::kAllow, 9)));

  auto priv = ParseEntry<ServiceIntentions>("intentions/private-api-intentions.hcl");
  EXPECT_EQ(priv.name, "private-api");
  EXPECT_THAT(priv.sources, ElementsAre(Source("front-service", "gcp-dc1-default", "",
                                               IntentionAction::kAllow, 9)));

  auto insecure = ParseEntry<ServiceIntentions>("intentions/insecure-destination-intention.hcl");
  EXPECT_EQ(insecure.name, "test-destination");
  EXPECT_THAT(insecure.sources,
              ElementsAre(Source("front-service", "", "", IntentionAction::kAllow, 9),
                          Source("public-api", "", "", IntentionAction::kAllow, 9)));

  auto sg = ParseEntry<ServiceIntentions>("sameness-groups/public-api-intentions-sg.hcl");
  EXPECT_EQ(sg.name, "public-api");
  EXPECT_THAT(sg.sources,
              ElementsAre(Source("front-service", "", "api-services", IntentionAction::kAllow, 9)));
}

TEST(Walkthrough, SamenessGroups) {
  auto dc1 = ParseEntry<SamenessGroup>("sameness-groups/sg-dc1.hcl");
  EXPECT_EQ(dc1.name, "api-services");
  EXPECT_EQ(dc1.partition, "default");
  EXPECT_TRUE(dc1.default_for_failover);
  EXPECT_FALSE(dc1.include_local);
  EXPECT_THAT(dc1.members,
              ElementsAre(SamenessMember{"default", ""}, SamenessMember{"", "gcp-dc2-default"}));
  auto dc2 = ParseEntry<SamenessGroup>("sameness-groups/sg-dc2.hcl");
  EXPECT_EQ(dc2.name, "api-services");
  EXPECT_TRUE(dc2.default_for_failover);
  EXPECT_THAT(dc2.members,
              ElementsAre(SamenessMember{"default", ""}, SamenessMember{"", "gcp-dc1-default"}));
}

TEST(Walkthrough, ResolverFailsOverToThePeer) {
  auto r = ParseEntry<ServiceResolver>("public-api-resolver.hcl");
  EXPECT_EQ(r.name, "public-api");
  EXPECT_EQ(r.connect_timeout, absl::Seconds(15));
  EXPECT_FALSE(r.redirect.has_value());
  ASSERT_EQ(r.failover.size(), 1u);
  const ResolverFailover& f = r.failover.at("*");
  FailoverTarget target;
  target.peer = "gcp-dc2-default";
  EXPECT_THAT(f.targets, ElementsAre(target));
  EXPECT_EQ(f.sameness_group, "");
  EXPECT_TRUE(f.datacenters.empty());
}

TEST(Walkthrough, Mesh) {
  auto m = ParseEntry<Mesh>("mesh.hcl");
  EXPECT_EQ(m.name, "mesh");
  EXPECT_TRUE(m.peering.peer_through_mesh_gateways);
  EXPECT_FALSE(m.tls.has_value());
  EXPECT_FALSE(m.allow_enabling_permissive_mutual_tls);
}

TEST(Walkthrough, ProxyDefaults) {
  auto p = ParseEntry<ProxyDefaults>("proxy-defaults.hcl");
  EXPECT_EQ(p.name, "global");
  EXPECT_EQ(p.mesh_gateway.mode, "local");
  EXPECT_EQ(p.config, nlohmann::json({{"protocol", "http"}}));
  EXPECT_EQ(p.Protocol(), "http");
  EXPECT_FALSE(p.access_logs.has_value());

  auto logs = ParseEntry<ProxyDefaults>("proxy-defaults-access-logs.hcl");
  EXPECT_EQ(logs.name, "global");
  EXPECT_EQ(logs.mesh_gateway.mode, "local");
  EXPECT_EQ(logs.config,
            nlohmann::json({{"protocol", "http"}, {"envoy_prometheus_bind_addr", "0.0.0.0:9102"}}));
  ASSERT_TRUE(logs.access_logs.has_value());
  EXPECT_TRUE(logs.access_logs->enabled);
  EXPECT_EQ(logs.access_logs->type, "file");
  EXPECT_EQ(logs.access_logs->path, "/alloc/logs/envoy-access.log");
  EXPECT_EQ(logs.access_logs->json_format,
            "{\n  \"start_time\": \"%START_TIME%\",\n  \"method\": \"%REQ(:METHOD)%\",\n"
            "  \"path\": \"%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%\",\n"
            "  \"response_code\": \"%RESPONSE_CODE%\",\n"
            "  \"upstream_host\": \"%UPSTREAM_HOST%\",\n  \"duration\": \"%DURATION%\"\n}\n");
}

TEST(Walkthrough, ServiceDefaults) {
  for (const char* name : {"front-service", "private-api", "public-api", "terminating-gateway"}) {
    auto d = ParseEntry<ServiceDefaults>(std::string("servicedefaults/") + name + ".hcl");
    EXPECT_EQ(d.name, name);
    EXPECT_EQ(d.protocol, "http");
    EXPECT_FALSE(d.destination.has_value());
  }
  auto test = ParseEntry<ServiceDefaults>("servicedefaults/test-destination.hcl");
  EXPECT_EQ(test.protocol, "tcp");
  ASSERT_TRUE(test.destination.has_value());
  EXPECT_THAT(test.destination->addresses, ElementsAre("10.2.0.4", "10.2.0.18"));
  EXPECT_EQ(test.destination->port, 80);
  auto tls = ParseEntry<ServiceDefaults>("servicedefaults/tls-destination.hcl");
  EXPECT_EQ(tls.protocol, "tcp");
  ASSERT_TRUE(tls.destination.has_value());
  EXPECT_THAT(tls.destination->addresses, ElementsAre("developer.hashicorp.com", "www.google.com",
                                                      "10.2.0.4", "10.2.0.18", "hashicorp.com"));
  EXPECT_EQ(tls.destination->port, 443);
}

TEST(Walkthrough, ApiGatewayAndRoute) {
  auto gw = ParseEntry<ApiGateway>("api-gateway/listener.hcl");
  EXPECT_EQ(gw.name, "my-api-gateway");
  ASSERT_EQ(gw.listeners.size(), 1u);
  EXPECT_EQ(gw.listeners[0].name, "my-http-listener");
  EXPECT_EQ(gw.listeners[0].port, 8081);
  EXPECT_EQ(gw.listeners[0].protocol, "http");
  EXPECT_FALSE(gw.listeners[0].tls.has_value());

  auto route = ParseEntry<HttpRoute>("api-gateway/httproute.hcl");
  EXPECT_EQ(route.name, "my-http-route");
  EXPECT_THAT(route.parents, ElementsAre(RouteParent{"api-gateway", "my-api-gateway",
                                                     "my-http-listener", "", ""}));
  ASSERT_EQ(route.rules.size(), 1u);
  ASSERT_EQ(route.rules[0].matches.size(), 1u);
  ASSERT_TRUE(route.rules[0].matches[0].path.has_value());
  EXPECT_EQ(*route.rules[0].matches[0].path, (HttpPathMatch{"prefix", "/"}));
  ASSERT_EQ(route.rules[0].services.size(), 1u);
  EXPECT_EQ(route.rules[0].services[0].name, "front-service");
}

TEST(Walkthrough, MeshAclIsRecognisedAndSkipped) {
  ConfigFileContents c = Parse("mesh-acl.hcl");
  EXPECT_FALSE(c.entry.has_value());
  EXPECT_TRUE(c.services.empty());
  EXPECT_EQ(c.skipped_reason,
            "ACL policy (rules for `consul acl policy create`), not a config entry");
}

// ---- The two datacenters as folders ---------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "meshgw-walk-XXXXXX").string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  void Copy(const std::string& rel) const {
    fs::create_directories(fs::path(path_ + "/" + rel).parent_path());
    fs::copy_file(kConfigs + rel, path_ + "/" + rel);
  }

 private:
  std::string path_;
};

LocalSettings Local(const std::string& dc, const std::string& cluster) {
  LocalSettings l;
  l.datacenter = dc;
  l.cluster_id = cluster;
  return l;
}

TEST(Walkthrough, Dc1Folder) {
  TempDir dir;
  for (const char* f :
       {"intentions/front-intentions.hcl", "sameness-groups/sg-dc1.hcl", "public-api-resolver.hcl",
        "mesh.hcl", "proxy-defaults.hcl", "mesh-acl.hcl", "servicedefaults/front-service.hcl",
        "servicedefaults/public-api.hcl", "servicedefaults/private-api.hcl",
        "api-gateway/listener.hcl", "api-gateway/httproute.hcl"}) {
    dir.Copy(f);
  }
  FileSource source({dir.path(), Local("gcp-dc1", "11111111-2222-3333-4444-555555555555")});
  absl::StatusOr<bool> loaded = source.Reload();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(*loaded);
  const Model& m = source.model();
  EXPECT_EQ(m.local().TrustDomain(), "11111111-2222-3333-4444-555555555555.consul");
  EXPECT_EQ(m.EntryCount(), 10u);
  EXPECT_THAT(source.skipped(),
              ElementsAre(SkippedFile{dir.path() + "/mesh-acl.hcl",
                                      "ACL policy (rules for `consul acl policy create`), not a "
                                      "config entry"}));
  EXPECT_TRUE(m.PeerThroughMeshGateways());
  EXPECT_EQ(m.ServiceProtocol("public-api"), "http");
  EXPECT_EQ(m.ServiceProtocol("unknown-service"), "http");  // proxy-defaults Config.protocol
  ASSERT_NE(m.Get<ServiceResolver>("public-api"), nullptr);
  EXPECT_EQ(m.Get<ServiceResolver>("public-api")->failover.at("*").targets[0].peer,
            "gcp-dc2-default");
  ASSERT_NE(m.Get<SamenessGroup>("api-services"), nullptr);
  EXPECT_EQ(m.Get<SamenessGroup>("api-services")->members[1].peer, "gcp-dc2-default");
  EXPECT_EQ(m.Get<ServiceIntentions>("front-service")->sources[0].name, "my-api-gateway");
  EXPECT_EQ(m.Get<ExportedServices>("default"), nullptr);
  EXPECT_EQ(m.Get<HttpRoute>("my-http-route")->rules[0].services[0].name, "front-service");
}

TEST(Walkthrough, Dc2Folder) {
  TempDir dir;
  for (const char* f :
       {"default-exported.hcl", "intentions/public-api-intentions.hcl",
        "intentions/private-api-intentions.hcl", "sameness-groups/sg-dc2.hcl", "mesh.hcl",
        "proxy-defaults-access-logs.hcl", "mesh-acl.hcl", "servicedefaults/public-api.hcl",
        "servicedefaults/private-api.hcl", "servicedefaults/test-destination.hcl",
        "servicedefaults/tls-destination.hcl", "servicedefaults/terminating-gateway.hcl",
        "intentions/insecure-destination-intention.hcl"}) {
    dir.Copy(f);
  }
  FileSource source({dir.path(), Local("gcp-dc2", "aaaaaaaa-2222-3333-4444-555555555555")});
  absl::StatusOr<bool> loaded = source.Reload();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Model& m = source.model();
  EXPECT_EQ(m.EntryCount(), 12u);
  auto exported = m.Get<ExportedServices>("default");
  ASSERT_NE(exported, nullptr);
  EXPECT_EQ(exported->services[1].consumers[0].peer, "gcp-dc1-default");
  EXPECT_EQ(m.Get<ServiceIntentions>("private-api")->sources[0].peer, "gcp-dc1-default");
  EXPECT_EQ(m.Get<ServiceIntentions>("public-api")->sources[0].peer, "gcp-dc1-default");
  EXPECT_EQ(m.Get<SamenessGroup>("api-services")->members[1].peer, "gcp-dc1-default");
  EXPECT_EQ(m.Get<ProxyDefaults>("global")->access_logs->path, "/alloc/logs/envoy-access.log");
  EXPECT_EQ(m.ServiceProtocol("test-destination"), "tcp");
  EXPECT_TRUE(m.PeerThroughMeshGateways());
  EXPECT_THAT(m.PeersExportedTo("private-api"), ElementsAre("gcp-dc1-default"));
  EXPECT_THAT(m.PeersExportedTo("public-api"), ElementsAre("gcp-dc1-default"));
  EXPECT_THAT(m.PeersExportedTo("front-service"), testing::IsEmpty());
}

TEST(Walkthrough, Dc2SamenessVariantFolder) {
  TempDir dir;
  for (const char* f : {"sameness-groups/default-exported-sg.hcl", "sameness-groups/sg-dc2.hcl",
                        "sameness-groups/public-api-intentions-sg.hcl", "mesh.hcl"}) {
    dir.Copy(f);
  }
  FileSource source({dir.path(), Local("gcp-dc2", "aaaaaaaa-2222-3333-4444-555555555555")});
  absl::StatusOr<bool> loaded = source.Reload();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Model& m = source.model();
  EXPECT_EQ(m.EntryCount(), 4u);
  // Exported to the sameness group: its peer members are the consumers.
  EXPECT_THAT(m.PeersExportedTo("public-api"), ElementsAre("gcp-dc1-default"));
  EXPECT_EQ(m.Get<ServiceIntentions>("public-api")->sources[0].sameness_group, "api-services");
}

TEST(Walkthrough, WholeFolderNamesEachDuplicateAndBothPlaces) {
  FileSource source({kConfigs.substr(0, kConfigs.size() - 1), Local("gcp-dc2", "c")});
  absl::StatusOr<bool> loaded = source.Reload();
  ASSERT_FALSE(loaded.ok());
  const std::string d = kConfigs;
  EXPECT_EQ(loaded.status().message(),
            d +
                "proxy-defaults.hcl:1:1: Duplicate config entry; proxy-defaults \"global\" is "
                "also defined at " +
                d +
                "proxy-defaults-access-logs.hcl:2:1; each kind and name "
                "may be defined once.\n" +
                d +
                "sameness-groups/default-exported-sg.hcl:2:1: Duplicate config entry; "
                "exported-services \"default\" is also defined at " +
                d + "default-exported.hcl:2:1; each kind and name may be defined once.\n" + d +
                "sameness-groups/public-api-intentions-sg.hcl:2:1: Duplicate config entry; "
                "service-intentions \"public-api\" is also defined at " +
                d +
                "intentions/public-api-intentions.hcl:5:1; each kind and name may be defined "
                "once.\n" +
                d +
                "sameness-groups/sg-dc2.hcl:2:1: Duplicate config entry; sameness-group "
                "\"api-services\" is also defined at " +
                d +
                "sameness-groups/sg-dc1.hcl:2:1; "
                "each kind and name may be defined once.");
  EXPECT_EQ(source.model().EntryCount(), 0u);  // nothing good was ever loaded
}

}  // namespace
}  // namespace meshgw::control
