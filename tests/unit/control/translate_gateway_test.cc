// Tests of control/translate: the walkthrough's two datacenters (their config entries as the file
// source loads them, the sandbox's service definitions, a peering on each side) translated for
// their mesh gateways; golden JSON of every resource; every snapshot fed through the gateway's own
// config translation, which must accept it as complete; the shapes that matter checked on the
// gateway's side (SNI routes, principals, priorities and per-endpoint TLS); and the incremental
// translator re-emitting only what a change touches.
//
// MESHGW_UPDATE_GOLDEN=1 rewrites tests/testdata/control/translate/*.json.
#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "control/ca/embedded_ca.h"
#include "control/model/model.h"
#include "control/source/file_source.h"
#include "control/translate/translate.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/core/v3/core.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "gateway/authz/rbac.h"
#include "gateway/config/translate.h"
#include "gateway/tls/client_context.h"
#include "gateway/tls/server_context.h"
#include "gateway/tls/tls_session.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/unit/gateway/tls/tls_test_util.h"
#include "xds/resource.h"
#include "xds/snapshot_cache.h"

namespace meshgw::control {
namespace {

namespace fs = std::filesystem;
namespace gwc = meshgw::gateway::config;
using testing::ElementsAre;
using testing::IsEmpty;
using testing::UnorderedElementsAre;

const std::string kConfigs = std::string(MESHGW_SOURCE_DIR) + "/configs/consul/";
const std::string kGoldenDir =
    std::string(MESHGW_SOURCE_DIR) + "/tests/testdata/control/translate/";

constexpr char kDc1Cluster[] = "11111111-2222-3333-4444-555555555555";
constexpr char kDc2Cluster[] = "aaaaaaaa-2222-3333-4444-555555555555";
const std::string kDc1Td = absl::StrCat(kDc1Cluster, ".consul");
const std::string kDc2Td = absl::StrCat(kDc2Cluster, ".consul");

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "meshgw-translate-XXXXXX").string();
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

// The config entries of one datacenter, as walkthrough_configs_test.cc loads them.
Model LoadEntries(const std::vector<std::string>& files, const std::string& dc,
                  const std::string& cluster_id) {
  TempDir dir;
  for (const std::string& f : files) dir.Copy(f);
  LocalSettings local;
  local.datacenter = dc;
  local.cluster_id = cluster_id;
  FileSource source({dir.path(), local});
  absl::StatusOr<bool> loaded = source.Reload();
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return source.model();
}

ServiceDefinition Instance(const std::string& id, const std::string& name,
                           const std::string& address, int port) {
  ServiceDefinition s;
  s.id = id;
  s.name = name;
  s.address = address;
  s.port = port;
  return s;
}

ServiceDefinition Gateway(const std::string& id, const std::string& address) {
  ServiceDefinition g = Instance(id, "mesh-gateway", address, 8443);
  g.kind = "mesh-gateway";
  g.tagged_addresses["lan"] = ServiceAddress{address, 8443};
  g.tagged_addresses["wan"] = ServiceAddress{address, 8443};
  return g;
}

ServiceUpstream PeerUpstream(const std::string& service, const std::string& peer, int port) {
  ServiceUpstream u;
  u.destination_name = service;
  u.destination_peer = peer;
  u.local_bind_address = "127.0.1.2";
  u.local_bind_port = port;
  return u;
}

// Roots and leaves of one datacenter, issued by a real embedded CA.
struct Dc {
  std::unique_ptr<EmbeddedCa> ca;
  std::shared_ptr<const CaMaterial> material;
};

Dc MakeCa(const std::string& td, const std::string& dc, const std::vector<std::string>& services) {
  const absl::Time now = absl::Now();  // the handshakes check validity against the clock
  CaOptions options;
  options.trust_domain = td;
  options.datacenter = dc;
  absl::StatusOr<std::unique_ptr<EmbeddedCa>> ca = EmbeddedCa::Create(options, now);
  EXPECT_TRUE(ca.ok()) << ca.status();
  auto material = std::make_shared<CaMaterial>();
  material->root_pems.push_back((*ca)->root().root_cert_pem);
  material->gateway_leaf = *(*ca)->IssueMeshGatewayLeaf(now);
  for (const std::string& s : services) {
    material->service_leaves[s] = *(*ca)->IssueServiceLeaf(s, "default", now);
  }
  return Dc{*std::move(ca), std::move(material)};
}

ImportedService Imported(const std::string& name, const std::string& exporter_td,
                         const std::string& exporter_dc, const std::string& our_name_there,
                         const ServiceAddress& gateway) {
  ImportedService s;
  s.name = name;
  s.protocol = "http";
  s.sni = {absl::StrCat(name, ".default.default.", our_name_there, ".external.", exporter_td)};
  s.spiffe_ids = {
      absl::StrCat("spiffe://", exporter_td, "/ns/default/dc/", exporter_dc, "/svc/", name),
      absl::StrCat("spiffe://", exporter_td, "/gateway/mesh/dc/", exporter_dc)};
  s.gateways = {gateway};
  return s;
}

// The two datacenters of the sandbox (shared plan §5), peered: DC1 generated the token
// (acceptor), DC2 established (dialer, so it knows DC1's server name and addresses).
struct World {
  Dc dc1_ca, dc2_ca;
  TranslateInput dc1, dc2;
};

World MakeWorld() {
  World w;
  w.dc1_ca = MakeCa(kDc1Td, "gcp-dc1", {"front-service"});
  w.dc2_ca = MakeCa(kDc2Td, "gcp-dc2", {});

  Model dc1 = LoadEntries(
      {"intentions/front-intentions.hcl", "sameness-groups/sg-dc1.hcl", "public-api-resolver.hcl",
       "mesh.hcl", "proxy-defaults.hcl", "mesh-acl.hcl", "servicedefaults/front-service.hcl",
       "servicedefaults/public-api.hcl", "servicedefaults/private-api.hcl",
       "api-gateway/listener.hcl", "api-gateway/httproute.hcl"},
      "gcp-dc1", kDc1Cluster);
  Model::Builder b1(dc1);
  b1.PutService(Gateway("mesh-gateway-dc1", "127.0.1.2"));
  ServiceDefinition front = Instance("front-service", "front-service", "127.0.1.20", 9090);
  front.connect.emplace();
  front.connect->sidecar_service.emplace();
  front.connect->sidecar_service->proxy.upstreams = {
      PeerUpstream("public-api", "gcp-dc2-default", 9191),
      PeerUpstream("private-api", "gcp-dc2-default", 9192)};
  b1.PutService(front);
  b1.PutService(Instance("public-api", "public-api", "127.0.1.21", 9090));
  w.dc1.model = std::move(b1).Build();
  auto dc1_peerings = std::make_shared<PeeringSet>();
  Peering to_dc2;
  to_dc2.name = "gcp-dc2-default";
  to_dc2.id = "462c45e8-018e-f19d-85eb-1fc1bcc2ef12";
  to_dc2.peer_id = "e83a315c-027e-bcb1-7c0c-a46650904a05";
  to_dc2.state = PeeringState::kActive;
  to_dc2.peer_datacenter = "gcp-dc2";
  to_dc2.peer_trust_domain = kDc2Td;
  to_dc2.peer_ca_pems = w.dc2_ca.material->root_pems;
  to_dc2.peer_server_name = absl::StrCat("server.gcp-dc2.peering.", kDc2Td);
  to_dc2.imported = {
      Imported("private-api", kDc2Td, "gcp-dc2", "gcp-dc1-default", {"127.0.2.2", 8443}),
      Imported("public-api", kDc2Td, "gcp-dc2", "gcp-dc1-default", {"127.0.2.2", 8443})};
  (*dc1_peerings)[to_dc2.name] = to_dc2;
  w.dc1.peerings = dc1_peerings;
  w.dc1.ca = w.dc1_ca.material;
  w.dc1.local_servers = {{"127.0.1.1", 8503}};

  Model dc2 = LoadEntries(
      {"default-exported.hcl", "intentions/public-api-intentions.hcl",
       "intentions/private-api-intentions.hcl", "sameness-groups/sg-dc2.hcl", "mesh.hcl",
       "proxy-defaults-access-logs.hcl", "mesh-acl.hcl", "servicedefaults/public-api.hcl",
       "servicedefaults/private-api.hcl", "servicedefaults/test-destination.hcl",
       "servicedefaults/tls-destination.hcl", "servicedefaults/terminating-gateway.hcl",
       "intentions/insecure-destination-intention.hcl"},
      "gcp-dc2", kDc2Cluster);
  Model::Builder b2(dc2);
  b2.PutService(Gateway("mesh-gateway-dc2", "127.0.2.2"));
  b2.PutService(Instance("public-api-1", "public-api", "127.0.2.20", 9090));
  b2.PutService(Instance("public-api-2", "public-api", "127.0.2.21", 9090));
  b2.PutService(Instance("private-api-1", "private-api", "127.0.2.30", 9090));
  b2.PutService(Instance("private-api-2", "private-api", "127.0.2.31", 9090));
  w.dc2.model = std::move(b2).Build();
  auto dc2_peerings = std::make_shared<PeeringSet>();
  Peering to_dc1;
  to_dc1.name = "gcp-dc1-default";
  to_dc1.id = "e83a315c-027e-bcb1-7c0c-a46650904a05";
  to_dc1.peer_id = "462c45e8-018e-f19d-85eb-1fc1bcc2ef12";
  to_dc1.state = PeeringState::kActive;
  to_dc1.peer_datacenter = "gcp-dc1";
  to_dc1.peer_trust_domain = kDc1Td;
  to_dc1.peer_ca_pems = w.dc1_ca.material->root_pems;
  to_dc1.peer_server_name = absl::StrCat("server.gcp-dc1.peering.", kDc1Td);
  to_dc1.peer_server_addresses = {"127.0.1.2:8443"};  // DC1's gateway: PeerThroughMeshGateways
  to_dc1.exported = {"private-api", "public-api"};
  (*dc2_peerings)[to_dc1.name] = to_dc1;
  w.dc2.peerings = dc2_peerings;
  w.dc2.ca = w.dc2_ca.material;
  w.dc2.local_servers = {{"127.0.2.1", 8503}};
  return w;
}

// ---- JSON of a snapshot, with certificate material named rather than printed ----------------

std::map<std::string, std::string> PemLabels(const World& w) {
  std::map<std::string, std::string> labels;
  auto add = [&](const std::string& prefix, const CaMaterial& m) {
    for (const std::string& root : m.root_pems) labels[root] = prefix + " root";
    labels[m.gateway_leaf.cert_pem] = prefix + " gateway leaf certificate";
    labels[m.gateway_leaf.private_key_pem] = prefix + " gateway leaf key";
    for (const auto& [name, leaf] : m.service_leaves) {
      labels[leaf.cert_pem] = prefix + " " + name + " leaf certificate";
      labels[leaf.private_key_pem] = prefix + " " + name + " leaf key";
    }
  };
  add("DC1", *w.dc1.ca);
  add("DC2", *w.dc2.ca);
  return labels;
}

void Redact(nlohmann::json& j, const std::map<std::string, std::string>& labels) {
  if (j.is_object() || j.is_array()) {
    for (auto& child : j) Redact(child, labels);
    return;
  }
  if (!j.is_string()) return;
  const std::string s = j.get<std::string>();
  if (s.find("-----BEGIN") == std::string::npos) return;
  auto it = labels.find(s);
  j = it != labels.end() ? "<PEM: " + it->second + ">" : "<PEM: unknown>";
}

nlohmann::json ResourceJson(const xds::Resource& r) {
  std::unique_ptr<google::protobuf::Message> m;
  const std::string& type = r.body.type_url();
  if (type == xds::kClusterType) {
    m = std::make_unique<envoy::config::cluster::v3::Cluster>();
  } else if (type == xds::kEndpointType) {
    m = std::make_unique<envoy::config::endpoint::v3::ClusterLoadAssignment>();
  } else if (type == xds::kListenerType) {
    m = std::make_unique<envoy::config::listener::v3::Listener>();
  } else if (type == xds::kExtensionConfigType) {
    m = std::make_unique<envoy::config::core::v3::TypedExtensionConfig>();
  } else {
    m = std::make_unique<envoy::extensions::transport_sockets::tls::v3::Secret>();
  }
  EXPECT_TRUE(r.UnpackTo(m.get())) << r.name;
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  auto status = google::protobuf::util::MessageToJsonString(*m, &text, options);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return nlohmann::json::parse(text);
}

std::string SnapshotJson(const xds::ResourceSnapshot& snap, const World& w) {
  nlohmann::json out = nlohmann::json::object();
  const auto labels = PemLabels(w);
  for (absl::string_view type : xds::kResourceTypes) {
    nlohmann::json of_type = nlohmann::json::object();
    for (const auto& [name, resource] : snap.Resources(type)) {
      nlohmann::json j = ResourceJson(*resource);
      Redact(j, labels);
      of_type[name] = std::move(j);
    }
    out[std::string(xds::ShortTypeName(type))] = std::move(of_type);
  }
  return out.dump(2) + "\n";
}

void CompareGolden(const std::string& file, const std::string& got) {
  const std::string path = kGoldenDir + file;
  const char* update = std::getenv("MESHGW_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    fs::create_directories(kGoldenDir);
    std::ofstream(path) << got;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path << " is missing; run with MESHGW_UPDATE_GOLDEN=1";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(got, want.str()) << "differs from " << path
                             << " (MESHGW_UPDATE_GOLDEN=1 rewrites it; review the diff)";
}

// ---- the gateway's side ------------------------------------------------------------------------

gwc::SnapshotPtr GatewayAccepts(const xds::ResourceSnapshot& snap) {
  gwc::TranslateInput in;
  gwc::AddResources(snap.Resources(xds::kListenerType).ToMap(), "xds", &in.listeners);
  gwc::AddResources(snap.Resources(xds::kClusterType).ToMap(), "xds", &in.clusters);
  gwc::AddResources(snap.Resources(xds::kEndpointType).ToMap(), "xds", &in.endpoints);
  gwc::AddResources(snap.Resources(xds::kSecretType).ToMap(), "xds", &in.secrets);
  gwc::AddResources(snap.Resources(xds::kExtensionConfigType).ToMap(), "xds",
                    &in.extension_configs);
  for (absl::string_view type : xds::kResourceTypes) {
    for (const auto& [name, r] : snap.Resources(type)) {
      absl::Status v = gwc::ValidateResource(type, name, r->Packed());
      EXPECT_TRUE(v.ok()) << xds::ShortTypeName(type) << " " << name << ": " << v;
    }
  }
  absl::StatusOr<gwc::SnapshotPtr> s = gwc::Translate(in, 1);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return nullptr;
  EXPECT_TRUE((*s)->complete) << testing::PrintToString((*s)->missing);
  return *s;
}

const gwc::FilterChain* ChainNamed(const gwc::Listener& l, const std::string& name) {
  for (const gwc::FilterChain& c : l.chains) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// Whether the chain's RBAC (its ECDS configuration in `snap`, evaluated by the gateway's own authz)
// lets a verified client certificate with this URI SAN in.
bool Allowed(const gwc::Snapshot& snap, const gwc::FilterChain& chain, const std::string& uri) {
  const gwc::RbacFilter* rbac = snap.RbacFor(chain);
  EXPECT_NE(rbac, nullptr) << chain.name;
  if (rbac == nullptr) return false;
  std::vector<std::string_view> uris = {uri};
  return gateway::authz::EvaluateRbac(*rbac, {.uri_sans = uris,
                                              .requested_server_name = chain.match.server_names[0],
                                              .authenticated = true})
      .allowed;
}

std::string Svc(const std::string& td, const std::string& dc, const std::string& name) {
  return absl::StrCat("spiffe://", td, "/ns/default/dc/", dc, "/svc/", name);
}

// ---- golden and acceptance -------------------------------------------------------------------

TEST(TranslateGateway, Dc2ExportsTerminatedChainsWithIntentions) {
  World w = MakeWorld();
  auto snap = TranslateGateway(w.dc2, "mesh-gateway-dc2");
  ASSERT_TRUE(snap.ok()) << snap.status();
  CompareGolden("dc2-mesh-gateway-dc2.json", SnapshotJson(**snap, w));

  gwc::SnapshotPtr gw = GatewayAccepts(**snap);
  ASSERT_NE(gw, nullptr);
  const gwc::Listener* l = gw->FindListener("default:127.0.2.2:8443");
  ASSERT_NE(l, nullptr);
  EXPECT_TRUE(l->inspect_tls);
  std::vector<std::string> chains;
  for (const auto& c : l->chains) chains.push_back(c.name);
  EXPECT_THAT(chains, ElementsAre("exported~private-api.default.gcp-dc2.internal." + kDc2Td,
                                  "exported~public-api.default.gcp-dc2.internal." + kDc2Td,
                                  "server.gcp-dc1.peering." + kDc1Td,
                                  "server.gcp-dc2.peering." + kDc2Td, "catch-all"));

  // The SNI DC1's gateway sends routes to the public-api chain, which terminates with DC2's
  // gateway leaf and wants a client certificate from DC1's CA.
  const std::string sni = "public-api.default.default.gcp-dc1-default.external." + kDc2Td;
  const gwc::FilterChain* chain = l->ChainFor(sni, {}, gateway::route::TransportProtocol::kTls);
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(chain->name, "exported~public-api.default.gcp-dc2.internal." + kDc2Td);
  ASSERT_TRUE(chain->tls.has_value());
  EXPECT_TRUE(chain->tls->require_client_certificate);
  EXPECT_EQ(chain->tls->certificate.certificate_chain_pem, w.dc2.ca->gateway_leaf.cert_pem);
  EXPECT_EQ(chain->tls->trust->trusted_ca_pem, w.dc1.ca->root_pems[0]);
  // Intentions: only DC1's front-service (Peer = gcp-dc1-default); deny by default.
  EXPECT_TRUE(Allowed(*gw, *chain, Svc(kDc1Td, "gcp-dc1", "front-service")));
  EXPECT_FALSE(Allowed(*gw, *chain, Svc(kDc1Td, "gcp-dc1", "other-service")));
  EXPECT_FALSE(Allowed(*gw, *chain, Svc(kDc2Td, "gcp-dc2", "front-service")));  // not the peer's
  EXPECT_FALSE(Allowed(*gw, *chain, Svc("evil.consul", "gcp-dc1", "front-service")));
  // Then plain TCP to DC2's public-api instances.
  const gwc::Cluster* c = gw->FindCluster(chain->tcp_proxy().cluster);
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->tls.has_value());
  ASSERT_EQ(c->priorities.size(), 1u);
  std::vector<std::string> endpoints;
  for (const auto& e : c->priorities[0].endpoints) endpoints.push_back(e.address.ToString());
  EXPECT_THAT(endpoints, ElementsAre("127.0.2.20:9090", "127.0.2.21:9090"));

  // Peering through the gateways: DC1's servers' name goes to DC1's gateway, ours to our servers.
  const gwc::FilterChain* out =
      l->ChainFor("server.gcp-dc1.peering." + kDc1Td, {}, gateway::route::TransportProtocol::kTls);
  ASSERT_NE(out, nullptr);
  EXPECT_FALSE(out->tls.has_value());
  EXPECT_EQ(
      gw->FindCluster(out->tcp_proxy().cluster)->priorities[0].endpoints[0].address.ToString(),
      "127.0.1.2:8443");
  const gwc::FilterChain* in =
      l->ChainFor("server.gcp-dc2.peering." + kDc2Td, {}, gateway::route::TransportProtocol::kTls);
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(gw->FindCluster(in->tcp_proxy().cluster)->priorities[0].endpoints[0].address.ToString(),
            "127.0.2.1:8503");
  // Local services by SNI through the catch-all.
  const gwc::FilterChain* any = l->ChainFor("private-api.default.gcp-dc2.internal." + kDc2Td, {},
                                            gateway::route::TransportProtocol::kTls);
  ASSERT_NE(any, nullptr);
  EXPECT_TRUE(any->sni_cluster());
  EXPECT_NE(gw->FindCluster("private-api.default.gcp-dc2.internal." + kDc2Td), nullptr);
  EXPECT_EQ(gw->listeners.size(), 1u);  // DC2 calls no peer: no egress
}

TEST(TranslateGateway, Dc1EgressWithFailoverToThePeer) {
  World w = MakeWorld();
  auto snap = TranslateGateway(w.dc1, "mesh-gateway-dc1");
  ASSERT_TRUE(snap.ok()) << snap.status();
  CompareGolden("dc1-mesh-gateway-dc1.json", SnapshotJson(**snap, w));

  gwc::SnapshotPtr gw = GatewayAccepts(**snap);
  ASSERT_NE(gw, nullptr);
  std::vector<std::string> listeners;
  for (const auto& [name, l] : gw->listeners) listeners.push_back(name);
  EXPECT_THAT(listeners, ElementsAre("default:127.0.1.2:8443", "egress:127.0.1.2:9191",
                                     "egress:127.0.1.2:9192"));
  // DC1 exports nothing: the mesh listener has the peering-server chains and the catch-all.
  std::vector<std::string> chains;
  for (const auto& c : gw->FindListener("default:127.0.1.2:8443")->chains) {
    chains.push_back(c.name);
  }
  EXPECT_THAT(chains, ElementsAre("server.gcp-dc1.peering." + kDc1Td, "catch-all"));

  // public-api has a local instance and fails over (sameness group api-services) to DC2: the
  // local instance at priority 0 in plain TCP, DC2's gateway at priority 1 over mTLS.
  const gwc::Listener* egress = gw->FindListener("egress:127.0.1.2:9191");
  ASSERT_NE(egress, nullptr);
  EXPECT_FALSE(egress->inspect_tls);
  const gwc::FilterChain* chain =
      egress->ChainFor("", {}, gateway::route::TransportProtocol::kRawBuffer);
  ASSERT_NE(chain, nullptr);
  EXPECT_FALSE(chain->tls.has_value());
  EXPECT_EQ(chain->tcp_proxy().max_connect_attempts, 3u);
  const gwc::Cluster* c = gw->FindCluster(chain->tcp_proxy().cluster);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->name, "egress~front-service~public-api.gcp-dc2-default");
  EXPECT_EQ(c->connect_timeout, absl::Seconds(15));  // public-api's resolver
  ASSERT_EQ(c->priorities.size(), 2u);
  const gwc::Endpoint& local = c->priorities[0].endpoints.at(0);
  EXPECT_EQ(local.address.ToString(), "127.0.1.21:9090");
  EXPECT_EQ(c->TlsFor(local), nullptr);
  EXPECT_EQ(c->priorities[1].priority, 1u);
  const gwc::Endpoint& peer = c->priorities[1].endpoints.at(0);
  EXPECT_EQ(peer.address.ToString(), "127.0.2.2:8443");
  const gwc::UpstreamTls* tls = c->TlsFor(peer);
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->sni, "public-api.default.default.gcp-dc1-default.external." + kDc2Td);
  EXPECT_EQ(tls->certificate->certificate_chain_pem,
            w.dc1.ca->service_leaves.at("front-service").cert_pem);
  EXPECT_EQ(tls->trust->trusted_ca_pem, w.dc2.ca->root_pems[0]);
  ASSERT_EQ(tls->trust->match_sans.size(), 2u);
  EXPECT_TRUE(tls->trust->match_sans[0].matcher.Matches(Svc(kDc2Td, "gcp-dc2", "public-api")));
  EXPECT_TRUE(
      tls->trust->match_sans[1].matcher.Matches("spiffe://" + kDc2Td + "/gateway/mesh/dc/gcp-dc2"));

