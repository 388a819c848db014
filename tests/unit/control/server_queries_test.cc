// The control API's answers computed from a model, peerings and snapshots: intention decisions
// (precedence, wildcards, peers, sameness groups, L7, default deny), Consul-shaped catalog,
// health and config entry JSON, proxy-config redaction and explain's reasoning over real xDS
// resources.
#include <string>

#include "control/server/queries.h"
#include "control/source/file_source.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::control {
namespace {

using json = nlohmann::json;
using testing::HasSubstr;

constexpr char kTd[] = "aaaaaaaa-2222-3333-4444-555555555555.consul";

// A model from HCL files' texts (as the file source reads them).
Model BuildModel(const std::vector<std::string>& files) {
  LocalSettings local;
  local.datacenter = "gcp-dc2";
  local.cluster_id = "aaaaaaaa-2222-3333-4444-555555555555";
  Model::Builder b{Model(local)};
  int i = 0;
  for (const std::string& text : files) {
    absl::StatusOr<ConfigFileContents> c =
        ParseConfigFile("f" + std::to_string(i++) + ".hcl", text);
    EXPECT_TRUE(c.ok()) << c.status();
    if (!c.ok()) continue;
    if (c->entry.has_value()) b.Put(*c->entry);
    for (ServiceDefinition& s : c->services) b.PutService(std::move(s));
  }
  return std::move(b).Build();
}

const std::vector<std::string> kDc2 = {
    R"(Kind = "exported-services"
Name = "default"
Services = [{ Name = "public-api", Consumers = [{ Peer = "gcp-dc1-default" }] }])",
    R"(Kind = "service-intentions"
Name = "public-api"
Sources = [
  { Name = "front-service", Peer = "gcp-dc1-default", Action = "allow" },
  { Name = "*", Peer = "gcp-dc1-default", Action = "deny" },
  { Name = "batch", SamenessGroup = "api-services", Action = "allow" },
  { Name = "web", Permissions = [{ Action = "allow", HTTP = { PathPrefix = "/v1" } }] },
])",
    R"(Kind = "service-intentions"
Name = "*"
Sources = [{ Name = "auditor", Action = "allow" }])",
    R"(Kind = "sameness-group"
Name = "api-services"
Members = [{ Partition = "default" }, { Peer = "gcp-dc1-default" }])",
    R"(Kind = "service-defaults"
Name = "public-api"
Protocol = "http")",
    R"(service {
  id = "public-api-1"
  name = "public-api"
  tags = ["v1"]
  address = "127.0.2.20"
  port = 9090
}
service {
  id = "public-api-2"
  name = "public-api"
  address = "127.0.2.21"
  port = 9090
})",
};

TEST(CheckIntention, ExactSourceBeatsWildcard) {
  Model m = BuildModel(kDc2);
  IntentionDecision d = CheckIntention(m, {"front-service", "gcp-dc1-default", "public-api"});
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.entry, "service-intentions/public-api");
  EXPECT_EQ(d.source_index, 0);
  EXPECT_EQ(d.precedence, 9);
  EXPECT_THAT(d.reason, HasSubstr("Sources[0] (front-service from peer gcp-dc1-default, "
                                  "precedence 9, f1.hcl:1:1): allow"));
  d = CheckIntention(m, {"other", "gcp-dc1-default", "public-api"});
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.source_index, 1);
  EXPECT_EQ(d.precedence, 8);
}

TEST(CheckIntention, PeerMustMatch) {
  Model m = BuildModel(kDc2);
  // A local front-service is not the peer's front-service.
  IntentionDecision d = CheckIntention(m, {"front-service", "", "public-api"});
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.entry, "");
  EXPECT_THAT(d.reason, HasSubstr("no intention matches front-service → public-api: denied by "
                                  "default"));
  d = CheckIntention(m, {"front-service", "gcp-dc3-default", "public-api"});
  EXPECT_FALSE(d.allowed);
}

