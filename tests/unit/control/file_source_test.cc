// Tests of control/source/file_source.h: both key styles and both block/value forms, L7
// permissions, service definitions, every error with its exact message and position, and
// reloading (a bad edit keeps the last good model; unchanged entries keep their pointers).
#include "control/source/file_source.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "control/model/model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::control {
namespace {

namespace fs = std::filesystem;
using testing::ElementsAre;

// The error text of ParseConfigFile("f.hcl", src), "" when it succeeds.
std::string Error(const std::string& src) {
  absl::StatusOr<ConfigFileContents> c = ParseConfigFile("f.hcl", src);
  return c.ok() ? "" : std::string(c.status().message());
}

ConfigEntry Entry(const std::string& src) {
  absl::StatusOr<ConfigFileContents> c = ParseConfigFile("f.hcl", src);
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok() || !c->entry.has_value()) return Mesh{};
  return *c->entry;
}

// ---- Key styles and forms ------------------------------------------------------------------

TEST(FileSourceParse, SnakeCaseAndBlocksMeanTheSame) {
  ConfigEntry camel = Entry(R"(Kind = "exported-services"
Name = "default"
Services = [{ Name = "public-api", Consumers = [{ Peer = "gcp-dc1-default" }, { SamenessGroup = "sg" }] }]
)");
  ConfigEntry snake = Entry(R"(kind = "exported-services"
name = "default"
services {
  name = "public-api"
  consumers { peer = "gcp-dc1-default" }
  consumers = [{ sameness_group = "sg" }]
}
)");
  auto a = std::get<ExportedServices>(camel);
  auto b = std::get<ExportedServices>(snake);
  a.origin = b.origin = "";
  EXPECT_EQ(a, b);
  EXPECT_THAT(a.services[0].consumers, ElementsAre(ExportedConsumer{"gcp-dc1-default", "", ""},
                                                   ExportedConsumer{"", "", "sg"}));
}

TEST(FileSourceParse, MeshEveryField) {
  auto m = std::get<Mesh>(Entry(R"(kind = "mesh"
transparent_proxy { mesh_destinations_only = true }
allow_enabling_permissive_mutual_tls = true
validate_clusters = true
tls {
  incoming {
    tls_min_version = "TLSv1_2"
    tls_max_version = "TLSv1_3"
    cipher_suites   = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]
  }
  Outgoing = { TlsMinVersion = "TLSv1_3" }
}
http { sanitize_x_forwarded_client_cert = true }
peering { peer_through_mesh_gateways = true }
)"));
  EXPECT_EQ(m.name, "mesh");
  EXPECT_TRUE(m.transparent_proxy.mesh_destinations_only);
  EXPECT_TRUE(m.allow_enabling_permissive_mutual_tls);
  EXPECT_TRUE(m.validate_clusters);
  ASSERT_TRUE(m.tls.has_value());
  ASSERT_TRUE(m.tls->incoming.has_value());
  EXPECT_EQ(m.tls->incoming->tls_min_version, "TLSv1_2");
  EXPECT_EQ(m.tls->incoming->tls_max_version, "TLSv1_3");
  EXPECT_THAT(m.tls->incoming->cipher_suites,
              ElementsAre("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
  ASSERT_TRUE(m.tls->outgoing.has_value());
  EXPECT_EQ(m.tls->outgoing->tls_min_version, "TLSv1_3");  // Go-style case-insensitive key
  EXPECT_TRUE(m.http.sanitize_x_forwarded_client_cert);
  EXPECT_TRUE(m.peering.peer_through_mesh_gateways);
}

TEST(FileSourceParse, IntentionPermissionsAndPrecedence) {
  auto si = std::get<ServiceIntentions>(Entry(R"(Kind = "service-intentions"
Name = "private-api"
Sources = [
  {
    Name = "front-service"
    Peer = "gcp-dc1-default"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathPrefix = "/v1/"
          Methods    = ["get", "HEAD"]
          Header = [
            { Name = "x-env", Exact = "prod" },
            { Name = "x-debug", Present = true, Invert = true },
          ]
        }
      },
      { Action = "deny", HTTP = { PathRegex = "/admin.*" } },
    ]
    Description = "front end over the peering"
  },
  { Name = "*", Action = "deny" },
]
)"));
  ASSERT_EQ(si.sources.size(), 2u);
  const IntentionSource& s = si.sources[0];
  EXPECT_EQ(s.peer, "gcp-dc1-default");
  EXPECT_EQ(s.action, IntentionAction::kUnset);
  EXPECT_EQ(s.description, "front end over the peering");
  EXPECT_EQ(s.precedence, 9);
  EXPECT_EQ(s.type, "consul");
  ASSERT_EQ(s.permissions.size(), 2u);
  EXPECT_EQ(s.permissions[0].action, IntentionAction::kAllow);
  ASSERT_TRUE(s.permissions[0].http.has_value());
  EXPECT_EQ(s.permissions[0].http->path_prefix, "/v1/");
  EXPECT_THAT(s.permissions[0].http->methods, ElementsAre("GET", "HEAD"));
  IntentionHeaderMatch env;
  env.name = "x-env";
  env.exact = "prod";
  IntentionHeaderMatch debug;
  debug.name = "x-debug";
  debug.present = true;
  debug.invert = true;
  EXPECT_THAT(s.permissions[0].http->header, ElementsAre(env, debug));
  EXPECT_EQ(s.permissions[1].action, IntentionAction::kDeny);
  EXPECT_EQ(s.permissions[1].http->path_regex, "/admin.*");
  EXPECT_EQ(si.sources[1].name, "*");
  EXPECT_EQ(si.sources[1].precedence, 8);
  EXPECT_EQ(si.sources[1].action, IntentionAction::kDeny);
}

