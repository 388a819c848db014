// Tests of hcl/decode/decode.h: a realistic gateway bootstrap file, Consul config entries in both
// key styles and both block/attribute forms, and every error path with its exact message and
// position.
#include "hcl/decode/decode.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl::decode {
namespace {

// ---- The gateway's bootstrap file ------------------------------------------------------------

struct Admin {
  std::string address = "127.0.0.1";
  uint16_t port = 19000;
};
const auto kAdminSchema =
    Schema<Admin>().Attr("address", &Admin::address).Attr("port", &Admin::port);

struct Listener {
  std::string name;
  std::string address;
  int64_t port = 8443;
  std::vector<std::string> alpn;
  absl::Duration idle_timeout = absl::Minutes(10);
};
const auto kListenerSchema = Schema<Listener>()
                                 .Label("name", &Listener::name)
                                 .Attr("address", &Listener::address, kRequired)
                                 .Attr("port", &Listener::port)
                                 .Attr("alpn", &Listener::alpn)
                                 .Attr("idle_timeout", &Listener::idle_timeout);

struct Control {
  std::string address;
  std::string token;
  absl::Duration backoff = absl::Seconds(1);
  std::optional<std::string> ca_file;
};
const auto kControlSchema = Schema<Control>()
                                .Attr("address", &Control::address, kRequired)
                                .Attr("token", &Control::token)
                                .Attr("backoff", &Control::backoff)
                                .Attr("ca_file", &Control::ca_file);

struct Bootstrap {
  std::string datacenter;
  std::string log_level = "INFO";
  bool drain_on_exit = false;
  double weight = 1;
  Number max_bytes;
  Value extra;
  std::map<std::string, std::string> metadata;
  Admin admin;
  std::map<std::string, Listener> listeners;
  std::optional<Control> control;
};
const auto kBootstrapSchema = Schema<Bootstrap>()
                                  .Attr("datacenter", &Bootstrap::datacenter, kRequired)
                                  .Attr("log_level", &Bootstrap::log_level)
                                  .Attr("drain_on_exit", &Bootstrap::drain_on_exit)
                                  .Attr("weight", &Bootstrap::weight)
                                  .Attr("max_bytes", &Bootstrap::max_bytes)
                                  .Attr("extra", &Bootstrap::extra)
                                  .Attr("metadata", &Bootstrap::metadata)
                                  .Block("admin", &Bootstrap::admin, kAdminSchema, kRequired)
                                  .Block("listener", &Bootstrap::listeners, kListenerSchema)
                                  .Block("control", &Bootstrap::control, kControlSchema);

// Parses `src` as "f.hcl" and decodes it; returns the diagnostics as text ("" when none).
template <typename T>
std::string DecodeText(const std::string& src, const Schema<T>& schema, T* out,
                       const EvalContext* ctx = nullptr) {
  ParseResult parsed = ParseConfig(src, "f.hcl");
  EXPECT_FALSE(parsed.diags.HasErrors()) << parsed.diags.ToString();
  Diagnostics diags;
  Decode(*NativeBody(*parsed.file->body), schema, ctx, out, &diags);
  return diags.ToString();
}

constexpr char kMinimal[] = "datacenter = \"dc1\"\nadmin {}\n";

TEST(DecodeBootstrap, RealisticFile) {
  EvalContext ctx;
  ctx.variables["var"] = Value::Object({{"token", Value::String("s3cret")}});
  ctx.functions = StandardFunctions("");
  const std::string src = R"(datacenter    = "dc1"
log_level     = upper("debug")
drain_on_exit = true
weight        = 0.5
max_bytes     = 123456789012345678901234567890
extra         = { anything = [1, "two"] }
metadata = {
  zone = "europe-west1-b"
  rack = 7
}

admin {
  port = 19001
}

listener "mesh" {
  address      = "0.0.0.0"
  alpn         = ["h2", "http/1.1"]
  idle_timeout = "1m30s"
}

listener "egress" {
  address = "127.0.0.1"
  port    = 9191
}

control {
  address = "127.0.0.1:8510"
  token   = var.token
  backoff = "250ms"
}
)";
  Bootstrap b;
  EXPECT_EQ(DecodeText(src, kBootstrapSchema, &b, &ctx), "");
  EXPECT_EQ(b.datacenter, "dc1");
  EXPECT_EQ(b.log_level, "DEBUG");
  EXPECT_TRUE(b.drain_on_exit);
  EXPECT_EQ(b.weight, 0.5);
  EXPECT_EQ(b.max_bytes.ToString(), "123456789012345678901234567890");
  EXPECT_EQ(b.extra.GetAttr("anything").Length(), 2u);
  EXPECT_EQ(b.metadata,
            (std::map<std::string, std::string>{{"rack", "7"}, {"zone", "europe-west1-b"}}));
  EXPECT_EQ(b.admin.address, "127.0.0.1");  // default kept
  EXPECT_EQ(b.admin.port, 19001);
  ASSERT_EQ(b.listeners.size(), 2u);
  const Listener& mesh = b.listeners.at("mesh");
  EXPECT_EQ(mesh.name, "mesh");
  EXPECT_EQ(mesh.address, "0.0.0.0");
  EXPECT_EQ(mesh.port, 8443);
  EXPECT_THAT(mesh.alpn, testing::ElementsAre("h2", "http/1.1"));
  EXPECT_EQ(mesh.idle_timeout, absl::Seconds(90));
  const Listener& egress = b.listeners.at("egress");
  EXPECT_EQ(egress.name, "egress");
  EXPECT_EQ(egress.port, 9191);
  EXPECT_EQ(egress.idle_timeout, absl::Minutes(10));
  ASSERT_TRUE(b.control.has_value());
  EXPECT_EQ(b.control->address, "127.0.0.1:8510");
  EXPECT_EQ(b.control->token, "s3cret");
  EXPECT_EQ(b.control->backoff, absl::Milliseconds(250));
  EXPECT_FALSE(b.control->ca_file.has_value());
}