TEST(CheckIntention, SamenessGroupCoversItsMembers) {
  Model m = BuildModel(kDc2);
  EXPECT_TRUE(CheckIntention(m, {"batch", "gcp-dc1-default", "public-api"}).allowed);
  EXPECT_TRUE(CheckIntention(m, {"batch", "", "public-api"}).allowed);  // the local partition
  EXPECT_FALSE(CheckIntention(m, {"batch", "gcp-dc9", "public-api"}).allowed);
}

TEST(CheckIntention, WildcardDestinationAndL7) {
  Model m = BuildModel(kDc2);
  IntentionDecision d = CheckIntention(m, {"auditor", "", "private-api"});
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.entry, "service-intentions/*");
  EXPECT_EQ(d.precedence, 6);
  d = CheckIntention(m, {"web", "", "public-api"});
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.has_permissions);
  EXPECT_THAT(d.reason, HasSubstr("L7 permissions (1), decided per request"));
  EXPECT_EQ(d.ToJson()["HasPermissions"], true);
}

TEST(Catalog, LocalAndPeer) {
  Model m = BuildModel(kDc2);
  PeeringSet peerings;
  Peering p;
  p.name = "gcp-dc1-default";
  p.peer_datacenter = "gcp-dc1";
  ImportedService s;
  s.name = "front-service";
  s.protocol = "http";
  s.sni = {"front-service.default.default.gcp-dc2-default.external.1111.consul"};
  s.spiffe_ids = {"spiffe://1111.consul/ns/default/dc/gcp-dc1/svc/front-service"};
  s.gateways = {{"127.0.1.2", 8443}};
  s.health = InstanceHealth::kCritical;
  p.imported.push_back(s);
  peerings[p.name] = p;

  absl::StatusOr<json> local = CatalogServicesJson(m, &peerings, "");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(*local, json::parse(R"({"public-api": ["v1"]})"));
  absl::StatusOr<json> peer = CatalogServicesJson(m, &peerings, "gcp-dc1-default");
  ASSERT_TRUE(peer.ok());
  EXPECT_EQ(*peer, json::parse(R"({"front-service": []})"));
  EXPECT_EQ(CatalogServicesJson(m, &peerings, "nope").status().message(),
            "no peering named \"nope\" (see `meshgw-control peering list`)");

  absl::StatusOr<json> health = HealthServiceJson(m, &peerings, "public-api", "", false);
  ASSERT_TRUE(health.ok());
  ASSERT_EQ(health->size(), 2u);
  EXPECT_EQ((*health)[0]["Service"]["ID"], "public-api-1");
  EXPECT_EQ((*health)[0]["Service"]["Address"], "127.0.2.20");
  EXPECT_EQ((*health)[0]["Checks"], json::array());

  health = HealthServiceJson(m, &peerings, "front-service", "gcp-dc1-default", false);
  ASSERT_TRUE(health.ok());
  ASSERT_EQ(health->size(), 1u);
  const json& i = (*health)[0];
  EXPECT_EQ(i["Service"]["Service"], "front-service-sidecar-proxy");
  EXPECT_EQ(i["Service"]["Kind"], "connect-proxy");
  EXPECT_EQ(i["Service"]["Port"], 8443);
  EXPECT_EQ(i["Service"]["Connect"]["PeerMeta"]["SNI"][0], s.sni[0]);
  EXPECT_EQ(i["Service"]["Connect"]["PeerMeta"]["Protocol"], "http");
  EXPECT_EQ(i["Checks"][0]["Name"], "overall-check");
  EXPECT_EQ(i["Checks"][0]["Status"], "critical");
  health = HealthServiceJson(m, &peerings, "front-service", "gcp-dc1-default", true);
  ASSERT_TRUE(health.ok());
  EXPECT_TRUE(health->empty());  // -passing drops the critical instance
}

