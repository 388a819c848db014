// The CLI without an agent: Go-style flag parsing and its errors, the tables and the human forms
// of each answer, usage for unknown commands, and the message when no agent answers.
#include "control/cli/cli.h"

#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::control::cli {
namespace {

using json = nlohmann::json;
using testing::ElementsAre;
using testing::HasSubstr;

const std::vector<FlagSpec> kSpec = {{"name"}, {"peer"}, {"passing", true}, {"format"}};

TEST(ParseFlags, GoStyles) {
  auto f =
      ParseFlags({"-name", "a", "--peer=b", "-passing", "pos1", "-format=json", "pos2"}, kSpec);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->Get("name"), "a");
  EXPECT_EQ(f->Get("peer"), "b");
  EXPECT_TRUE(f->Bool("passing"));
  EXPECT_EQ(f->Get("format"), "json");
  EXPECT_THAT(f->positional, ElementsAre("pos1", "pos2"));
}

TEST(ParseFlags, BooleansTakeNoSeparateValue) {
  auto f = ParseFlags({"-passing", "public-api"}, kSpec);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->Bool("passing"));
  EXPECT_THAT(f->positional, ElementsAre("public-api"));
  f = ParseFlags({"-passing=false"}, kSpec);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->Bool("passing"));
  EXPECT_TRUE(f->Has("passing"));
}

TEST(ParseFlags, DoubleDashEndsFlags) {
  auto f = ParseFlags({"--", "-name"}, kSpec);
  ASSERT_TRUE(f.ok());
  EXPECT_THAT(f->positional, ElementsAre("-name"));
  EXPECT_FALSE(f->Has("name"));
}

TEST(ParseFlags, ValueMayStartWithDash) {
  auto f = ParseFlags({"-name", "-x"}, kSpec);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Get("name"), "-x");
}

TEST(ParseFlags, ErrorsNameTheFlag) {
  EXPECT_EQ(ParseFlags({"-nme", "x"}, kSpec).status().message(),
            "flag provided but not defined: -nme");
  EXPECT_EQ(ParseFlags({"-name"}, kSpec).status().message(), "flag needs an argument: -name");
  EXPECT_EQ(ParseFlags({"-passing=maybe"}, kSpec).status().message(),
            "invalid boolean value \"maybe\" for -passing");
}

TEST(RenderTable, PadsColumnsWithoutTrailingSpaces) {
  EXPECT_EQ(RenderTable({"Name", "State"}, {{"gcp-dc2-default", "ACTIVE"}, {"x", ""}}),
            "Name             State\n"
            "gcp-dc2-default  ACTIVE\n"
            "x\n");
}

json Peering() {
  return json::parse(R"({
    "ID": "462c45e8-018e-f19d-85eb-1fc1bcc2ef12", "Name": "gcp-dc2-default",
    "Partition": "default", "State": "ACTIVE", "PeerID": "e83a315c-027e-bcb1-7c0c-a46650904a05",
    "PeerCAPems": ["pem1"], "PeerServerName": "server.gcp-dc2.peering.aaaa.consul",
    "PeerServerAddresses": ["127.0.2.2:8443"],
    "StreamStatus": {"ImportedServices": ["private-api", "public-api"], "ExportedServices": [],
                     "LastHeartbeat": "2026-12-07T08:00:00Z", "LastReceive": null,
                     "LastSend": null},
    "CreateIndex": 3, "ModifyIndex": 7,
    "Remote": {"Partition": "default", "Datacenter": "gcp-dc2"},
    "Meta": {"env": "sandbox"}})");
}

TEST(Render, PeeringListLikeConsul) {
  EXPECT_EQ(RenderPeeringList(json::array({Peering()})),
            "Name             State   Imported Svcs  Exported Svcs  Meta\n"
            "gcp-dc2-default  ACTIVE  2              0              env=sandbox\n");
  EXPECT_EQ(RenderPeeringList(json::array()), "There are no peering connections.\n");
}

TEST(Render, PeeringReadLikeConsul) {
  const std::string out = RenderPeeringRead(Peering());
  EXPECT_THAT(out, HasSubstr("Name:         gcp-dc2-default\n"
                             "ID:           462c45e8-018e-f19d-85eb-1fc1bcc2ef12\n"
                             "Partition:    default\n"
                             "State:        ACTIVE\n"
                             "Meta:\n"
                             "    env=sandbox\n\n"
                             "Peer ID:               e83a315c-027e-bcb1-7c0c-a46650904a05\n"
                             "Peer Server Name:      server.gcp-dc2.peering.aaaa.consul\n"
                             "Peer CA Pems:          1\n"
                             "Peer Server Addresses:\n"
                             "    127.0.2.2:8443\n"));
  EXPECT_THAT(out, HasSubstr("Imported Services: 2\n    private-api\n    public-api\n"
                             "Exported Services: 0\n"));
  EXPECT_THAT(out, HasSubstr("LastHeartbeat: 2026-12-07T08:00:00Z\n"));
  EXPECT_THAT(out, HasSubstr("Create Index: 3\nModify Index: 7\n"));
}