TEST(DecodeBootstrap, DefaultsWhenAbsentOrNull) {
  Bootstrap b;
  EXPECT_EQ(DecodeText("datacenter = \"dc1\"\nlog_level = null\nadmin {}\n", kBootstrapSchema, &b),
            "");
  EXPECT_EQ(b.log_level, "INFO");
  EXPECT_TRUE(b.listeners.empty());
  EXPECT_FALSE(b.control.has_value());
  EXPECT_EQ(b.admin.port, 19000);
}

TEST(DecodeBootstrap, ConversionsLikeHcl) {
  // Strings convert to numbers and bools, numbers to strings, as in the official decoder.
  Bootstrap b;
  EXPECT_EQ(DecodeText("datacenter = 1\ndrain_on_exit = \"true\"\nadmin { port = \"8080\" }\n",
                       kBootstrapSchema, &b),
            "");
  EXPECT_EQ(b.datacenter, "1");
  EXPECT_TRUE(b.drain_on_exit);
  EXPECT_EQ(b.admin.port, 8080);
}

TEST(DecodeBootstrap, ListenersAsAttributeValue) {
  Bootstrap b;
  EXPECT_EQ(DecodeText("datacenter = \"dc1\"\nadmin = {}\n"
                       "listener = { mesh = { address = \"0.0.0.0\" } }\n",
                       kBootstrapSchema, &b),
            "");
  ASSERT_EQ(b.listeners.count("mesh"), 1u);
  EXPECT_EQ(b.listeners.at("mesh").name, "mesh");
  EXPECT_EQ(b.listeners.at("mesh").address, "0.0.0.0");
}

struct Route {
  std::string name;
  std::string cluster;
};
const auto kRouteSchema =
    Schema<Route>().Label("name", &Route::name).Attr("cluster", &Route::cluster, kRequired);
struct Routes {
  std::vector<Route> routes;
};
const auto kRoutesSchema = Schema<Routes>().Block("route", &Routes::routes, kRouteSchema);