TEST(FileSourceParse, ResolverAndServiceDefaults) {
  auto r = std::get<ServiceResolver>(Entry(R"(kind            = "service-resolver"
name            = "api"
connect_timeout = "2.5s"
default_subset  = "v1"
subsets = {
  v1 = { filter = "Service.Meta.version == v1", only_passing = true }
  v2 = { filter = "Service.Meta.version == v2" }
}
failover = {
  v1 = { sameness_group = "api-services" }
  "*" = { targets = [{ peer = "gcp-dc2-default" }, { datacenter = "dc3" }] }
}
load_balancer {
  policy = "least_request"
  least_request_config { choice_count = 3 }
}
)"));
  EXPECT_EQ(r.connect_timeout, absl::Milliseconds(2500));
  EXPECT_EQ(r.default_subset, "v1");
  EXPECT_EQ(r.subsets.at("v1"), (ResolverSubset{"Service.Meta.version == v1", true}));
  EXPECT_EQ(r.failover.at("v1").sameness_group, "api-services");
  ASSERT_EQ(r.failover.at("*").targets.size(), 2u);
  EXPECT_EQ(r.failover.at("*").targets[0].peer, "gcp-dc2-default");
  EXPECT_EQ(r.failover.at("*").targets[1].datacenter, "dc3");
  ASSERT_TRUE(r.load_balancer.has_value());
  EXPECT_EQ(r.load_balancer->policy, "least_request");
  EXPECT_EQ(r.load_balancer->least_request_config->choice_count, 3u);

  auto d = std::get<ServiceDefaults>(Entry(R"(Kind = "service-defaults"
Name = "web"
Protocol = "grpc"
MutualTLSMode = "permissive"
MeshGateway { Mode = "remote" }
UpstreamConfig {
  Defaults = { ConnectTimeoutMs = 500, Limits = { MaxConnections = 10 } }
  Overrides = [{ Name = "db", Peer = "p1", Protocol = "tcp",
                 PassiveHealthCheck = { Interval = "10s", MaxFailures = 3 } }]
}
)"));
  EXPECT_EQ(d.protocol, "grpc");
  EXPECT_EQ(d.mutual_tls_mode, "permissive");
  EXPECT_EQ(d.mesh_gateway.mode, "remote");
  ASSERT_TRUE(d.upstream_config.has_value());
  EXPECT_EQ(d.upstream_config->defaults->connect_timeout_ms, 500);
  EXPECT_EQ(d.upstream_config->defaults->limits->max_connections, 10);
  EXPECT_EQ(d.upstream_config->overrides[0].peer, "p1");
  EXPECT_EQ(d.upstream_config->overrides[0].passive_health_check->interval, absl::Seconds(10));
  EXPECT_EQ(d.upstream_config->overrides[0].passive_health_check->max_failures, 3u);
  EXPECT_EQ(d.max_inbound_connections, 0);  // unset: no limit
}

TEST(FileSourceParse, ServiceDefaultsMaxInboundConnectionsInBothKeyStyles) {
  auto camel = std::get<ServiceDefaults>(Entry(R"(Kind = "service-defaults"
Name = "echo"
Protocol = "http"
MaxInboundConnections = 9500
)"));
  auto snake = std::get<ServiceDefaults>(Entry(R"(kind = "service-defaults"
name = "echo"
protocol = "http"
max_inbound_connections = 9500
)"));
  EXPECT_EQ(camel.max_inbound_connections, 9500);
  EXPECT_EQ(snake.max_inbound_connections, 9500);
  camel.origin = snake.origin = "";
  EXPECT_EQ(camel, snake);
}

// ---- Service definitions -------------------------------------------------------------------

TEST(FileSourceParse, ServiceDefinitions) {
  absl::StatusOr<ConfigFileContents> c = ParseConfigFile("svc.hcl", R"(service {
  name    = "mesh-gateway"
  id      = "mesh-gateway-1"
  kind    = "mesh-gateway"
  port    = 8443
  address = "127.0.2.10"
  tagged_addresses {
    lan {
      address = "127.0.2.10"
      port    = 8443
    }
    wan = { address = "127.0.2.11", port = 9443 }
  }
  meta { version = "1" }
  check {
    name     = "mesh port"
    tcp      = "127.0.2.10:8443"
    interval = "10s"
  }
  proxy {
    config { envoy_gateway_bind_tagged_addresses = true }
  }
}
service {
  name = "front-service"
  port = 9090
  tags = ["web"]
  enable_tag_override = true
  connect {
    sidecar_service {
      proxy {
        upstreams = [
          { destination_name = "private-api", destination_peer = "gcp-dc2-default",
            local_bind_port = 9191 },
        ]
      }
    }
  }
}
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->entry.has_value());
  ASSERT_EQ(c->services.size(), 2u);
  const ServiceDefinition& gw = c->services[0];
  EXPECT_EQ(gw.EffectiveId(), "mesh-gateway-1");
  EXPECT_EQ(gw.kind, "mesh-gateway");
  EXPECT_EQ(gw.origin, "svc.hcl:1:1");
  EXPECT_EQ(gw.tagged_addresses.at("lan"), (ServiceAddress{"127.0.2.10", 8443}));
  EXPECT_EQ(gw.WanAddress(), (ServiceAddress{"127.0.2.11", 9443}));
  EXPECT_EQ(gw.LanAddress(), (ServiceAddress{"127.0.2.10", 8443}));
  EXPECT_EQ(gw.meta, (std::map<std::string, std::string>{{"version", "1"}}));
  ASSERT_TRUE(gw.proxy.has_value());
  EXPECT_EQ(gw.proxy->config, nlohmann::json({{"envoy_gateway_bind_tagged_addresses", true}}));
  const ServiceDefinition& front = c->services[1];
  EXPECT_EQ(front.EffectiveId(), "front-service");
  EXPECT_EQ(front.origin, "svc.hcl:24:1");
  EXPECT_THAT(gw.checks,
              ElementsAre(nlohmann::json(
                  {{"name", "mesh port"}, {"tcp", "127.0.2.10:8443"}, {"interval", "10s"}})));
  EXPECT_TRUE(front.checks.empty());
  EXPECT_THAT(front.tags, ElementsAre("web"));
  EXPECT_TRUE(front.enable_tag_override);
  ASSERT_TRUE(front.connect.has_value() && front.connect->sidecar_service.has_value());
  const auto& ups = front.connect->sidecar_service->proxy.upstreams;
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_EQ(ups[0].destination_name, "private-api");
  EXPECT_EQ(ups[0].destination_peer, "gcp-dc2-default");
  EXPECT_EQ(ups[0].local_bind_port, 9191);
}

TEST(FileSourceParse, ServiceListFormAndItsErrors) {
  absl::StatusOr<ConfigFileContents> c = ParseConfigFile("svc.hcl", R"(services = [
  { name = "a", port = 1 },
  { name = "b", port = 70000 },
]
)");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "svc.hcl:3:24: Invalid service definition; Port: Port must be a port number from 1 "
            "to 65535, not 70000.");
  EXPECT_EQ(Error(R"(service {
  name = "gw"
  kind = "mesh-gateway"
}
)"),
            "f.hcl:1:1: Invalid service definition; Port: Port must be a port number from 1 to "
            "65535, not 0.");
  EXPECT_EQ(Error(R"(service {
  name = "web"
  connect {
    sidecar_service {
      proxy {
        upstreams { destination_name = "db" }
      }
    }
  }
}
)"),
            "f.hcl:6:9: Invalid service definition; Connect.SidecarService.Proxy.Upstreams[0]."
            "LocalBindPort: LocalBindPort must be a port number from 1 to 65535, not 0.");
}