TEST(ConfigEntryJson, ConsulShapes) {
  Model m = BuildModel(kDc2);
  EXPECT_EQ(ConfigEntryJson(*m.Find(ConfigEntryKind::kExportedServices, "default")),
            json::parse(R"({"Kind": "exported-services", "Name": "default",
              "Services": [{"Name": "public-api", "Consumers": [{"Peer": "gcp-dc1-default"}]}]})"));
  json si = ConfigEntryJson(*m.Find(ConfigEntryKind::kServiceIntentions, "public-api"));
  EXPECT_EQ(si["Sources"][2]["SamenessGroup"], "api-services");
  EXPECT_EQ(si["Sources"][3]["Permissions"][0]["HTTP"]["PathPrefix"], "/v1");
  EXPECT_EQ(si["Sources"][3].count("Action"), 0u);
  EXPECT_EQ(ConfigEntryJson(*m.Find(ConfigEntryKind::kSamenessGroup, "api-services")),
            json::parse(R"({"Kind": "sameness-group", "Name": "api-services",
              "Members": [{"Partition": "default"}, {"Peer": "gcp-dc1-default"}]})"));
}

TEST(PeeringJson, ConsulFields) {
  Peering p;
  p.name = "gcp-dc2-default";
  p.id = "id-1";
  p.state = PeeringState::kFailing;
  p.last_error = "connection refused";
  p.last_heartbeat = absl::FromUnixSeconds(1800000000);
  json j = PeeringJson(p);
  EXPECT_EQ(j["State"], "FAILING");
  EXPECT_EQ(j["LastError"], "connection refused");
  EXPECT_EQ(j["StreamStatus"]["LastHeartbeat"], "2027-01-15T08:00:00Z");
  EXPECT_TRUE(j["StreamStatus"]["LastSend"].is_null());
}

// A gateway snapshot: one listener with an exported chain (terminated) to a cluster with two
// endpoints at two priorities, and a catch-all; a secret with a key.
std::shared_ptr<const xds::ResourceSnapshot> Snapshot() {
  namespace l = envoy::config::listener::v3;
  xds::ResourceSnapshot snap;
  l::Listener listener;
  listener.set_name("default:127.0.2.2:8443");
  listener.mutable_address()->mutable_socket_address()->set_address("127.0.2.2");
  listener.mutable_address()->mutable_socket_address()->set_port_value(8443);
  auto* chain = listener.add_filter_chains();
  chain->set_name("exported~public-api");
  chain->mutable_filter_chain_match()->add_server_names(
      std::string("public-api.default.default.gcp-dc1-default.external.") + kTd);
  chain->mutable_transport_socket()->set_name("tls");
  chain->mutable_transport_socket()->mutable_typed_config()->PackFrom(
      envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext());
  envoy::extensions::filters::network::tcp_proxy::v3::TcpProxy tcp;
  tcp.set_stat_prefix("x");
  tcp.set_cluster("exported~public-api");
  auto* filter = chain->add_filters();
  filter->set_name("envoy.filters.network.tcp_proxy");
  filter->mutable_typed_config()->PackFrom(tcp);
  auto* catch_all = listener.add_filter_chains();
  catch_all->set_name("catch-all");
  EXPECT_TRUE(snap.Add(listener).ok());
  envoy::config::cluster::v3::Cluster cluster;
  cluster.set_name("exported~public-api");
  EXPECT_TRUE(snap.Add(cluster).ok());
  envoy::config::endpoint::v3::ClusterLoadAssignment cla;
  cla.set_cluster_name("exported~public-api");
  for (int prio : {0, 1}) {
    auto* loc = cla.add_endpoints();
    loc->set_priority(prio);
    auto* sa =
        loc->add_lb_endpoints()->mutable_endpoint()->mutable_address()->mutable_socket_address();
    sa->set_address("127.0.2.2" + std::to_string(prio));
    sa->set_port_value(9090);
  }
  EXPECT_TRUE(snap.Add(cla).ok());
  envoy::extensions::transport_sockets::tls::v3::Secret secret;
  secret.set_name("mesh-gateway-leaf");
  secret.mutable_tls_certificate()->mutable_certificate_chain()->set_inline_string("CERT");
  secret.mutable_tls_certificate()->mutable_private_key()->set_inline_string(
      "-----BEGIN PRIVATE KEY-----");
  EXPECT_TRUE(snap.Add(secret).ok());
  return std::make_shared<const xds::ResourceSnapshot>(std::move(snap));
}