  // private-api has no local instance: only DC2, with the cluster's own transport socket.
  const gwc::Cluster* priv = gw->FindCluster("egress~front-service~private-api.gcp-dc2-default");
  ASSERT_NE(priv, nullptr);
  ASSERT_TRUE(priv->tls.has_value());
  EXPECT_TRUE(priv->transport_socket_matches.empty());
  EXPECT_EQ(priv->tls->sni, "private-api.default.default.gcp-dc1-default.external." + kDc2Td);
  ASSERT_EQ(priv->priorities.size(), 1u);
  EXPECT_EQ(priv->TlsFor(priv->priorities[0].endpoints.at(0)), &*priv->tls);

  // Sidecars sending the peered SNI through their local gateway are passed through to DC2.
  const gwc::Cluster* pass =
      gw->FindCluster("public-api.default.default.gcp-dc1-default.external." + kDc2Td);
  ASSERT_NE(pass, nullptr);
  EXPECT_FALSE(pass->tls.has_value());
}

// The DC2 side of the walkthrough's sameness-group variant: exported to the group, authorized by
// the group (its peer members) and tcp as a protocol override: passed through, no TLS, no RBAC.
TEST(TranslateGateway, SamenessGroupVariantAndTcpPassthrough) {
  World w = MakeWorld();
  Model sg = LoadEntries({"sameness-groups/default-exported-sg.hcl", "sameness-groups/sg-dc2.hcl",
                          "sameness-groups/public-api-intentions-sg.hcl", "mesh.hcl"},
                         "gcp-dc2", kDc2Cluster);
  Model::Builder b(sg);
  for (const auto& [id, s] : w.dc2.model.Services()) b.PutService(*s);
  ServiceDefaults tcp;
  tcp.name = "private-api";
  tcp.protocol = "tcp";
  b.Put(tcp);
  ServiceDefaults http;
  http.name = "public-api";
  http.protocol = "http";
  b.Put(http);
  w.dc2.model = std::move(b).Build();
  auto snap = TranslateGateway(w.dc2, "mesh-gateway-dc2");
  ASSERT_TRUE(snap.ok()) << snap.status();
  gwc::SnapshotPtr gw = GatewayAccepts(**snap);
  ASSERT_NE(gw, nullptr);
  const gwc::Listener* l = gw->FindListener("default:127.0.2.2:8443");
  const gwc::FilterChain* pub =
      ChainNamed(*l, "exported~public-api.default.gcp-dc2.internal." + kDc2Td);
  ASSERT_NE(pub, nullptr);
  EXPECT_TRUE(Allowed(*gw, *pub, Svc(kDc1Td, "gcp-dc1", "front-service")));
  // The group's local member (partition default) stands for local front-service too.
  EXPECT_TRUE(Allowed(*gw, *pub, Svc(kDc2Td, "gcp-dc2", "front-service")));
  EXPECT_FALSE(Allowed(*gw, *pub, Svc(kDc1Td, "gcp-dc1", "public-api")));
  const gwc::FilterChain* priv =
      ChainNamed(*l, "exported~private-api.default.gcp-dc2.internal." + kDc2Td);
  ASSERT_NE(priv, nullptr);
  EXPECT_FALSE(priv->tls.has_value());
  EXPECT_EQ(priv->rbac(), nullptr);
  EXPECT_THAT(priv->match.server_names,
              ElementsAre("private-api.default.default.gcp-dc1-default.external." + kDc2Td));
}