// ---- Errors, with their exact positions -------------------------------------------------------

TEST(FileSourceErrors, DecodeErrors) {
  EXPECT_EQ(Error("Kind = \"service-intentions\"\nName = \"db\"\nSources = [\n"
                  "  { Name = \"web\", Acton = \"allow\" },\n]\n"),
            "f.hcl:4:19: Unsupported argument; An argument named \"Acton\" is not expected here. "
            "Did you mean \"Action\"?");
  EXPECT_EQ(Error("Kind = \"sameness-group\"\nName = \"sg\"\nMembers = \"x\"\n"),
            "f.hcl:3:11: Incorrect attribute value type; Inappropriate value for attribute "
            "\"Members\": a list of objects is required, not \"x\".");
  EXPECT_EQ(Error("Kind = \"service-intentions\"\nName = \"db\"\n"
                  "Sources = [{ Name = \"web\", Action = \"alow\" }]\n"),
            "f.hcl:3:37: Invalid intention action; Action must be \"allow\" or \"deny\", not "
            "\"alow\". Did you mean \"allow\"?");
  EXPECT_EQ(
      Error("Kind = \"service-resolver\"\nName = \"r\"\nConnectTimeout = \"15 s\"\n"),
      "f.hcl:3:18: Incorrect attribute value type; Inappropriate value for attribute "
      "\"ConnectTimeout\": a duration such as \"5s\", \"1m30s\" or \"250ms\" is required, not "
      "\"15 s\".");
  EXPECT_EQ(Error("Kind = \"proxy-defaults\"\nName = \"global\"\nConfig = \"http\"\n"),
            "f.hcl:3:10: Incorrect attribute value type; Inappropriate value for attribute "
            "\"Config\": an object is required.");
}

