// Tests of control/model: the Model's copy-on-write sharing and lookups, DiffModels, Consul's
// intention precedence, protocol resolution and the validation rules that are not reached
// through the file source's tests.
#include "control/model/model.h"

#include <string>

#include "control/model/validate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::control {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

LocalSettings Local() {
  LocalSettings l;
  l.datacenter = "gcp-dc2";
  l.cluster_id = "7f42f496-fbc7-8692-05ed-334aa5340c1e";
  return l;
}

ServiceIntentions Intentions(std::string dest, std::string source, IntentionAction action) {
  ServiceIntentions si;
  si.name = std::move(dest);
  IntentionSource s;
  s.name = std::move(source);
  s.action = action;
  si.sources.push_back(s);
  return si;
}

TEST(ConfigEntryKinds, NamesRoundTrip) {
  ASSERT_EQ(ConfigEntryKindNames().size(), static_cast<size_t>(kNumConfigEntryKinds));
  for (int k = 0; k < kNumConfigEntryKinds; ++k) {
    auto kind = static_cast<ConfigEntryKind>(k);
    EXPECT_EQ(ParseConfigEntryKind(ConfigEntryKindName(kind)), kind);
    EXPECT_EQ(ConfigEntryKindNames()[k], ConfigEntryKindName(kind));
  }
  EXPECT_EQ(ConfigEntryKindName(ConfigEntryKind::kSamenessGroup), "sameness-group");
  EXPECT_EQ(ParseConfigEntryKind("Mesh"), std::nullopt);
  EXPECT_EQ(KindOf(ConfigEntry(HttpRoute{})), ConfigEntryKind::kHttpRoute);
  EXPECT_EQ(EntryKey({ConfigEntryKind::kServiceIntentions, "db"}).ToString(),
            "service-intentions/db");
}

TEST(Model, BuilderSharesAndNeverMutatesTheBase) {
  Model empty(Local());
  EXPECT_EQ(empty.local().TrustDomain(), "7f42f496-fbc7-8692-05ed-334aa5340c1e.consul");
  EXPECT_EQ(empty.EntryCount(), 0u);

  Model::Builder b(empty);
  Mesh mesh;
  mesh.peering.peer_through_mesh_gateways = true;
  b.Put(mesh).Put(Intentions("db", "web", IntentionAction::kAllow));
  Model one = std::move(b).Build();
  EXPECT_EQ(empty.EntryCount(), 0u);
  EXPECT_EQ(one.EntryCount(), 2u);
  EXPECT_TRUE(one.PeerThroughMeshGateways());
  EXPECT_FALSE(empty.PeerThroughMeshGateways());

  Model::Builder b2(one);
  b2.Put(Intentions("db", "web", IntentionAction::kDeny));
  EXPECT_TRUE(b2.Remove(ConfigEntryKind::kMesh, "mesh"));
  EXPECT_FALSE(b2.Remove(ConfigEntryKind::kMesh, "mesh"));
  Model two = std::move(b2).Build();
  EXPECT_EQ(one.Get<ServiceIntentions>("db")->sources[0].action, IntentionAction::kAllow);
  EXPECT_EQ(two.Get<ServiceIntentions>("db")->sources[0].action, IntentionAction::kDeny);
  EXPECT_EQ(two.Get<Mesh>("mesh"), nullptr);
  EXPECT_EQ(two.Get<ServiceIntentions>("nope"), nullptr);
  EXPECT_EQ(two.Find(ConfigEntryKind::kExportedServices, "db"), nullptr);

  ModelDiff d = DiffModels(one, two);
  EXPECT_THAT(d.changed, ElementsAre(EntryKey{ConfigEntryKind::kServiceIntentions, "db"}));
  EXPECT_THAT(d.removed, ElementsAre(EntryKey{ConfigEntryKind::kMesh, "mesh"}));
  EXPECT_THAT(d.added, IsEmpty());
  EXPECT_FALSE(d.local_changed);
  EXPECT_TRUE(DiffModels(two, two).empty());
  ModelDiff back = DiffModels(two, one);
  EXPECT_THAT(back.added, ElementsAre(EntryKey{ConfigEntryKind::kMesh, "mesh"}));
}