TEST(DecodeBlocks, RepeatedBlocksAndValuesInSourceOrder) {
  Routes r;
  EXPECT_EQ(
      DecodeText("route = [{ name = \"b\", cluster = \"y\" }]\nroute \"a\" { cluster = \"x\" }\n",
                 kRoutesSchema, &r),
      "");
  ASSERT_EQ(r.routes.size(), 2u);
  EXPECT_EQ(r.routes[0].name, "b");  // a label is a key named like it in the value form
  EXPECT_EQ(r.routes[0].cluster, "y");
  EXPECT_EQ(r.routes[1].name, "a");
  EXPECT_EQ(r.routes[1].cluster, "x");

  Routes single;
  EXPECT_EQ(DecodeText("route = { name = \"c\", cluster = \"z\" }\n", kRoutesSchema, &single), "");
  ASSERT_EQ(single.routes.size(), 1u);
  EXPECT_EQ(single.routes[0].name, "c");

  Routes labels;
  EXPECT_EQ(DecodeText("route \"a\" \"b\" { cluster = \"x\" }\n", kRoutesSchema, &labels),
            "f.hcl:1:11: Extraneous label for route; Only 1 labels (name) are expected for route "
            "blocks.\n");
}

// ---- Errors ------------------------------------------------------------------------------------

struct ErrorCase {
  const char* name;
  std::string src;
  std::string want;  // Diagnostics::ToString()
};

class DecodeErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(DecodeErrorTest, ExactMessage) {
  Bootstrap b;
  EXPECT_EQ(DecodeText(GetParam().src, kBootstrapSchema, &b), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Bootstrap, DecodeErrorTest,
    testing::Values(
        ErrorCase{"UnknownAttribute", std::string(kMinimal) + "log_levle = \"x\"\n",
                  "f.hcl:3:1: Unsupported argument; An argument named \"log_levle\" is not "
                  "expected here. Did you mean \"log_level\"?\n"},
        ErrorCase{"UnknownBlock", std::string(kMinimal) + "listner \"a\" {}\n",
                  "f.hcl:3:1: Unsupported block type; Blocks of type \"listner\" are not "
                  "expected here. Did you mean \"listener\"?\n"},
        ErrorCase{"UnknownAttributeInBlock",
                  std::string(kMinimal) + "listener \"a\" {\n  address = \"x\"\n  prot = 1\n}\n",
                  "f.hcl:5:3: Unsupported argument; An argument named \"prot\" is not expected "
                  "here. Did you mean \"port\"?\n"},
        ErrorCase{"MissingRequiredAttribute", "admin {}\n",
                  "f.hcl:1:1: Missing required argument; The argument \"datacenter\" is "
                  "required, but no definition was found.\n"},
        ErrorCase{"MissingRequiredInBlock", std::string(kMinimal) + "listener \"a\" {\n}\n",
                  "f.hcl:3:14: Missing required argument; The argument \"address\" is "
                  "required, but no definition was found.\n"},
        ErrorCase{"RequiredIsNull", "datacenter = null\nadmin {}\n",
                  "f.hcl:1:14: Missing required argument; The argument \"datacenter\" is "
                  "required, but it is null.\n"},
        ErrorCase{"MissingRequiredBlock", "datacenter = \"dc1\"\n",
                  "f.hcl:1:1: Missing admin block; A block of type \"admin\" is required "
                  "here.\n"},
        ErrorCase{"DuplicateSingleBlock", std::string(kMinimal) + "admin {}\n",
                  "f.hcl:3:1: Duplicate admin block; Only one block of type \"admin\" is "
                  "allowed. Previous definition was at f.hcl:2,1-6.\n"},
        ErrorCase{"DuplicateBlockAndAttribute", std::string(kMinimal) + "admin = {}\n",
                  "f.hcl:3:1: Duplicate admin block; Only one block of type \"admin\" is "
                  "allowed. Previous definition was at f.hcl:2,1-6.\n"},
        ErrorCase{"DuplicateLabel",
                  std::string(kMinimal) + "listener \"a\" { address = \"x\" }\n" +
                      "listener \"a\" { address = \"y\" }\n",
                  "f.hcl:4:1: Duplicate listener block; A block for listener \"a\" was already "
                  "defined. The listener labels must be unique.\n"},
        ErrorCase{"MissingLabel", std::string(kMinimal) + "listener {\n  address = \"x\"\n}\n",
                  "f.hcl:3:10: Missing name for listener; All listener blocks must have 1 "
                  "labels (name).\n"},
        ErrorCase{"NotANumber",
                  std::string(kMinimal) + "listener \"a\" {\n  address = \"x\"\n" +
                      "  port = \"abc\"\n}\n",
                  "f.hcl:5:10: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"port\": a whole number is required, not \"abc\".\n"},
        ErrorCase{
            "NotWhole",
            std::string(kMinimal) + "listener \"a\" {\n  address = \"x\"\n" + "  port = 1.5\n}\n",
            "f.hcl:5:10: Incorrect attribute value type; Inappropriate value for "
            "attribute \"port\": a whole number is required, not 1.5.\n"},
        ErrorCase{"OutOfRange", "datacenter = \"dc1\"\nadmin {\n  port = 70000\n}\n",
                  "f.hcl:3:10: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"port\": a whole number between 0 and 65535 is required, not "
                  "70000.\n"},
        ErrorCase{"BadDuration",
                  std::string(kMinimal) + "listener \"a\" {\n  address = \"x\"\n" +
                      "  idle_timeout = \"5x\"\n}\n",
                  "f.hcl:5:18: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"idle_timeout\": a duration such as \"5s\", \"1m30s\" or "
                  "\"250ms\" is required, not \"5x\".\n"},
        ErrorCase{"DurationNotString",
                  std::string(kMinimal) + "control {\n  address = \"x\"\n" + "  backoff = 5\n}\n",
                  "f.hcl:5:13: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"backoff\": a duration such as \"5s\", \"1m30s\" or \"250ms\" is "
                  "required, not 5.\n"},
        ErrorCase{"ListElement",
                  std::string(kMinimal) + "listener \"a\" {\n  address = \"x\"\n" +
                      "  alpn = [\"h2\", {}]\n}\n",
                  "f.hcl:5:17: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"alpn\": a string is required, not an object.\n"},
        ErrorCase{"NotAList",
                  std::string(kMinimal) + "listener \"a\" {\n  address = \"x\"\n" +
                      "  alpn = \"h2\"\n}\n",
                  "f.hcl:5:10: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"alpn\": a list of string is required, not \"h2\".\n"},
        ErrorCase{"NotAMap", std::string(kMinimal) + "metadata = [\"a\"]\n",
                  "f.hcl:3:12: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"metadata\": a map of string is required, not a list.\n"},
        ErrorCase{"NotABool", std::string(kMinimal) + "drain_on_exit = \"yes\"\n",
                  "f.hcl:3:17: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"drain_on_exit\": a bool is required, not \"yes\".\n"},
        ErrorCase{"NestedNotAnObject", std::string(kMinimal) + "control = \"x\"\n",
                  "f.hcl:3:11: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"control\": an object is required, not \"x\".\n"},
        ErrorCase{"KeyedNotObjects", std::string(kMinimal) + "listener = [1]\n",
                  "f.hcl:3:12: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"listener\": an object of objects is required, not a list.\n"},
        ErrorCase{"UnknownKeyInValue",
                  std::string(kMinimal) + "control = {\n  address = \"x\"\n  tokn = \"y\"\n}\n",
                  "f.hcl:5:3: Unsupported argument; An argument named \"tokn\" is not expected "
                  "here. Did you mean \"token\"?\n"},
        ErrorCase{"MissingKeyInValue", std::string(kMinimal) + "control = { token = \"y\" }\n",
                  "f.hcl:3:11: Missing required argument; The argument \"address\" is "
                  "required, but no definition was found.\n"},
        ErrorCase{"SeveralErrorsInOrder",
                  "datacenter = \"dc1\"\nadmin {\n  port = \"x\"\n}\n" +
                      std::string("listener \"a\" {\n  address = true\n  port = []\n}\n"),
                  "f.hcl:3:10: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"port\": a whole number is required, not \"x\".\n"
                  "f.hcl:7:10: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"port\": a whole number is required, not a list.\n"}),
    [](const testing::TestParamInfo<ErrorCase>& info) { return std::string(info.param.name); });

TEST(DecodeErrors, EvaluationErrorKeepsDefault) {
  Bootstrap b;
  std::string text =
      DecodeText("datacenter = \"dc1\"\nadmin {}\nlog_level = nope\n", kBootstrapSchema, &b);
  EXPECT_THAT(text, testing::StartsWith("f.hcl:3:13: "));
  EXPECT_EQ(b.log_level, "INFO");
}

TEST(DecodeErrors, DecodeNativeStatus) {
  absl::StatusOr<Bootstrap> b = DecodeNative("admin {}\n", "g.hcl", kBootstrapSchema);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(),
            "g.hcl:1:1: Missing required argument; The argument \"datacenter\" is required, but "
            "no definition was found.");
  absl::StatusOr<Bootstrap> syntax = DecodeNative("a = \n", "g.hcl", kBootstrapSchema);
  ASSERT_FALSE(syntax.ok());
  EXPECT_THAT(std::string(syntax.status().message()), testing::StartsWith("g.hcl:1:"));
  absl::StatusOr<Bootstrap> good = DecodeNative(kMinimal, "g.hcl", kBootstrapSchema);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->datacenter, "dc1");
}