TEST(FileSourceErrors, KindAndShape) {
  EXPECT_EQ(Error("Kind = \"service-intention\"\nName = \"db\"\n"),
            "f.hcl:1:8: Unsupported config entry kind; meshgw reads the kinds exported-services, "
            "service-intentions, sameness-group, service-resolver, service-defaults, "
            "proxy-defaults, mesh, api-gateway and http-route, not \"service-intention\". Did "
            "you mean \"service-intentions\"?");
  EXPECT_EQ(Error("Kind = \"service-router\"\nName = \"db\"\n"),
            "f.hcl:1:8: Unsupported config entry kind; meshgw reads the kinds exported-services, "
            "service-intentions, sameness-group, service-resolver, service-defaults, "
            "proxy-defaults, mesh, api-gateway and http-route, not \"service-router\".");
  EXPECT_EQ(Error("Kind = 3\n"),
            "f.hcl:1:8: Invalid config entry kind; Kind must be a string such as "
            "\"service-intentions\", not 3.");
  EXPECT_EQ(Error("Name = \"x\"\n"),
            "f.hcl:1:1: Unrecognized file; Expected a Consul config entry (Kind = \"...\" at the "
            "top), service definitions (service { ... }) or an ACL policy.");
  EXPECT_THAT(Error("Kind = \"mesh\"\nPeering {\n"), testing::StartsWith("f.hcl:2:"));
}