TEST(Model, ReuseKeepsPointersOfEqualEntries) {
  Model::Builder b{Model(Local())};
  b.Put(Intentions("db", "web", IntentionAction::kAllow));
  b.Put(Intentions("api", "web", IntentionAction::kAllow));
  Model first = std::move(b).Build();

  Model::Builder rebuilt{Model(Local())};
  rebuilt.ReuseUnchangedFrom(first);
  rebuilt.Put(Intentions("db", "web", IntentionAction::kAllow));
  rebuilt.Put(Intentions("api", "web", IntentionAction::kDeny));
  Model second = std::move(rebuilt).Build();
  EXPECT_EQ(second.Find(ConfigEntryKind::kServiceIntentions, "db"),
            first.Find(ConfigEntryKind::kServiceIntentions, "db"));
  EXPECT_NE(second.Find(ConfigEntryKind::kServiceIntentions, "api"),
            first.Find(ConfigEntryKind::kServiceIntentions, "api"));
  EXPECT_THAT(DiffModels(first, second).changed,
              ElementsAre(EntryKey{ConfigEntryKind::kServiceIntentions, "api"}));
}

TEST(Model, ServicesAndLocalChanges) {
  ServiceDefinition gw;
  gw.name = "mesh-gateway";
  gw.kind = "mesh-gateway";
  gw.address = "10.0.0.5";
  gw.port = 8443;
  gw.tagged_addresses["wan_ipv4"] = ServiceAddress{"34.1.2.3", 0};
  ServiceDefinition web;
  web.name = "web";
  web.id = "web-1";
  Model::Builder b{Model(Local())};
  b.PutService(gw).PutService(web);
  Model m = std::move(b).Build();
  EXPECT_EQ(m.Services().size(), 2u);
  ASSERT_EQ(m.MeshGateways().size(), 1u);
  EXPECT_EQ(m.MeshGateways()[0]->WanAddress(), (ServiceAddress{"34.1.2.3", 8443}));
  EXPECT_EQ(m.MeshGateways()[0]->LanAddress(), (ServiceAddress{"10.0.0.5", 8443}));
  EXPECT_EQ(m.FindService("web-1")->name, "web");
  EXPECT_EQ(m.FindService("web"), nullptr);

  Model::Builder b2(m);
  LocalSettings other = Local();
  other.datacenter = "gcp-dc3";
  b2.SetLocal(other);
  EXPECT_TRUE(b2.RemoveService("web-1"));
  Model m2 = std::move(b2).Build();
  ModelDiff d = DiffModels(m, m2);
  EXPECT_TRUE(d.local_changed);
  EXPECT_THAT(d.services_removed, ElementsAre("web-1"));
}

TEST(Model, ServiceProtocolLikeConsul) {
  Model::Builder b{Model(Local())};
  ServiceDefaults sd;
  sd.name = "db";
  sd.protocol = "tcp";
  b.Put(sd);
  Model::Builder only_sd{Model(Local())};
  only_sd.Put(sd);
  Model no_defaults = std::move(only_sd).Build();
  EXPECT_EQ(no_defaults.ServiceProtocol("web"), "tcp");
  ProxyDefaults pd;
  pd.name = "global";
  pd.config = {{"protocol", "http"}};
  b.Put(pd);
  Model m = std::move(b).Build();
  EXPECT_EQ(m.ServiceProtocol("db"), "tcp");    // service-defaults wins
  EXPECT_EQ(m.ServiceProtocol("web"), "http");  // then proxy-defaults
}

TEST(Model, PeersExportedToExpandsSamenessGroups) {
  ExportedServices ex;
  ex.name = "default";
  ex.services = {
      ExportedService{"public-api", "", {ExportedConsumer{"", "", "api-services"}}},
      ExportedService{"*", "", {ExportedConsumer{"peer-z", "", ""}}},
      ExportedService{"private-api",
                      "",
                      {ExportedConsumer{"peer-a", "", ""}, ExportedConsumer{"", "team", ""}}}};
  SamenessGroup sg;
  sg.name = "api-services";
  sg.members = {SamenessMember{"default", ""}, SamenessMember{"", "gcp-dc1-default"}};
  Model::Builder b{Model(Local())};
  EXPECT_THAT(Model(Local()).PeersExportedTo("public-api"), IsEmpty());
  b.Put(ex).Put(sg);
  Model m = std::move(b).Build();
  EXPECT_THAT(m.PeersExportedTo("public-api"), ElementsAre("gcp-dc1-default", "peer-z"));
  EXPECT_THAT(m.PeersExportedTo("private-api"), ElementsAre("peer-a", "peer-z"));
  EXPECT_THAT(m.PeersExportedTo("other"), ElementsAre("peer-z"));
  // The index answers the same for every service, from one pass.
  Model::ExportIndex index = m.ExportedPeersIndex();
  for (const char* service : {"public-api", "private-api", "other"}) {
    EXPECT_EQ(index.PeersOf(service), m.PeersExportedTo(service)) << service;
  }
  EXPECT_THAT(Model(Local()).ExportedPeersIndex().PeersOf("public-api"), IsEmpty());
}