// service-defaults MaxInboundConnections (per instance) sizes the exported service's circuit
// breaker: the limit times the instances in its cluster (an instance the gateway cannot dial is
// not one of them). Unset, the cluster carries none and the gateway keeps its default (1,024).
TEST(TranslateGateway, MaxInboundConnectionsSizesTheExportedCircuitBreaker) {
  World w = MakeWorld();
  Model::Builder b(w.dc2.model);
  ServiceDefaults http;
  http.name = "public-api";
  http.protocol = "http";
  http.max_inbound_connections = 300;
  b.Put(http);
  b.PutService(Instance("public-api-3", "public-api", "api-3.internal", 9090));  // left out
  w.dc2.model = std::move(b).Build();
  auto snap = TranslateGateway(w.dc2, "mesh-gateway-dc2");
  ASSERT_TRUE(snap.ok()) << snap.status();
  gwc::SnapshotPtr gw = GatewayAccepts(**snap);
  ASSERT_NE(gw, nullptr);
  const std::string pub = "exported~public-api.default.gcp-dc2.internal." + kDc2Td;
  const gwc::Cluster* c = gw->FindCluster(pub);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->priorities.at(0).endpoints.size(), 2u);
  EXPECT_EQ(c->max_connections, 600u);
  envoy::config::cluster::v3::Cluster proto;
  ASSERT_TRUE((*snap)->Find(xds::kClusterType, pub)->UnpackTo(&proto));
  ASSERT_EQ(proto.circuit_breakers().thresholds_size(), 1);
  EXPECT_EQ(proto.circuit_breakers().thresholds(0).max_connections().value(), 600u);
  // private-api sets no limit: no threshold is sent, the gateway's default applies.
  const std::string priv = "exported~private-api.default.gcp-dc2.internal." + kDc2Td;
  ASSERT_NE(gw->FindCluster(priv), nullptr);
  EXPECT_EQ(gw->FindCluster(priv)->max_connections, 1024u);
  ASSERT_TRUE((*snap)->Find(xds::kClusterType, priv)->UnpackTo(&proto));
  EXPECT_FALSE(proto.has_circuit_breakers());

  // The product is capped at what the field holds (3 × 2^31 - 3 > 2^32 - 1).
  Model::Builder big(w.dc2.model);
  http.max_inbound_connections = 2147483647;
  big.Put(http);
  big.PutService(Instance("public-api-4", "public-api", "127.0.2.22", 9090));
  w.dc2.model = std::move(big).Build();
  snap = TranslateGateway(w.dc2, "mesh-gateway-dc2");
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_TRUE((*snap)->Find(xds::kClusterType, pub)->UnpackTo(&proto));
  EXPECT_EQ(proto.circuit_breakers().thresholds(0).max_connections().value(), 4294967295u);
}