TEST(FileSourceErrors, ConsulRulesPointAtTheField) {
  // Peer and SamenessGroup together: the source object.
  EXPECT_EQ(Error(R"(Kind = "service-intentions"
Name = "db"
Sources = [
  { Name = "web", Action = "allow" },
  { Name = "web", Peer = "p", SamenessGroup = "sg", Action = "allow" },
]
)"),
            "f.hcl:5:3: Invalid config entry; Sources[1]: a source sets at most one of Peer, "
            "Partition, SamenessGroup; this one sets Peer and SamenessGroup.");
  // A wildcard peer: the value.
  EXPECT_EQ(Error("Kind = \"service-intentions\"\nName = \"db\"\n"
                  "Sources = [{ Name = \"web\", Peer = \"*\", Action = \"deny\" }]\n"),
            "f.hcl:3:35: Invalid config entry; Sources[0].Peer: a peer cannot be a wildcard "
            "(\"*\"); name one peer.");
  // Block form: the second Sources block.
  EXPECT_EQ(Error(R"(Kind = "service-intentions"
Name = "db"
Sources {
  Name   = "a"
  Action = "allow"
}
Sources {
  Name = "b"
}
)"),
            "f.hcl:7:1: Invalid config entry; Sources[1]: a source needs an Action (\"allow\" "
            "or \"deny\") or Permissions.");
  EXPECT_EQ(Error(R"(Kind = "exported-services"
Name = "default"
Services = [{ Name = "api", Consumers = [{ Peer = "p" }, {}] }]
)"),
            "f.hcl:3:58: Invalid config entry; Services[0].Consumers[1]: a consumer sets exactly "
            "one of Peer, Partition, SamenessGroup; this one sets none.");
  EXPECT_EQ(Error(R"(Kind = "service-resolver"
Name = "api"
Failover = {
  "v2" = { Targets = [{ Peer = "p" }] }
}
)"),
            "f.hcl:4:10: Invalid config entry; Failover[\"v2\"]: Failover key \"v2\" is neither "
            "\"*\" nor a subset declared in Subsets.");
  EXPECT_EQ(Error("Kind = \"proxy-defaults\"\nName = \"other\"\n"),
            "f.hcl:2:8: Invalid config entry; Name: a proxy-defaults entry must be named "
            "\"global\", not \"other\".");
  EXPECT_EQ(Error("Kind = \"mesh\"\nTLS {\n  Incoming { TLSMinVersion = \"TLSv1_9\" }\n}\n"),
            "f.hcl:3:30: Invalid config entry; TLS.Incoming.TLSMinVersion: TLSMinVersion must be "
            "one of \"\", \"TLS_AUTO\", \"TLSv1_0\", \"TLSv1_1\", \"TLSv1_2\", \"TLSv1_3\", not "
            "\"TLSv1_9\".");
  EXPECT_EQ(Error("Kind = \"service-defaults\"\nName = \"web\"\nProtocol = \"HTTP\"\n"),
            "f.hcl:3:12: Invalid config entry; Protocol: Protocol must be one of \"tcp\", "
            "\"http\", \"http2\", \"grpc\", not \"HTTP\".");
  EXPECT_EQ(Error("Kind = \"service-defaults\"\nName = \"web\"\nMaxInboundConnections = -5\n"),
            "f.hcl:3:25: Invalid config entry; MaxInboundConnections: MaxInboundConnections must "
            "be 0 (no limit) or more, not -5.");
  EXPECT_THAT(
      Error("Kind = \"service-defaults\"\nName = \"web\"\nMaxInboundConnections = \"many\"\n"),
      testing::StartsWith("f.hcl:3:"));
}

// ---- The folder, reloads ---------------------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "meshgw-src-XXXXXX").string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  // Writes a file and gives it modification time `mtime` (seconds), so that a rewrite within
  // the file system's timestamp granularity is still seen.
  void Write(const std::string& rel, const std::string& text, int mtime) const {
    fs::path p = fs::path(path_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    struct timeval tv[2] = {{mtime, 0}, {mtime, 0}};
    utimes(p.c_str(), tv);
  }

 private:
  std::string path_;
};

constexpr char kMesh[] = "Kind = \"mesh\"\nPeering { PeerThroughMeshGateways = true }\n";
constexpr char kIntentions[] =
    "Kind = \"service-intentions\"\nName = \"db\"\nSources = [{ Name = \"web\", Action = "
    "\"allow\" }]\n";

FileSourceOptions Options(const std::string& dir) {
  FileSourceOptions o;
  o.directory = dir;
  o.local.datacenter = "dc1";
  o.local.cluster_id = "c1";
  return o;
}