TEST(IntentionPrecedence, ConsulTable) {
  auto prec = [](std::string src_ns, std::string src, std::string dst_ns, std::string dst) {
    IntentionSource s;
    s.ns = std::move(src_ns);
    s.name = std::move(src);
    ServiceIntentions d;
    d.ns = std::move(dst_ns);
    d.name = std::move(dst);
    return IntentionPrecedence(s, d);
  };
  EXPECT_EQ(prec("", "web", "", "db"), 9);
  EXPECT_EQ(prec("", "*", "", "db"), 8);
  EXPECT_EQ(prec("*", "*", "", "db"), 7);
  EXPECT_EQ(prec("", "web", "", "*"), 6);
  EXPECT_EQ(prec("", "*", "", "*"), 5);
  EXPECT_EQ(prec("*", "*", "", "*"), 4);
  EXPECT_EQ(prec("", "web", "*", "*"), 3);
  EXPECT_EQ(prec("", "*", "*", "*"), 2);
  EXPECT_EQ(prec("*", "*", "*", "*"), 1);
}

TEST(Validate, IntentionRules) {
  ServiceIntentions si = Intentions("db", "web", IntentionAction::kAllow);
  EXPECT_THAT(ValidateConfigEntry(si), IsEmpty());
  si.sources.push_back(si.sources[0]);  // duplicate
  IntentionPermission p;
  p.action = IntentionAction::kAllow;
  p.http.emplace();
  p.http->path_exact = "v1";
  p.http->path_prefix = "/v1";
  IntentionHeaderMatch h;
  h.name = "x";
  p.http->header.push_back(h);
  p.http->methods = {"FETCH"};
  IntentionSource l7;
  l7.name = "api";
  l7.permissions.push_back(p);
  si.sources.push_back(l7);
  EXPECT_THAT(
      ValidateConfigEntry(si),
      ElementsAre(
          ValidationError{"Sources[1]", "source \"web\" is listed more than once"},
          ValidationError{"Sources[2].Permissions[0].HTTP",
                          "at most one of PathExact, PathPrefix, PathRegex may be set; this sets "
                          "PathExact and PathPrefix"},
          ValidationError{"Sources[2].Permissions[0].HTTP.PathExact",
                          "PathExact must start with \"/\", not \"v1\""},
          ValidationError{"Sources[2].Permissions[0].HTTP.Header[0]",
                          "a header match sets exactly one of Present, Exact, Prefix, Suffix, "
                          "Contains, Regex; this one sets none"},
          ValidationError{"Sources[2].Permissions[0].HTTP.Methods[0]",
                          "a method must be one of \"GET\", \"HEAD\", \"POST\", \"PUT\", "
                          "\"DELETE\", \"CONNECT\", \"OPTIONS\", \"TRACE\", \"PATCH\", not "
                          "\"FETCH\""}));
  ServiceIntentions both = Intentions("db", "web", IntentionAction::kAllow);
  both.sources[0].permissions.push_back(IntentionPermission{});
  EXPECT_THAT(
      ValidateConfigEntry(both),
      ElementsAre(
          ValidationError{"Sources[0]", "Action and Permissions are mutually exclusive; set one"},
          ValidationError{"Sources[0].Permissions[0]",
                          "a permission needs an Action (\"allow\" or \"deny\")"},
          ValidationError{"Sources[0].Permissions[0]", "a permission needs an HTTP match"}));
}