TEST(TranslateGateway, ExportedClusterSharesTheLocalAssignment) {
  World w = MakeWorld();
  // Exported before it has an instance: its cluster has an assignment of its own, empty.
  Model::Builder b(w.dc2.model);
  ExportedServices e = *w.dc2.model.Get<ExportedServices>("default");
  ExportedService ghost = e.services[0];
  ghost.name = "not-yet-registered";
  e.services.push_back(ghost);
  b.Put(e);
  w.dc2.model = std::move(b).Build();
  auto snap = TranslateGateway(w.dc2, "mesh-gateway-dc2");
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_NE(GatewayAccepts(**snap), nullptr);

  const std::string local = "public-api.default.gcp-dc2.internal." + kDc2Td;
  const std::string exported = "exported~" + local;
  envoy::config::cluster::v3::Cluster proto;
  ASSERT_TRUE((*snap)->Find(xds::kClusterType, exported)->UnpackTo(&proto));
  EXPECT_EQ(proto.eds_cluster_config().service_name(), local);
  EXPECT_EQ((*snap)->Find(xds::kEndpointType, exported), nullptr);
  EXPECT_NE((*snap)->Find(xds::kEndpointType, local), nullptr);

  const std::string ghost_exported =
      "exported~not-yet-registered.default.gcp-dc2.internal." + kDc2Td;
  ASSERT_TRUE((*snap)->Find(xds::kClusterType, ghost_exported)->UnpackTo(&proto));
  EXPECT_EQ(proto.eds_cluster_config().service_name(), "");
  const xds::Resource* own = (*snap)->Find(xds::kEndpointType, ghost_exported);
  ASSERT_NE(own, nullptr);
  envoy::config::endpoint::v3::ClusterLoadAssignment cla;
  ASSERT_TRUE(own->UnpackTo(&cla));
  EXPECT_EQ(cla.endpoints(0).lb_endpoints_size(), 0);
}