TEST(FileSource, ReloadKeepsTheLastGoodModel) {
  TempDir dir;
  dir.Write("mesh.hcl", kMesh, 1000);
  dir.Write("sub/intentions.hcl", kIntentions, 1000);
  dir.Write(".hidden/ignored.hcl", "this is not HCL {", 1000);
  dir.Write("notes.txt", "not read", 1000);
  FileSource source(Options(dir.path()));
  EXPECT_EQ(source.model().EntryCount(), 0u);
  ASSERT_EQ(source.Reload(), absl::StatusOr<bool>(true));
  EXPECT_THAT(source.files(),
              ElementsAre(dir.path() + "/mesh.hcl", dir.path() + "/sub/intentions.hcl"));
  Model first = source.model();
  EXPECT_EQ(first.EntryCount(), 2u);
  EXPECT_EQ(first.local().datacenter, "dc1");

  // Nothing changed: no new model.
  EXPECT_EQ(source.Reload(), absl::StatusOr<bool>(false));

  // A bad edit: the error names the place, the model stays.
  dir.Write("sub/intentions.hcl",
            "Kind = \"service-intentions\"\nName = \"db\"\nSources = [{ Name = \"web\", Action = "
            "\"permit\" }]\n",
            2000);
  absl::StatusOr<bool> bad = source.Reload();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            dir.path() +
                "/sub/intentions.hcl:3:37: Invalid intention action; Action must be "
                "\"allow\" or \"deny\", not \"permit\".");
  EXPECT_EQ(source.last_error(), bad.status());
  EXPECT_EQ(source.model().Find(ConfigEntryKind::kServiceIntentions, "db"),
            first.Find(ConfigEntryKind::kServiceIntentions, "db"));
  // The same bad state again is not news.
  EXPECT_EQ(source.Reload(), absl::StatusOr<bool>(false));

  // Fixed: a new model; the untouched mesh entry keeps its pointer, the edited one is new.
  dir.Write("sub/intentions.hcl",
            "Kind = \"service-intentions\"\nName = \"db\"\nSources = [{ Name = \"web\", Action = "
            "\"deny\" }]\n",
            3000);
  ASSERT_EQ(source.Reload(), absl::StatusOr<bool>(true));
  EXPECT_TRUE(source.last_error().ok());
  Model second = source.model();
  EXPECT_EQ(second.Find(ConfigEntryKind::kMesh, "mesh"),
            first.Find(ConfigEntryKind::kMesh, "mesh"));
  EXPECT_EQ(second.Get<ServiceIntentions>("db")->sources[0].action, IntentionAction::kDeny);
  ModelDiff diff = DiffModels(first, second);
  EXPECT_THAT(diff.changed, ElementsAre(EntryKey{ConfigEntryKind::kServiceIntentions, "db"}));
  EXPECT_TRUE(diff.added.empty());
  EXPECT_TRUE(diff.removed.empty());
  // The old model is untouched.
  EXPECT_EQ(first.Get<ServiceIntentions>("db")->sources[0].action, IntentionAction::kAllow);

  // A removed file removes its entry.
  fs::remove(dir.path() + "/mesh.hcl");
  ASSERT_EQ(source.Reload(), absl::StatusOr<bool>(true));
  EXPECT_EQ(source.model().Find(ConfigEntryKind::kMesh, "mesh"), nullptr);
  EXPECT_THAT(DiffModels(second, source.model()).removed,
              ElementsAre(EntryKey{ConfigEntryKind::kMesh, "mesh"}));
}

TEST(FileSource, DuplicateServiceIdsNameBothPlaces) {
  TempDir dir;
  dir.Write("a.hcl", "service {\n  name = \"web\"\n  port = 80\n}\n", 1000);
  dir.Write("b.hcl", "\nservice {\n  id   = \"web\"\n  name = \"web2\"\n}\n", 1000);
  FileSource source(Options(dir.path()));
  absl::StatusOr<bool> r = source.Reload();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            dir.path() +
                "/b.hcl:2:1: Duplicate service definition; service ID \"web\" is also "
                "defined at " +
                dir.path() + "/a.hcl:1:1; give each instance its own ID.");
}

TEST(FileSource, MissingDirectory) {
  FileSource source(Options("/nonexistent/meshgw"));
  absl::StatusOr<bool> r = source.Reload();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "/nonexistent/meshgw: not a directory");
}

TEST(FileSource, ServicesInTheModel) {
  TempDir dir;
  dir.Write("gw.hcl",
            "service {\n  name = \"mesh-gateway\"\n  kind = \"mesh-gateway\"\n  port = 8443\n"
            "  address = \"127.0.1.10\"\n}\n",
            1000);
  dir.Write("web.hcl",
            "services = [{ name = \"web\", id = \"web-1\" }, { name = \"web\", id = "
            "\"web-2\" }]\n",
            1000);
  FileSource source(Options(dir.path()));
  ASSERT_EQ(source.Reload(), absl::StatusOr<bool>(true));
  const Model& m = source.model();
  EXPECT_EQ(m.Services().size(), 3u);
  ASSERT_EQ(m.MeshGateways().size(), 1u);
  EXPECT_EQ(m.MeshGateways()[0]->WanAddress(), (ServiceAddress{"127.0.1.10", 8443}));
  auto webs = m.ServicesNamed("web");
  ASSERT_EQ(webs.size(), 2u);
  EXPECT_EQ(webs[0]->id, "web-1");
  EXPECT_EQ(webs[1]->id, "web-2");
  EXPECT_EQ(m.FindService("web-2")->origin, dir.path() + "/web.hcl:1:45");
}

}  // namespace
}  // namespace meshgw::control