TEST(Validate, OtherKinds) {
  SamenessGroup sg;
  sg.name = "api-services";
  sg.members = {SamenessMember{"default", "p1"}};
  EXPECT_THAT(ValidateConfigEntry(sg),
              ElementsAre(ValidationError{"Members[0]",
                                          "a member sets exactly one of Partition, Peer; this one "
                                          "sets Partition and Peer"}));
  ServiceResolver r;
  r.name = "api";
  r.redirect.emplace();
  r.redirect->peer = "p";
  r.redirect->datacenter = "dc2";
  r.failover["*"].targets.push_back(FailoverTarget{});
  r.failover["*"].sameness_group = "sg";
  EXPECT_THAT(
      ValidateConfigEntry(r),
      ElementsAre(ValidationError{"Redirect", "Redirect and Failover are mutually exclusive"},
                  ValidationError{"Redirect",
                                  "Redirect sets Peer and Datacenter; a peer has its own "
                                  "datacenter"},
                  ValidationError{"Failover[\"*\"]",
                                  "a failover sets exactly one of Targets, SamenessGroup, "
                                  "Service/ServiceSubset/Namespace/Datacenters; this one sets "
                                  "Targets and SamenessGroup"}));
  ProxyDefaults pd;
  pd.name = "global";
  pd.config = {{"protocol", 7}};
  pd.access_logs.emplace();
  pd.access_logs->type = "file";
  EXPECT_THAT(
      ValidateConfigEntry(pd),
      ElementsAre(ValidationError{"Config.protocol", "Config.protocol must be a string"},
                  ValidationError{"AccessLogs", "AccessLogs of Type \"file\" need a Path"}));
  ApiGateway gw;
  gw.name = "gw";
  gw.listeners = {ApiGatewayListener{"l", "", 8081, "http", std::nullopt},
                  ApiGatewayListener{"l", "", 0, "udp", std::nullopt}};
  EXPECT_THAT(
      ValidateConfigEntry(gw),
      ElementsAre(
          ValidationError{"Listeners[1].Port", "Port must be a port number from 1 to 65535, not 0"},
          ValidationError{"Listeners[1].Protocol",
                          "Protocol must be one of \"http\", \"tcp\", not \"udp\""},
          ValidationError{"Listeners[1].Name", "listener name \"l\" is used twice"}));
  ServiceDefaults sd;
  sd.name = "echo";
  sd.max_inbound_connections = 0;  // no limit
  EXPECT_THAT(ValidateConfigEntry(sd), IsEmpty());
  sd.max_inbound_connections = 100;
  EXPECT_THAT(ValidateConfigEntry(sd), IsEmpty());
  sd.max_inbound_connections = -1;
  EXPECT_THAT(ValidateConfigEntry(sd),
              ElementsAre(ValidationError{"MaxInboundConnections",
                                          "MaxInboundConnections must be 0 (no limit) or more, "
                                          "not -1"}));
  Mesh mesh;
  mesh.tls.emplace();
  mesh.tls->incoming.emplace();
  mesh.tls->incoming->tls_min_version = "TLSv1_3";
  mesh.tls->incoming->tls_max_version = "TLSv1_2";
  mesh.tls->incoming->cipher_suites = {"ECDHE-RSA-AES128-GCM-SHA256"};
  EXPECT_THAT(
      ValidateConfigEntry(mesh),
      ElementsAre(ValidationError{"TLS.Incoming",
                                  "TLSMinVersion TLSv1_3 is above TLSMaxVersion "
                                  "TLSv1_2"},
                  ValidationError{"TLS.Incoming.CipherSuites",
                                  "CipherSuites cannot be set with TLSMinVersion TLSv1_3 (TLS 1.3 "
                                  "suites are fixed)"},
                  ValidationError{"TLS.Incoming.CipherSuites[0]",
                                  "a cipher suite is named like "
                                  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, not "
                                  "\"ECDHE-RSA-AES128-GCM-SHA256\""}));
}

TEST(Validate, NormalizeFillsWhatConsulComputes) {
  ConfigEntry e = Intentions("*", "web", IntentionAction::kAllow);
  std::get<ServiceIntentions>(e).sources[0].precedence = 42;  // read-only in Consul
  std::get<ServiceIntentions>(e).sources[0].type = "";
  NormalizeConfigEntry(&e);
  EXPECT_EQ(std::get<ServiceIntentions>(e).sources[0].precedence, 6);
  EXPECT_EQ(std::get<ServiceIntentions>(e).sources[0].type, "consul");
  ConfigEntry m = Mesh{};
  std::get<Mesh>(m).name = "";
  NormalizeConfigEntry(&m);
  EXPECT_EQ(EntryName(m), "mesh");
}

}  // namespace
}  // namespace meshgw::control