TEST(TranslateGateway, IntentionPrecedenceDenyAndL7) {
  World w = MakeWorld();
  Model::Builder b(w.dc2.model);
  ServiceIntentions si;
  si.name = "public-api";
  IntentionSource deny_front;
  deny_front.name = "front-service";
  deny_front.peer = "gcp-dc1-default";
  deny_front.action = IntentionAction::kDeny;
  deny_front.precedence = 9;
  IntentionSource allow_all_peer;
  allow_all_peer.name = "*";
  allow_all_peer.peer = "gcp-dc1-default";
  allow_all_peer.action = IntentionAction::kAllow;
  allow_all_peer.precedence = 8;
  IntentionSource l7;
  l7.name = "web";
  l7.peer = "gcp-dc1-default";
  l7.permissions.push_back(IntentionPermission{IntentionAction::kAllow, std::nullopt});
  l7.precedence = 9;
  IntentionSource unknown_peer;
  unknown_peer.name = "x";
  unknown_peer.peer = "nobody";
  unknown_peer.action = IntentionAction::kAllow;
  unknown_peer.precedence = 9;
  si.sources = {deny_front, allow_all_peer, l7, unknown_peer};
  b.Put(si);
  w.dc2.model = std::move(b).Build();
  auto snap = TranslateGateway(w.dc2, "mesh-gateway-dc2");
  ASSERT_TRUE(snap.ok()) << snap.status();
  gwc::SnapshotPtr gw = GatewayAccepts(**snap);
  ASSERT_NE(gw, nullptr);
  const gwc::FilterChain* pub =
      ChainNamed(*gw->FindListener("default:127.0.2.2:8443"),
                 "exported~public-api.default.gcp-dc2.internal." + kDc2Td);
  ASSERT_NE(pub, nullptr);
  EXPECT_FALSE(Allowed(*gw, *pub, Svc(kDc1Td, "gcp-dc1", "front-service")));  // the exact deny wins
  EXPECT_TRUE(Allowed(*gw, *pub, Svc(kDc1Td, "gcp-dc1", "billing")));         // the peer's wildcard
  // L7 permissions cannot be enforced on a TCP chain: they count as a deny.
  EXPECT_FALSE(Allowed(*gw, *pub, Svc(kDc1Td, "gcp-dc1", "web")));
  EXPECT_EQ(gw->RbacFor(*pub)->policies.size(), 1u);
}

TEST(TranslateGateway, MeshTlsSettingsAndErrors) {
  World w = MakeWorld();
  Mesh mesh = *w.dc2.model.Get<Mesh>("mesh");
  mesh.tls.emplace();
  mesh.tls->incoming = MeshDirectionalTls{"TLSv1_3", "", {}};
  mesh.tls->outgoing =
      MeshDirectionalTls{"TLSv1_2", "TLSv1_3", {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}};
  Model::Builder b(w.dc2.model);
  b.Put(mesh);
  w.dc2.model = std::move(b).Build();
  auto snap = TranslateGateway(w.dc2, "mesh-gateway-dc2");
  ASSERT_TRUE(snap.ok()) << snap.status();
  gwc::SnapshotPtr gw = GatewayAccepts(**snap);
  ASSERT_NE(gw, nullptr);
  for (const auto& chain : gw->FindListener("default:127.0.2.2:8443")->chains) {
    if (!chain.tls.has_value()) continue;
    EXPECT_EQ(chain.tls->params.min_version, gwc::TlsVersion::kTls1_3) << chain.name;
  }

  mesh.tls->incoming->cipher_suites = {"TLS_RSA_WITH_RC4_128_SHA"};
  Model::Builder bad(w.dc2.model);
  bad.Put(mesh);
  w.dc2.model = std::move(bad).Build();
  auto err = TranslateGateway(w.dc2, "mesh-gateway-dc2");
  ASSERT_FALSE(err.ok());
  EXPECT_THAT(std::string(err.status().message()),
              testing::HasSubstr("mesh \"mesh\": TLS.Incoming.CipherSuites[0]: unknown cipher "
                                 "suite \"TLS_RSA_WITH_RC4_128_SHA\""));
  EXPECT_THAT(std::string(err.status().message()), testing::HasSubstr("mesh.hcl:"));

  EXPECT_EQ(TranslateGateway(w.dc2, "public-api-1").status().code(), absl::StatusCode::kNotFound);
}