TEST(Render, CatalogServicesSortedWithOptionalTags) {
  json services = json::parse(R"({"public-api": ["v2", "http"], "mesh-gateway": []})");
  EXPECT_EQ(RenderCatalogServices(services, false), "mesh-gateway\npublic-api\n");
  EXPECT_EQ(RenderCatalogServices(services, true), "mesh-gateway\npublic-api    v2,http\n");
}

TEST(Render, HealthServiceWorstCheckWins) {
  json instances = json::parse(R"([
    {"Node": {"Node": "gcp-dc2-mesh-gateway-0"},
     "Service": {"ID": "public-api-sidecar-proxy-instance-0", "Service": "public-api-sidecar-proxy",
                 "Address": "127.0.2.2", "Port": 8443, "PeerName": "gcp-dc2-default",
                 "Connect": {"PeerMeta": {"SNI": ["public-api.default.default.gcp-dc1-default.external.aaaa.consul"]}}},
     "Checks": [{"Status": "passing"}, {"Status": "critical"}, {"Status": "warning"}]}])");
  EXPECT_EQ(RenderHealthService(instances),
            "Node                    ServiceID                            Service                "
            "   Address         Status    Peer             SNI\n"
            "gcp-dc2-mesh-gateway-0  public-api-sidecar-proxy-instance-0  public-api-sidecar-proxy"
            "  127.0.2.2:8443  critical  gcp-dc2-default  "
            "public-api.default.default.gcp-dc1-default.external.aaaa.consul\n");
  EXPECT_EQ(RenderHealthService(json::array()), "No instances found.\n");
}

TEST(Render, ExplainListsWhyAndEndpoints) {
  json e = json::parse(R"({"sni": "s", "why": ["one.", "two."], "gateways": [
    {"node": "gw", "chain": "exported~x", "mode": "terminate",
     "cluster": {"name": "c", "endpoints": [{"address": "127.0.0.1:1", "priority": 0,
                                            "health": "HEALTHY"}]}}]})");
  EXPECT_EQ(RenderExplain(e),
            "SNI: s\n\nWhy:\n  - one.\n  - two.\n\n"
            "Gateway  Chain       Mode       Cluster  Endpoint     Priority  Health\n"
            "gw       exported~x  terminate  c        127.0.0.1:1  0         HEALTHY\n");
}

int RunCommand(const std::vector<std::string>& args, std::string* out, std::string* err,
               const std::string& address = "127.0.0.1:1") {
  std::ostringstream o, e;
  CliEnvironment env;
  env.address = address;
  int code = RunCli(args, o, e, env);
  *out = o.str();
  *err = e.str();
  return code;
}

TEST(RunCli, UnknownCommandPrintsUsage) {
  std::string out, err;
  EXPECT_EQ(RunCommand({"peering", "lisst"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("unknown command \"peering lisst\""));
  EXPECT_THAT(err, HasSubstr("peering generate-token -name N"));
  EXPECT_EQ(RunCommand({}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("Usage: meshgw-control"));
  EXPECT_EQ(RunCommand({"help"}, &out, &err), 0);
  EXPECT_THAT(out, HasSubstr("explain -sni NAME"));
}

TEST(RunCli, FlagErrorsBeforeAnyCall) {
  std::string out, err;
  EXPECT_EQ(RunCommand({"peering", "generate-token"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("missing the required flag -name"));
  EXPECT_EQ(RunCommand({"peering", "read", "-bogus"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("flag provided but not defined: -bogus"));
  EXPECT_THAT(err, HasSubstr("Usage: meshgw-control peering read"));
  EXPECT_EQ(RunCommand({"intention", "check", "only-one"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("intention check SRC DST"));
  EXPECT_EQ(RunCommand({"peering", "list", "extra"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("unexpected argument \"extra\""));
  EXPECT_EQ(RunCommand({"peering", "list", "-format=yaml"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("-format: \"yaml\" is not one of pretty, json"));
  EXPECT_EQ(RunCommand({"config", "write", "/nonexistent/x.hcl"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("cannot open /nonexistent/x.hcl"));
  EXPECT_EQ(RunCommand({"explain", "-source", "a"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("give -sni NAME, or -source S and -destination D"));
}

TEST(RunCli, NoAgentIsNamed) {
  std::string out, err;
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  EXPECT_EQ(RunCommand({"peering", "list", "-control-addr", "127.0.0.1:1"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("Error listing peerings: cannot reach the control agent at "
                             "127.0.0.1:1 (MESHGW_CONTROL_ADDR)"));
}

}  // namespace
}  // namespace meshgw::control::cli
