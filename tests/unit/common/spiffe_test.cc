#include "common/spiffe.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kTd = "7f42f496-fbc7-8692-05ed-334aa5340c1e.consul";

TEST(ParseSpiffeIdTest, Service) {
  auto id = ParseSpiffeId(
      "spiffe://7f42f496-fbc7-8692-05ed-334aa5340c1e.consul/ns/default/dc/dc1/svc/web");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->kind, SpiffeId::Kind::kService);
  EXPECT_EQ(id->trust_domain, kTd);
  EXPECT_EQ(id->path, "/ns/default/dc/dc1/svc/web");
  EXPECT_EQ(id->partition, "");
  EXPECT_EQ(id->ns, "default");
  EXPECT_EQ(id->datacenter, "dc1");
  EXPECT_EQ(id->service, "web");
  EXPECT_EQ(id->ToString(), ServiceSpiffeId(kTd, "default", "dc1", "web"));
}

TEST(ParseSpiffeIdTest, ServiceWithPartition) {
  auto id = ParseSpiffeId("spiffe://td.consul/ap/finance/ns/billing/dc/dc2/svc/private-api");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->kind, SpiffeId::Kind::kService);
  EXPECT_EQ(id->partition, "finance");
  EXPECT_EQ(id->ns, "billing");
  EXPECT_EQ(id->datacenter, "dc2");
  EXPECT_EQ(id->service, "private-api");
}

TEST(ParseSpiffeIdTest, MeshGateway) {
  auto id = ParseSpiffeId("spiffe://td.consul/gateway/mesh/dc/dc2");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->kind, SpiffeId::Kind::kMeshGateway);
  EXPECT_EQ(id->datacenter, "dc2");
  EXPECT_EQ(id->partition, "");
  EXPECT_EQ(id->service, "");

  auto ap = ParseSpiffeId("spiffe://td.consul/ap/part1/gateway/mesh/dc/dc3");
  ASSERT_TRUE(ap.ok()) << ap.status();
  EXPECT_EQ(ap->kind, SpiffeId::Kind::kMeshGateway);
  EXPECT_EQ(ap->partition, "part1");
  EXPECT_EQ(ap->datacenter, "dc3");
}

TEST(ParseSpiffeIdTest, GenericIds) {
  struct Case {
    std::string_view uri, td, path;
  };
  for (const Case& c : {
           Case{"spiffe://td.consul", "td.consul", ""},
           Case{"spiffe://td.consul/agent/server/dc/dc1", "td.consul", "/agent/server/dc/dc1"},
           // Near misses of Consul's shapes stay generic.
           Case{"spiffe://td/ns/default/dc/dc1/svc", "td", "/ns/default/dc/dc1/svc"},
           Case{"spiffe://td/ns/default/dc/dc1/svc/web/extra", "td",
                "/ns/default/dc/dc1/svc/web/extra"},
           Case{"spiffe://td/gateway/terminating/dc/dc1", "td", "/gateway/terminating/dc/dc1"},
           Case{"spiffe://td/ap/x/ns/default/dc/dc1", "td", "/ap/x/ns/default/dc/dc1"},
           Case{"spiffe://example.org/Path_1/a.b-c", "example.org", "/Path_1/a.b-c"},
       }) {
    auto id = ParseSpiffeId(c.uri);
    ASSERT_TRUE(id.ok()) << c.uri << ": " << id.status();
    EXPECT_EQ(id->kind, SpiffeId::Kind::kOther) << c.uri;
    EXPECT_EQ(id->trust_domain, c.td) << c.uri;
    EXPECT_EQ(id->path, c.path) << c.uri;
    EXPECT_EQ(id->service, "") << c.uri;
    EXPECT_EQ(id->ToString(), c.uri);
  }
}

TEST(ParseSpiffeIdTest, Errors) {
  struct Case {
    std::string uri;
    std::string message;
  };
  const Case cases[] = {
      {"", "SPIFFE ID is empty"},
      {"https://td/ns/a", "SPIFFE ID \"https://td/ns/a\": does not start with \"spiffe://\""},
      {"SPIFFE://td/ns/a",
       "SPIFFE ID \"SPIFFE://td/ns/a\": the scheme must be \"spiffe\" in "
       "lowercase"},
      {"spiffe://", "SPIFFE ID \"spiffe://\": has an empty trust domain"},
      {"spiffe:///ns/a", "SPIFFE ID \"spiffe:///ns/a\": has an empty trust domain"},
      {"spiffe://TD/ns/x",
       "SPIFFE ID \"spiffe://TD/ns/x\": trust domain has 'T' at offset 9; only lowercase letters, "
       "digits, '.', '-' and '_' are allowed"},
      {"spiffe://td:8443/ns/x",
       "SPIFFE ID \"spiffe://td:8443/ns/x\": has a port after the trust domain; SPIFFE IDs have "
       "none"},
      {"spiffe://user@td/ns/x",
       "SPIFFE ID \"spiffe://user@td/ns/x\": has user info before the trust domain; SPIFFE IDs "
       "have none"},
      {"spiffe://td/ns/x?a=b",
       "SPIFFE ID \"spiffe://td/ns/x?a=b\": has a query at offset 16; SPIFFE IDs have neither"},
      {"spiffe://td/ns/x#f",
       "SPIFFE ID \"spiffe://td/ns/x#f\": has a fragment at offset 16; SPIFFE IDs have neither"},
      {"spiffe://td/", "SPIFFE ID \"spiffe://td/\": path is \"/\"; a trailing '/' is not allowed"},
      {"spiffe://td/ns/",
       "SPIFFE ID \"spiffe://td/ns/\": path ends with '/'; a trailing '/' is not allowed"},
      {"spiffe://td/ns//dc",
       "SPIFFE ID \"spiffe://td/ns//dc\": path has an empty segment (\"//\") at offset 14"},
      {"spiffe://td/ns/../dc",
       "SPIFFE ID \"spiffe://td/ns/../dc\": path has a \"..\" segment at offset 15; relative "
       "segments are not allowed"},
      {"spiffe://td/./dc",
       "SPIFFE ID \"spiffe://td/./dc\": path has a \".\" segment at offset 12; relative segments "
       "are not allowed"},
      {"spiffe://td/ns/we%20b",
       "SPIFFE ID \"spiffe://td/ns/we%20b\": path has '%' at offset 17; only letters, digits, "
       "'.', '-' and '_' are allowed"},
      {std::string("spiffe://td/ns/a\nb"),
       "SPIFFE ID \"spiffe://td/ns/a\\nb\": path has byte 0x0a at offset 16; only letters, "
       "digits, '.', '-' and '_' are allowed"},
  };
  for (const Case& c : cases) {
    auto id = ParseSpiffeId(c.uri);
    ASSERT_FALSE(id.ok()) << c.uri;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument) << c.uri;
    EXPECT_EQ(id.status().message(), c.message) << c.uri;
  }
}

