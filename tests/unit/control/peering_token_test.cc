// Tests of control/peering/peering_token.h: the exact JSON Consul writes, round trips, older
// tokens, and garbage refused with the field and the reason.
#include "control/peering/peering_token.h"

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "control/ca/embedded_ca.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::control {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1764000000);

std::string RootPem() {
  static const std::string* pem = [] {
    CaOptions o;
    o.trust_domain = "11111111-2222-3333-4444-555555555555.consul";
    o.datacenter = "gcp-dc1";
    auto ca = EmbeddedCa::Create(o, kNow);
    return new std::string(ca.ok() ? (*ca)->root().root_cert_pem : "");
  }();
  return *pem;
}

std::string B64(const std::string& json) { return absl::Base64Escape(json); }

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

PeeringToken FullToken() {
  PeeringToken t;
  t.ca = {RootPem()};
  t.server_addresses = {"127.0.1.2:8443"};
  t.server_name = "server.gcp-dc1.peering.11111111-2222-3333-4444-555555555555.consul";
  t.peer_id = "462c45e8-018e-f19d-85eb-1fc1bcc2ef12";
  t.establishment_secret = "5cdcae6c-0cce-4210-86fe-5dff3b984a6e";
  t.remote.partition = "default";
  t.remote.datacenter = "gcp-dc1";
  return t;
}

TEST(PeeringTokenCodec, EncodesConsulsJsonShape) {
  ASSERT_FALSE(RootPem().empty());
  std::string text = PeeringTokenCodec::Encode(FullToken());
  std::string json;
  ASSERT_TRUE(absl::Base64Unescape(text, &json));
  // Go field order, nil slices as null, Locality null (reference/consul.md §2.5).
  EXPECT_EQ(json, "{\"CA\":[" + JsonString(RootPem()) +
                      "],\"ManualServerAddresses\":null,\"ServerAddresses\":[\"127.0.1.2:8443\"],"
                      "\"ServerName\":\"server.gcp-dc1.peering.11111111-2222-3333-4444-"
                      "555555555555.consul\",\"PeerID\":\"462c45e8-018e-f19d-85eb-1fc1bcc2ef12\","
                      "\"EstablishmentSecret\":\"5cdcae6c-0cce-4210-86fe-5dff3b984a6e\","
                      "\"Remote\":{\"Partition\":\"default\",\"Datacenter\":\"gcp-dc1\","
                      "\"Locality\":null}}");
  // Standard alphabet with padding, as Go's base64.StdEncoding.
  EXPECT_EQ(text.size() % 4, 0u);
  EXPECT_EQ(text.find_first_of("-_"), std::string::npos);
}

TEST(PeeringTokenCodec, RoundTrips) {
  PeeringToken t = FullToken();
  t.manual_server_addresses = {"34.1.2.3:8443", "[2001:db8::1]:8443"};
  t.remote.locality = PeeringTokenLocality{"europe-west1", "europe-west1-b"};
  absl::StatusOr<PeeringToken> back = PeeringTokenCodec::Decode(PeeringTokenCodec::Encode(t));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, t);
}

TEST(PeeringTokenCodec, EncodingEndsEveryCaWithANewline) {
  PeeringToken t = FullToken();
  std::string pem = RootPem();
  pem.pop_back();  // no trailing newline
  t.ca = {pem};
  absl::StatusOr<PeeringToken> back = PeeringTokenCodec::Decode(PeeringTokenCodec::Encode(t));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ca[0], RootPem());
}

TEST(PeeringTokenCodec, AcceptsOlderTokensAndUnknownKeysAndWhiteSpace) {
  // Consul 1.13: CA, ServerAddresses, ServerName, PeerID only.
  std::string old = "{\"CA\":[" + JsonString(RootPem()) +
                    "],\"ServerAddresses\":[\"10.0.0.1:8502\"],\"ServerName\":\"server.dc1."
                    "consul\",\"PeerID\":\"abc\",\"SomethingNewer\":{\"x\":1}}";
  absl::StatusOr<PeeringToken> t = PeeringTokenCodec::Decode("  " + B64(old) + "\n");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->server_addresses, std::vector<std::string>{"10.0.0.1:8502"});
  EXPECT_EQ(t->server_name, "server.dc1.consul");
  EXPECT_EQ(t->peer_id, "abc");
  EXPECT_TRUE(t->establishment_secret.empty());
  EXPECT_TRUE(t->manual_server_addresses.empty());
  EXPECT_FALSE(t->remote.locality.has_value());
}

TEST(PeeringTokenCodec, ManualAddressesAloneAreEnough) {
  std::string j = "{\"CA\":[" + JsonString(RootPem()) +
                  "],\"ManualServerAddresses\":[\"1.2.3.4:8443\"],\"ServerAddresses\":null,"
                  "\"ServerName\":\"s\",\"PeerID\":\"p\"}";
  absl::StatusOr<PeeringToken> t = PeeringTokenCodec::Decode(B64(j));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->manual_server_addresses, std::vector<std::string>{"1.2.3.4:8443"});
}