// Without the gateway leaf or the peer's roots, the terminated chains wait (left out) and
// everything else is served; without peerings there is nothing to export to.
TEST(TranslateGateway, WhatIsNotThereYetIsLeftOut) {
  World w = MakeWorld();
  auto no_leaf = std::make_shared<CaMaterial>(*w.dc2.ca);
  no_leaf->gateway_leaf = IssuedCert{};
  w.dc2.ca = no_leaf;
  auto snap = TranslateGateway(w.dc2, "mesh-gateway-dc2");
  ASSERT_TRUE(snap.ok()) << snap.status();
  gwc::SnapshotPtr gw = GatewayAccepts(**snap);
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(gw->FindListener("default:127.0.2.2:8443")->chains.size(), 3u);  // servers, catch-all
  EXPECT_EQ((*snap)->Find(xds::kSecretType, "mesh-gateway-leaf"), nullptr);

  World dc1 = MakeWorld();
  dc1.dc1.peerings = nullptr;
  auto alone = TranslateGateway(dc1.dc1, "mesh-gateway-dc1");
  ASSERT_TRUE(alone.ok()) << alone.status();
  gwc::SnapshotPtr gw1 = GatewayAccepts(**alone);
  ASSERT_NE(gw1, nullptr);
  // No peer to call: private-api (no local instance) has no egress; public-api's failover order
  // starts with its local instance, which is served in plain TCP.
  std::vector<std::string> listeners;
  for (const auto& [name, l] : gw1->listeners) listeners.push_back(name);
  EXPECT_THAT(listeners, ElementsAre("default:127.0.1.2:8443", "egress:127.0.1.2:9191"));
  const gwc::Cluster* c = gw1->FindCluster("egress~front-service~public-api.gcp-dc2-default");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->tls.has_value());
  EXPECT_TRUE(c->transport_socket_matches.empty());
  EXPECT_EQ((*alone)->Find(xds::kSecretType, "leaf~front-service"), nullptr);
}

// The strongest check of the two sides together: DC1's egress cluster dials with the TLS the
// translation gave it, DC2's gateway routes that SNI to the chain the translation gave it, the
// real handshake succeeds in both directions (DC1 pins DC2's identities, DC2 verifies DC1's CA),
// and DC2's RBAC allows the identity it saw. A caller the intentions do not name is refused by
// RBAC; a certificate of the wrong CA fails the handshake.
TEST(TranslateGateway, Dc1EgressHandshakesWithDc2ExportedChain) {
  World w = MakeWorld();
  auto snap1 = TranslateGateway(w.dc1, "mesh-gateway-dc1");
  auto snap2 = TranslateGateway(w.dc2, "mesh-gateway-dc2");
  ASSERT_TRUE(snap1.ok() && snap2.ok());
  gwc::SnapshotPtr gw1 = GatewayAccepts(**snap1);
  gwc::SnapshotPtr gw2 = GatewayAccepts(**snap2);
  ASSERT_TRUE(gw1 != nullptr && gw2 != nullptr);
  const gwc::Listener* mesh2 = gw2->FindListener("default:127.0.2.2:8443");
  ASSERT_NE(mesh2, nullptr);

  for (const std::string service : {"public-api", "private-api"}) {
    SCOPED_TRACE(service);
    const gwc::Cluster* egress =
        gw1->FindCluster("egress~front-service~" + service + ".gcp-dc2-default");
    ASSERT_NE(egress, nullptr);
    const gwc::Endpoint& dc2_gateway = egress->priorities.back().endpoints.at(0);
    EXPECT_EQ(dc2_gateway.address.ToString(), "127.0.2.2:8443");
    const gwc::UpstreamTls* up = egress->TlsFor(dc2_gateway);
    ASSERT_NE(up, nullptr);
    const gwc::FilterChain* chain =
        mesh2->ChainFor(up->sni, {}, gateway::route::TransportProtocol::kTls);
    ASSERT_NE(chain, nullptr);
    ASSERT_TRUE(chain->tls.has_value());

    auto run = [&](const gwc::UpstreamTls& client_tls) {
      auto server_ctx = gateway::tls::ServerTlsContext::Create(*chain->tls, nullptr);
      auto client_ctx = gateway::tls::ClientTlsContext::Create(client_tls);
      EXPECT_TRUE(server_ctx.ok()) << server_ctx.status();
      EXPECT_TRUE(client_ctx.ok()) << client_ctx.status();
      gateway::tls::testing::SocketPair fds;
      auto server = gateway::tls::TlsSession::AcceptOn(**server_ctx, fds.server, "");
      auto client = gateway::tls::TlsSession::ConnectOn(**client_ctx, fds.client, "");
      auto r = gateway::tls::testing::DriveHandshake(*server, *client);
      std::optional<gateway::tls::PeerIdentity> seen;
      if (r.server == gateway::tls::TlsIo::kOk && r.client == gateway::tls::TlsIo::kOk) {
        seen = server->peer();
      }
      return seen;
    };
    std::optional<gateway::tls::PeerIdentity> seen = run(*up);
    ASSERT_TRUE(seen.has_value()) << "handshake failed";
    ASSERT_EQ(seen->uri_sans.size(), 1u);
    EXPECT_EQ(seen->uri_sans[0], Svc(kDc1Td, "gcp-dc1", "front-service"));
    EXPECT_TRUE(Allowed(*gw2, *chain, seen->uri_sans[0]));

    // Another DC1 service with a good certificate: the handshake works, the intentions refuse.
    gwc::UpstreamTls billing = *up;
    const absl::Time now = absl::Now();  // the handshakes check validity against the clock
    IssuedCert leaf = *w.dc1_ca.ca->IssueServiceLeaf("billing", "default", now);
    billing.certificate->certificate_chain_pem = leaf.cert_pem;
    billing.certificate->private_key_pem = leaf.private_key_pem;
    std::optional<gateway::tls::PeerIdentity> other = run(billing);
    ASSERT_TRUE(other.has_value()) << "handshake failed";
    EXPECT_FALSE(Allowed(*gw2, *chain, other->uri_sans.at(0)));

    // A client certificate from DC2's own CA is not one of the consuming peer's: no handshake.
    gwc::UpstreamTls wrong_ca = *up;
    wrong_ca.certificate->certificate_chain_pem = w.dc2.ca->gateway_leaf.cert_pem;
    wrong_ca.certificate->private_key_pem = w.dc2.ca->gateway_leaf.private_key_pem;
    EXPECT_FALSE(run(wrong_ca).has_value());
  }
}