TEST(ParseSpiffeIdTest, LengthLimits) {
  std::string long_path = "spiffe://td/" + std::string(2048 - 12, 'a');
  ASSERT_EQ(long_path.size(), 2048u);
  EXPECT_TRUE(ParseSpiffeId(long_path).ok());
  auto too_long = ParseSpiffeId(long_path + "a");
  ASSERT_FALSE(too_long.ok());
  EXPECT_THAT(too_long.status().message(), HasSubstr("is 2049 bytes long; at most 2048"));
  // The quoted input is cut so that a hostile SAN cannot flood a log line.
  EXPECT_LT(too_long.status().message().size(), 330u);

  std::string td256 = "spiffe://" + std::string(256, 'a');
  auto bad_td = ParseSpiffeId(td256);
  ASSERT_FALSE(bad_td.ok());
  EXPECT_THAT(bad_td.status().message(), HasSubstr("trust domain is 256 bytes long; at most 255"));
}

TEST(SpiffeIdFormatTest, Service) {
  EXPECT_EQ(ServiceSpiffeId("td", "default", "dc1", "web"),
            "spiffe://td/ns/default/dc/dc1/svc/web");
  EXPECT_EQ(ServiceSpiffeId("td", "", "dc1", "web"), "spiffe://td/ns/default/dc/dc1/svc/web");
  EXPECT_EQ(ServiceSpiffeId("td", "default", "dc1", "web", "default"),
            "spiffe://td/ns/default/dc/dc1/svc/web");
  EXPECT_EQ(ServiceSpiffeId("td", "ns1", "dc2", "api", "finance"),
            "spiffe://td/ap/finance/ns/ns1/dc/dc2/svc/api");
}

TEST(SpiffeIdFormatTest, MeshGateway) {
  EXPECT_EQ(MeshGatewaySpiffeId("td", "dc2"), "spiffe://td/gateway/mesh/dc/dc2");
  EXPECT_EQ(MeshGatewaySpiffeId("td", "dc2", "default"), "spiffe://td/gateway/mesh/dc/dc2");
  EXPECT_EQ(MeshGatewaySpiffeId("td", "dc2", "p1"), "spiffe://td/ap/p1/gateway/mesh/dc/dc2");
}

TEST(SpiffeIdFormatTest, RoundTrip) {
  auto svc = ParseSpiffeId(ServiceSpiffeId("a.consul", "ns1", "dc2", "api", "finance"));
  ASSERT_TRUE(svc.ok()) << svc.status();
  SpiffeId want{.kind = SpiffeId::Kind::kService,
                .trust_domain = "a.consul",
                .path = "/ap/finance/ns/ns1/dc/dc2/svc/api",
                .partition = "finance",
                .ns = "ns1",
                .datacenter = "dc2",
                .service = "api"};
  EXPECT_EQ(*svc, want);
  auto gw = ParseSpiffeId(MeshGatewaySpiffeId("a.consul", "dc2"));
  ASSERT_TRUE(gw.ok()) << gw.status();
  EXPECT_EQ(gw->kind, SpiffeId::Kind::kMeshGateway);
  EXPECT_EQ(SpiffeIdKindName(gw->kind), "mesh-gateway");
  EXPECT_EQ(SpiffeIdKindName(SpiffeId::Kind::kService), "service");
  EXPECT_EQ(SpiffeIdKindName(SpiffeId::Kind::kOther), "other");
}

TEST(IsValidTrustDomainTest, Table) {
  EXPECT_TRUE(IsValidTrustDomain("7f42f496-fbc7-8692-05ed-334aa5340c1e.consul"));
  EXPECT_TRUE(IsValidTrustDomain("a_b.c-d"));
  EXPECT_FALSE(IsValidTrustDomain(""));
  EXPECT_FALSE(IsValidTrustDomain("Upper.consul"));
  EXPECT_FALSE(IsValidTrustDomain("td/ns"));
  EXPECT_FALSE(IsValidTrustDomain(std::string(256, 'a')));
}

}  // namespace
}  // namespace meshgw