// ---- Consul config entries ---------------------------------------------------------------------

struct Consumer {
  std::string peer;
  std::string partition;
  std::string sameness_group;
};
const auto kConsumerSchema = Schema<Consumer>()
                                 .ConsulKeys()
                                 .Attr("Peer", &Consumer::peer)
                                 .Attr("Partition", &Consumer::partition)
                                 .Attr("SamenessGroup", &Consumer::sameness_group);

struct ExportedService {
  std::string name;
  std::string ns;
  std::vector<Consumer> consumers;
};
const auto kExportedServiceSchema =
    Schema<ExportedService>()
        .ConsulKeys()
        .Attr("Name", &ExportedService::name, kRequired)
        .Attr("Namespace", &ExportedService::ns)
        .Block("Consumers", &ExportedService::consumers, kConsumerSchema);

struct ExportedServices {
  std::string kind;
  std::string name;
  std::string partition = "default";
  std::map<std::string, std::string> meta;
  std::vector<ExportedService> services;
};
const auto kExportedServicesSchema =
    Schema<ExportedServices>()
        .ConsulKeys()
        .Attr("Kind", &ExportedServices::kind, kRequired)
        .Attr("Name", &ExportedServices::name, kRequired)
        .Attr("Partition", &ExportedServices::partition)
        .Attr("Meta", &ExportedServices::meta)
        .Block("Services", &ExportedServices::services, kExportedServiceSchema);

void ExpectSeedExports(const ExportedServices& e) {
  EXPECT_EQ(e.kind, "exported-services");
  EXPECT_EQ(e.name, "default");
  EXPECT_EQ(e.partition, "default");
  ASSERT_EQ(e.services.size(), 2u);
  EXPECT_EQ(e.services[0].name, "public-api");
  ASSERT_EQ(e.services[0].consumers.size(), 1u);
  EXPECT_EQ(e.services[0].consumers[0].peer, "gcp-dc1-default");
  EXPECT_EQ(e.services[1].name, "private-api");
  ASSERT_EQ(e.services[1].consumers.size(), 1u);
  EXPECT_EQ(e.services[1].consumers[0].sameness_group, "api-services");
}

TEST(DecodeConsul, ExportedServicesCamelCase) {
  ExportedServices e;
  EXPECT_EQ(DecodeText(R"(Kind = "exported-services"
Name = "default"
Services = [
  { Name = "public-api",  Consumers = [ { Peer = "gcp-dc1-default" } ] },
  { Name = "private-api", Consumers = [ { SamenessGroup = "api-services" } ] }
]
)",
                       kExportedServicesSchema, &e),
            "");
  ExpectSeedExports(e);
}

TEST(DecodeConsul, ExportedServicesSnakeCaseBlocks) {
  ExportedServices e;
  EXPECT_EQ(DecodeText(R"(kind = "exported-services"
name = "default"
services {
  name = "public-api"
  consumers {
    peer = "gcp-dc1-default"
  }
}
services {
  name      = "private-api"
  consumers = [{ sameness_group = "api-services" }]
}
)",
                       kExportedServicesSchema, &e),
            "");
  ExpectSeedExports(e);
}