// ---- incremental -------------------------------------------------------------------------------

std::vector<std::string> Keys(
    const std::map<std::string, std::shared_ptr<const xds::ResourceSnapshot>>& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}

std::vector<std::string> Changed(const xds::ResourceSnapshot& a, const xds::ResourceSnapshot& b) {
  std::vector<std::string> out;
  for (const auto& [type, names] : xds::DiffSnapshots(a, b).changed) {
    for (const std::string& n : names)
      out.push_back(absl::StrCat(xds::ShortTypeName(type), "/", n));
  }
  return out;
}

// The translation packs every nested Any normalized and then encodes its resources without
// decoding those Anys again (xds::NestedAnys::kNormalized). Each resource's bytes must be what the
// full normalization makes of them, or equal content could get two versions.
TEST(GatewayTranslator, ResourcesAreEncodedAsTheFullNormalizationEncodesThem) {
  World w = MakeWorld();
  int checked = 0;
  for (const auto& [input, gateway] :
       {std::pair<const TranslateInput*, std::string>{&w.dc1, "mesh-gateway-dc1"},
        {&w.dc2, "mesh-gateway-dc2"}}) {
    auto snap = TranslateGateway(*input, gateway);
    ASSERT_TRUE(snap.ok()) << snap.status();
    for (absl::string_view type : xds::kResourceTypes) {
      for (const auto& [name, resource] : (*snap)->Resources(type)) {
        const google::protobuf::Descriptor* descriptor =
            google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
                std::string(type.substr(type.rfind('/') + 1)));
        ASSERT_NE(descriptor, nullptr) << type;
        std::unique_ptr<google::protobuf::Message> message(
            google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
        ASSERT_TRUE(resource->UnpackTo(message.get())) << name;
        EXPECT_EQ(xds::SerializeNormalized(*message, xds::NestedAnys::kAsTheyCome),
                  resource->Payload())
            << gateway << ": " << type << " " << name;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 20);
}

TEST(GatewayTranslator, IdenticalInputEmitsNothing) {
  World w = MakeWorld();
  GatewayTranslator t;
  auto first = t.Update(w.dc2);
  EXPECT_THAT(Keys(first), ElementsAre("mesh-gateway-dc2"));
  auto direct = TranslateGateway(w.dc2, "mesh-gateway-dc2");
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(first.at("mesh-gateway-dc2")->Version(), (*direct)->Version());
  EXPECT_THAT(Keys(t.Update(w.dc2)), IsEmpty());
  EXPECT_EQ(t.last_built_units(), 0u);
  // Equal values in new objects (a source that rebuilt everything) are still no change.
  TranslateInput copy = w.dc2;
  copy.peerings = std::make_shared<PeeringSet>(*w.dc2.peerings);
  copy.ca = std::make_shared<CaMaterial>(*w.dc2.ca);
  EXPECT_THAT(Keys(t.Update(copy)), IsEmpty());
  EXPECT_TRUE(t.errors().empty());
}

TEST(GatewayTranslator, OneServiceChangeRebuildsThatServiceOnly) {
  World w = MakeWorld();
  GatewayTranslator t;
  auto first = t.Update(w.dc2);
  ASSERT_EQ(first.size(), 1u);
  std::shared_ptr<const xds::ResourceSnapshot> before = first.at("mesh-gateway-dc2");

  // A third private-api instance: the assignment that its exported chain's cluster and the
  // catch-all's share changes; the clusters and the listener do not.
  Model::Builder b(w.dc2.model);
  b.PutService(Instance("private-api-3", "private-api", "127.0.2.32", 9090));
  w.dc2.model = std::move(b).Build();
  auto second = t.Update(w.dc2);
  ASSERT_THAT(Keys(second), ElementsAre("mesh-gateway-dc2"));
  EXPECT_EQ(t.last_built_units(), 2u);  // private-api's exported and local units
  EXPECT_THAT(Changed(*before, *second.at("mesh-gateway-dc2")),
              ElementsAre("ClusterLoadAssignment/private-api.default.gcp-dc2.internal." + kDc2Td));
  // Unchanged resources are the very same objects.
  EXPECT_EQ(before->Find(xds::kClusterType, "public-api.default.gcp-dc2.internal." + kDc2Td),
            second.at("mesh-gateway-dc2")
                ->Find(xds::kClusterType, "public-api.default.gcp-dc2.internal." + kDc2Td));

  // An intention change: that chain's intentions only (their ECDS resource); the listener, which
  // names them, is not resent.
  Model::Builder b2(w.dc2.model);
  ServiceIntentions si = *w.dc2.model.Get<ServiceIntentions>("public-api");
  si.sources[0].name = "other-service";
  b2.Put(si);
  w.dc2.model = std::move(b2).Build();
  auto third = t.Update(w.dc2);
  ASSERT_THAT(Keys(third), ElementsAre("mesh-gateway-dc2"));
  EXPECT_EQ(t.last_built_units(), 2u);
  EXPECT_THAT(Changed(*second.at("mesh-gateway-dc2"), *third.at("mesh-gateway-dc2")),
              ElementsAre("TypedExtensionConfig/intentions~public-api"));
}

// The incremental translation (each gateway's base derived from the last one) against a
// translation from nothing, after every step of a series of changes: the same resources, the
// same versions.
TEST(GatewayTranslator, IncrementalEqualsFromNothingAfterEveryChange) {
  World w = MakeWorld();
  GatewayTranslator t;
  auto check = [&](const char* step) {
    t.Update(w.dc2);
    ASSERT_TRUE(t.errors().empty()) << step;
    absl::StatusOr<std::shared_ptr<const xds::ResourceSnapshot>> fresh =
        TranslateGateway(w.dc2, "mesh-gateway-dc2");
    ASSERT_TRUE(fresh.ok()) << step << ": " << fresh.status();
    const xds::ResourceSnapshot& incremental = *t.snapshots().at("mesh-gateway-dc2");
    EXPECT_EQ(incremental.Version(), (*fresh)->Version()) << step;
    EXPECT_EQ(incremental.size(), (*fresh)->size()) << step;
    for (const auto& [type, names] : xds::DiffSnapshots(incremental, **fresh).changed) {
      ADD_FAILURE() << step << ": " << type << " differs: " << testing::PrintToString(names);
    }
  };
  check("first");
  auto edit = [&](auto f) {
    Model::Builder b(w.dc2.model);
    f(b);
    w.dc2.model = std::move(b).Build();
  };
  edit([](Model::Builder& b) {
    b.PutService(Instance("private-api-3", "private-api", "127.0.2.32", 9090));
  });
  check("an instance added");
  edit([](Model::Builder& b) { b.PutService(Instance("audit-1", "audit", "127.0.2.40", 7000)); });
  check("a new service");
  edit([&](Model::Builder& b) {
    ServiceIntentions si = *w.dc2.model.Get<ServiceIntentions>("public-api");
    si.sources[0].name = "other-service";
    b.Put(si);
  });
  check("an intention changed");
  edit([](Model::Builder& b) { b.RemoveService("private-api-3"); });
  check("an instance removed");
  edit([](Model::Builder& b) { b.RemoveService("audit-1"); });
  check("a service gone");
  edit([&](Model::Builder& b) {
    ServiceDefaults d;
    d.name = "private-api";
    d.protocol = "tcp";  // its chain passes through now: no bundle, no leaf of its own
    b.Put(d);
  });
  check("a protocol changed");
  edit([&](Model::Builder& b) {
    ServiceIntentions si = *w.dc2.model.Get<ServiceIntentions>("public-api");
    si.name = "*";
    b.Put(si);
  });
  check("an intention on every service");
  edit([&](Model::Builder& b) {
    ExportedServices e = *w.dc2.model.Get<ExportedServices>("default");
    ExportedService ghost = e.services[0];
    ghost.name = "not-yet-registered";  // exported before it has an instance
    e.services.push_back(ghost);
    b.Put(e);
  });
  check("a service exported before it exists");
  edit([](Model::Builder& b) {
    b.PutService(Instance("not-yet-registered-1", "not-yet-registered", "127.0.2.50", 7100));
  });
  check("the exported service registers");
  edit([](Model::Builder& b) { b.RemoveService("not-yet-registered-1"); });
  check("and leaves again");
  edit([](Model::Builder& b) {
    b.PutService(Instance("private-api-1", "renamed-api", "127.0.2.33", 9090));
  });
  check("an instance moves to another service");
  edit([](Model::Builder& b) { b.Remove(ConfigEntryKind::kServiceIntentions, "*"); });
  check("the intention on every service removed");
  edit([](Model::Builder& b) { b.Remove(ConfigEntryKind::kExportedServices, "default"); });
  check("nothing exported");
  edit([](Model::Builder& b) { b.PutService(Instance("audit-1", "audit", "127.0.2.40", 7000)); });
  check("a service added with nothing exported");
  w.dc2.peerings = nullptr;
  check("no peerings");
}

TEST(GatewayTranslator, OnlyTheGatewayAChangeTouchesIsReEmitted) {
  World w = MakeWorld();
  Model::Builder b(w.dc1.model);
  b.PutService(Gateway("mesh-gateway-dc1-b", "127.0.1.3"));
  w.dc1.model = std::move(b).Build();
  GatewayTranslator t;
  auto first = t.Update(w.dc1);
  ASSERT_THAT(Keys(first), ElementsAre("mesh-gateway-dc1", "mesh-gateway-dc1-b"));
  // With two gateways, an egress listener goes to the gateway on its bind address only.
  EXPECT_NE(first.at("mesh-gateway-dc1")->Find(xds::kListenerType, "egress:127.0.1.2:9191"),
            nullptr);
  EXPECT_EQ(first.at("mesh-gateway-dc1-b")->Resources(xds::kListenerType).size(), 1u);
  for (const auto& [id, snap] : first) EXPECT_NE(GatewayAccepts(*snap), nullptr) << id;

  // front-service moves its public-api upstream to another port: gateway a only, and only the
  // egress listener.
  Model::Builder b2(w.dc1.model);
  ServiceDefinition front = *w.dc1.model.FindService("front-service");
  front.connect->sidecar_service->proxy.upstreams[0].local_bind_port = 9193;
  b2.PutService(front);
  w.dc1.model = std::move(b2).Build();
  auto second = t.Update(w.dc1);
  ASSERT_THAT(Keys(second), ElementsAre("mesh-gateway-dc1"));
  EXPECT_THAT(
      Changed(*first.at("mesh-gateway-dc1"), *second.at("mesh-gateway-dc1")),
      UnorderedElementsAre("Listener/egress:127.0.1.2:9191", "Listener/egress:127.0.1.2:9193"));

  // Gateway b's own definition changes (another port): b only.
  Model::Builder b3(w.dc1.model);
  ServiceDefinition gb = *w.dc1.model.FindService("mesh-gateway-dc1-b");
  gb.port = 9443;
  b3.PutService(gb);
  w.dc1.model = std::move(b3).Build();
  auto third = t.Update(w.dc1);
  ASSERT_THAT(Keys(third), ElementsAre("mesh-gateway-dc1-b"));
  EXPECT_EQ(t.last_built_units(), 0u);

  // The peer's roots rotate: gateway a's egress trusts them (the bundle secret changes, nothing
  // else); gateway b exports nothing and calls nothing, so it is not re-emitted.
  auto peerings = std::make_shared<PeeringSet>(*w.dc1.peerings);
  peerings->at("gcp-dc2-default").peer_ca_pems.push_back(w.dc1.ca->root_pems[0]);
  w.dc1.peerings = peerings;
  auto fourth = t.Update(w.dc1);
  ASSERT_THAT(Keys(fourth), ElementsAre("mesh-gateway-dc1"));
  EXPECT_THAT(Changed(*second.at("mesh-gateway-dc1"), *fourth.at("mesh-gateway-dc1")),
              ElementsAre("Secret/peer-bundle~gcp-dc2-default"));

  // Gateway b leaves the model: its snapshot is cleared.
  Model::Builder b4(w.dc1.model);
  b4.RemoveService("mesh-gateway-dc1-b");
  w.dc1.model = std::move(b4).Build();
  auto fifth = t.Update(w.dc1);
  ASSERT_THAT(Keys(fifth), ElementsAre("mesh-gateway-dc1-b"));
  EXPECT_EQ(fifth.at("mesh-gateway-dc1-b"), nullptr);
  EXPECT_THAT(Keys(t.snapshots()), ElementsAre("mesh-gateway-dc1"));
}

TEST(GatewayTranslator, AnErrorKeepsTheLastSnapshot) {
  World w = MakeWorld();
  GatewayTranslator t;
  ASSERT_EQ(t.Update(w.dc2).size(), 1u);
  Mesh mesh = *w.dc2.model.Get<Mesh>("mesh");
  mesh.tls.emplace();
  mesh.tls->incoming = MeshDirectionalTls{"TLSv9", "", {}};
  Model::Builder b(w.dc2.model);
  b.Put(mesh);
  TranslateInput bad = w.dc2;
  bad.model = std::move(b).Build();
  EXPECT_THAT(Keys(t.Update(bad)), IsEmpty());
  ASSERT_EQ(t.errors().count("mesh-gateway-dc2"), 1u);
  EXPECT_THAT(std::string(t.errors().at("mesh-gateway-dc2").message()),
              testing::HasSubstr("TLS.Incoming.TLSMinVersion: \"TLSv9\" is not a TLS version"));
  EXPECT_EQ(t.snapshots().size(), 1u);
  // Back to the good input: the snapshot is the one it had, so nothing to emit.
  EXPECT_THAT(Keys(t.Update(w.dc2)), IsEmpty());
  EXPECT_TRUE(t.errors().empty());
}

}  // namespace
}  // namespace meshgw::control