TEST(ProxyConfigJson, ResourcesWithKeysRedacted) {
  json j = ProxyConfigJson("mesh-gateway-dc2", *Snapshot());
  EXPECT_EQ(j["node"], "mesh-gateway-dc2");
  EXPECT_EQ(j["resources"]["Listener"][0]["name"], "default:127.0.2.2:8443");
  EXPECT_EQ(j["resources"]["Listener"][0]["resource"]["filter_chains"][0]["filters"][0]
             ["typed_config"]["cluster"],
            "exported~public-api");
  const std::string secrets = j["resources"]["Secret"].dump();
  EXPECT_THAT(secrets, HasSubstr("[redacted]"));
  EXPECT_THAT(secrets, testing::Not(HasSubstr("BEGIN PRIVATE KEY")));
}

TEST(ExplainSni, ExportedServiceThroughItsChain) {
  Model m = BuildModel(kDc2);
  const std::string sni = std::string("public-api.default.default.gcp-dc1-default.external.") + kTd;
  json e = ExplainSniJson(m, nullptr, {{"mesh-gateway-dc2", Snapshot()}}, sni);
  EXPECT_EQ(e["parsed"]["form"], "peered-service");
  EXPECT_EQ(e["parsed"]["peer"], "gcp-dc1-default");
  EXPECT_EQ(e["protocol"], "http");
  ASSERT_EQ(e["gateways"].size(), 1u);
  const json& g = e["gateways"][0];
  EXPECT_EQ(g["chain"], "exported~public-api");
  EXPECT_EQ(g["mode"], "terminate");
  EXPECT_EQ(g["cluster"]["endpoints"][1]["address"], "127.0.2.21:9090");
  EXPECT_EQ(g["cluster"]["endpoints"][1]["priority"], 1);
  // Intentions of that peer: front-service allow, "*" deny, batch via the sameness group.
  EXPECT_EQ(e["intentions"].size(), 3u);
  EXPECT_THAT(e["why"].dump(), HasSubstr("Exported to gcp-dc1-default; protocol http"));
}

TEST(ExplainSni, OtherFormsAndUnknownNames) {
  Model m = BuildModel(kDc2);
  auto snaps = SnapshotsByNode{{"mesh-gateway-dc2", Snapshot()}};
  json e =
      ExplainSniJson(m, nullptr, snaps,
                     std::string("private-api.default.default.gcp-dc1-default.external.") + kTd);
  EXPECT_THAT(e["why"].dump(), HasSubstr("private-api is not exported to gcp-dc1-default"));
  e = ExplainSniJson(m, nullptr, snaps, std::string("server.gcp-dc2.peering.") + kTd);
  EXPECT_EQ(e["parsed"]["form"], "peering-server");
  EXPECT_THAT(e["why"].dump(), HasSubstr("names our own peering servers"));
  e = ExplainSniJson(m, nullptr, snaps, "example.com");
  EXPECT_EQ(e["parsed"]["form"], "unknown");
  // The catch-all chain (no server_names) takes any name.
  EXPECT_EQ(e["gateways"][0]["chain"], "catch-all");
  e = ExplainSniJson(m, nullptr, {}, "example.com");
  EXPECT_THAT(e["why"].dump(), HasSubstr("No gateway has a configuration yet."));
}

TEST(ExplainFlow, PeerSourceUsesThePeeredSni) {
  Model m = BuildModel(kDc2);
  json e = ExplainFlowJson(m, nullptr, {{"mesh-gateway-dc2", Snapshot()}},
                           {"front-service", "gcp-dc1-default", "public-api"});
  EXPECT_EQ(e["sni"], std::string("public-api.default.default.gcp-dc1-default.external.") + kTd);
  EXPECT_EQ(e["intention"]["Allowed"], true);
  EXPECT_EQ(e["explain_sni"]["gateways"][0]["chain"], "exported~public-api");
  e = ExplainFlowJson(m, nullptr, {}, {"front-service", "", "public-api"});
  EXPECT_THAT(e["why"].dump(), HasSubstr("has no upstream to public-api"));
}

}  // namespace
}  // namespace meshgw::control