struct Source {
  std::string name;
  std::string peer;
  std::string action;
  int precedence = 0;
};
const auto kSourceSchema = Schema<Source>()
                               .ConsulKeys()
                               .Attr("Name", &Source::name, kRequired)
                               .Attr("Peer", &Source::peer)
                               .Attr("Action", &Source::action)
                               .Attr("Precedence", &Source::precedence);

struct Intentions {
  std::string kind;
  std::string name;
  std::vector<Source> sources;
};
const auto kIntentionsSchema = Schema<Intentions>()
                                   .ConsulKeys()
                                   .Attr("Kind", &Intentions::kind, kRequired)
                                   .Attr("Name", &Intentions::name, kRequired)
                                   .Block("Sources", &Intentions::sources, kSourceSchema);

TEST(DecodeConsul, ServiceIntentionsBothCases) {
  for (const std::string& src : {std::string(R"(Kind = "service-intentions"
Name = "public-api"
Sources = [
  { Name = "front-service", Action = "allow" },
  { Name = "*", Peer = "gcp-dc1-default", Action = "deny", Precedence = 9 },
]
)"),
                                 std::string(R"(kind = "service-intentions"
name = "public-api"
sources = [
  { name = "front-service", action = "allow" },
  { name = "*", peer = "gcp-dc1-default", action = "deny", precedence = 9 },
]
)")}) {
    Intentions in;
    EXPECT_EQ(DecodeText(src, kIntentionsSchema, &in), "");
    EXPECT_EQ(in.kind, "service-intentions");
    EXPECT_EQ(in.name, "public-api");
    ASSERT_EQ(in.sources.size(), 2u);
    EXPECT_EQ(in.sources[0].name, "front-service");
    EXPECT_EQ(in.sources[0].action, "allow");
    EXPECT_EQ(in.sources[0].precedence, 0);
    EXPECT_EQ(in.sources[1].peer, "gcp-dc1-default");
    EXPECT_EQ(in.sources[1].action, "deny");
    EXPECT_EQ(in.sources[1].precedence, 9);
  }
}

struct MeshPeering {
  bool peer_through_mesh_gateways = false;
};
struct Mesh {
  std::string kind;
  std::optional<MeshPeering> peering;
};
const auto kMeshSchema =
    Schema<Mesh>()
        .ConsulKeys()
        .Attr("Kind", &Mesh::kind, kRequired)
        .Block("Peering", &Mesh::peering,
               Schema<MeshPeering>().ConsulKeys().Attr("PeerThroughMeshGateways",
                                                       &MeshPeering::peer_through_mesh_gateways));

TEST(DecodeConsul, MeshPeeringBlockOrObject) {
  for (const char* src : {"Kind = \"mesh\"\nPeering { PeerThroughMeshGateways = true }\n",
                          "kind = \"mesh\"\npeering = { peer_through_mesh_gateways = true }\n",
                          "Kind = \"mesh\"\npeering { PeerThroughMeshGateways = true }\n"}) {
    Mesh m;
    EXPECT_EQ(DecodeText(src, kMeshSchema, &m), "") << src;
    EXPECT_EQ(m.kind, "mesh");
    ASSERT_TRUE(m.peering.has_value()) << src;
    EXPECT_TRUE(m.peering->peer_through_mesh_gateways) << src;
  }
}

TEST(DecodeConsul, Errors) {
  Intentions in;
  EXPECT_EQ(DecodeText("Kind = \"service-intentions\"\nkind = \"x\"\nName = \"a\"\n",
                       kIntentionsSchema, &in),
            "f.hcl:2:1: Attribute redefined; The argument \"Kind\" was already set at "
            "f.hcl:1,1-28. Each argument may be set only once.\n");
  EXPECT_EQ(DecodeText("Name = \"a\"\n", kIntentionsSchema, &in),
            "f.hcl:1:1: Missing required argument; The argument \"Kind\" is required, but no "
            "definition was found.\n");
  EXPECT_EQ(DecodeText("Kind = \"k\"\nName = \"a\"\nSources = [\n  { Nmae = \"x\" },\n]\n",
                       kIntentionsSchema, &in),
            "f.hcl:4:5: Unsupported argument; An argument named \"Nmae\" is not expected here. "
            "Did you mean \"Name\"?\n"
            "f.hcl:4:3: Missing required argument; The argument \"Name\" is required, but no "
            "definition was found.\n");
  EXPECT_EQ(DecodeText("Kind = \"k\"\nName = \"a\"\nSources = \"x\"\n", kIntentionsSchema, &in),
            "f.hcl:3:11: Incorrect attribute value type; Inappropriate value for attribute "
            "\"Sources\": a list of objects is required, not \"x\".\n");
  EXPECT_EQ(DecodeText("Kind = \"k\"\nName = \"a\"\nSources = [{ Name = \"x\", Precedence = "
                       "\"high\" }]\n",
                       kIntentionsSchema, &in),
            "f.hcl:3:39: Incorrect attribute value type; Inappropriate value for attribute "
            "\"Precedence\": a whole number is required, not \"high\".\n");
  EXPECT_EQ(DecodeText("Kind = \"k\"\nName = \"a\"\nsource = []\n", kIntentionsSchema, &in),
            "f.hcl:3:1: Unsupported argument; An argument named \"source\" is not expected "
            "here. Did you mean \"Sources\"?\n");
}

TEST(DecodeValue, FromEvaluatedObject) {
  Intentions in;
  Diagnostics diags;
  DecodeValue(
      Value::Object(
          {{"Kind", Value::String("service-intentions")},
           {"Name", Value::String("db")},
           {"Sources", Value::Tuple({Value::Object({{"Name", Value::String("web")},
                                                    {"Action", Value::String("allow")}})})}}),
      "entry", kIntentionsSchema, &in, &diags);
  EXPECT_EQ(diags.ToString(), "");
  EXPECT_EQ(in.name, "db");
  ASSERT_EQ(in.sources.size(), 1u);
  EXPECT_EQ(in.sources[0].name, "web");
}

// ---- Helpers -----------------------------------------------------------------------------------

TEST(DecodeHelpers, ParseDurationLikeGo) {
  EXPECT_EQ(ParseDuration("5s"), absl::Seconds(5));
  EXPECT_EQ(ParseDuration("1m30s"), absl::Seconds(90));
  EXPECT_EQ(ParseDuration("1.5h"), absl::Minutes(90));
  EXPECT_EQ(ParseDuration("250ms"), absl::Milliseconds(250));
  EXPECT_EQ(ParseDuration("10us"), absl::Microseconds(10));
  EXPECT_EQ(ParseDuration("10\xC2\xB5s"), absl::Microseconds(10));
  EXPECT_EQ(ParseDuration("7ns"), absl::Nanoseconds(7));
  EXPECT_EQ(ParseDuration("-2m"), absl::Minutes(-2));
  EXPECT_EQ(ParseDuration("+.5s"), absl::Milliseconds(500));
  EXPECT_EQ(ParseDuration("0"), absl::ZeroDuration());
  EXPECT_EQ(ParseDuration(""), std::nullopt);
  EXPECT_EQ(ParseDuration("5"), std::nullopt);
  EXPECT_EQ(ParseDuration("5x"), std::nullopt);
  EXPECT_EQ(ParseDuration("s"), std::nullopt);
  EXPECT_EQ(ParseDuration("."), std::nullopt);
  EXPECT_EQ(ParseDuration("1h 2m"), std::nullopt);
}

TEST(DecodeHelpers, CaseStyles) {
  EXPECT_EQ(ToSnakeCase("PeerThroughMeshGateways"), "peer_through_mesh_gateways");
  EXPECT_EQ(ToSnakeCase("Kind"), "kind");
  EXPECT_EQ(ToSnakeCase("TLSConfig"), "tls_config");
  EXPECT_EQ(ToSnakeCase("SNI"), "sni");
  EXPECT_EQ(ToSnakeCase("HTTP2Enabled"), "http2_enabled");
  EXPECT_EQ(ToCamelCase("peer_through_mesh_gateways"), "PeerThroughMeshGateways");
  EXPECT_EQ(ToCamelCase("kind"), "Kind");
}

}  // namespace
}  // namespace meshgw::hcl::decode