struct Garbage {
  std::string text;
  std::string message;
};

TEST(PeeringTokenCodec, RejectsGarbageNamingFieldAndReason) {
  const std::string ca = JsonString(RootPem());
  const std::string rest = ",\"ServerName\":\"s\",\"PeerID\":\"p\"";
  std::vector<Garbage> cases = {
      {"", "peering token: empty"},
      {"abc",
       "peering token: not standard base64: length 3 is not a multiple of 4 (is the token "
       "cut short?)"},
      {"ab!d", "peering token: not standard base64: '!' at offset 2"},
      {"ab-d",
       "peering token: not standard base64: '-' at offset 2 (URL-safe base64 is not a "
       "Consul token)"},
      {"a=bc", "peering token: not standard base64: '=' at offset 1 before the end"},
      {B64("not json"), "peering token: the base64 does not hold JSON"},
      {B64("[1,2]"), "peering token: JSON must be an object, got array"},
      {B64("{\"CA\":\"x\"}"),
       "peering token: field \"CA\" must be a list of strings or null, got "
       "string"},
      {B64("{\"CA\":[" + ca + "],\"ServerAddresses\":[7]" + rest + "}"),
       "peering token: field \"ServerAddresses\"[0] must be a string, got number"},
      {B64("{\"CA\":[" + ca + "],\"ServerAddresses\":[\"a:1\"],\"ServerName\":5}"),
       "peering token: field \"ServerName\" must be a string, got number"},
      {B64("{\"CA\":[" + ca + "],\"ServerAddresses\":[\"a:1\"]" + rest + ",\"Remote\":[]}"),
       "peering token: field \"Remote\" must be an object, got array"},
      {B64("{\"CA\":[" + ca + "],\"ServerAddresses\":[\"a:1\"]" + rest +
           ",\"Remote\":{\"Datacenter\":1}}"),
       "peering token: field \"Remote.Datacenter\" must be a string, got number"},
      {B64("{\"CA\":null,\"ServerAddresses\":[\"a:1\"]" + rest + "}"),
       "peering token: field \"CA\" is empty (the acceptor's roots are required)"},
      {B64("{\"CA\":[\"hello\"],\"ServerAddresses\":[\"a:1\"]" + rest + "}"),
       "peering token: field \"CA\"[0] is not a PEM certificate"},
      {B64("{\"CA\":[" + ca + "]" + rest + "}"),
       "peering token: field \"ServerAddresses\" is empty (nowhere to dial)"},
      {B64("{\"CA\":[" + ca + "],\"ServerAddresses\":[\"a:1\",\"10.0.0.1\"]" + rest + "}"),
       "peering token: field \"ServerAddresses\"[1]: address \"10.0.0.1\": no port (want "
       "host:port)"},
      {B64("{\"CA\":[" + ca + "],\"ServerAddresses\":[\"a:70000\"]" + rest + "}"),
       "peering token: field \"ServerAddresses\"[0]: address \"a:70000\": port 70000 out of range "
       "1-65535"},
      {B64("{\"CA\":[" + ca + "],\"ServerAddresses\":[\"a:1\"],\"PeerID\":\"p\"}"),
       "peering token: field \"ServerName\" is empty"},
      {B64("{\"CA\":[" + ca + "],\"ServerAddresses\":[\"a:1\"],\"ServerName\":\"s\"}"),
       "peering token: field \"PeerID\" is empty"},
  };
  for (const Garbage& g : cases) {
    absl::StatusOr<PeeringToken> t = PeeringTokenCodec::Decode(g.text);
    ASSERT_FALSE(t.ok()) << g.text;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(t.status().message(), g.message) << g.text;
  }
}

TEST(PeeringTokenCodec, TruncatedTokenIsRefused) {
  std::string text = PeeringTokenCodec::Encode(FullToken());
  for (size_t cut : {size_t{1}, size_t{4}, text.size() / 2}) {
    absl::StatusOr<PeeringToken> t = PeeringTokenCodec::Decode(text.substr(0, text.size() - cut));
    EXPECT_FALSE(t.ok()) << cut;
    EXPECT_THAT(std::string(t.status().message()), HasSubstr("peering token: ")) << cut;
  }
}

TEST(ParseServerAddress, Forms) {
  absl::StatusOr<ServerHostPort> a = ParseServerAddress("127.0.0.1:8503");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8503);
  absl::StatusOr<ServerHostPort> b = ParseServerAddress("[::1]:8443");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 8443);
  EXPECT_EQ(ParseServerAddress("::1:8443").status().message(),
            "address \"::1:8443\": an IPv6 address needs brackets: [addr]:port");
  EXPECT_EQ(ParseServerAddress(":80").status().message(), "address \":80\": empty host");
  EXPECT_EQ(ParseServerAddress("h:x").status().message(),
            "address \"h:x\": port \"x\" is not a number");
  EXPECT_EQ(ParseServerAddress("h:0").status().message(),
            "address \"h:0\": port 0 out of range 1-65535");
}

}  // namespace
}  // namespace meshgw::control
