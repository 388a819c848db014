// SniRouteTable: Envoy's filter-chain precedence (exact name, longest `*.` wildcard, no names;
// then transport protocol; then ALPN), Consul mesh-gateway shapes, and build-time rejections.
#include "gateway/route/sni_route_table.h"

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/gateway/testing/count_allocations.h"

namespace meshgw::gateway::route {
namespace {

constexpr char kTd[] = "7f42f496-fbc7-8692-05ed-334aa5340c1e.consul";

std::string Td(std::string_view prefix) { return std::string(prefix) + "." + kTd; }

// Name of the chain chosen, or "(none)".
std::string Route(const SniRouteTable& t, std::string_view sni,
                  std::vector<std::string_view> alpn = {},
                  TransportProtocol tp = TransportProtocol::kTls) {
  const FilterChainSpec* c = t.Lookup(sni, alpn, tp);
  return c ? c->name : "(none)";
}

std::shared_ptr<const SniRouteTable> MustBuild(std::vector<FilterChainSpec> chains) {
  auto t = SniRouteTable::Build(std::move(chains));
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : nullptr;
}

// The listener Consul programs on a mesh gateway in DC2 that exports two services to peer
// gcp-dc1-default, is WAN-federated with dc3 and peers through mesh gateways.
std::shared_ptr<const SniRouteTable> ConsulMeshGateway() {
  return MustBuild({
      {.name = "exported~private-api",
       .server_names = {Td("private-api.default.default.gcp-dc1-default.external"),
                        Td("private-api.default.default.aws-dc3-default.external")}},
      {.name = "exported~public-api",
       .server_names = {Td("public-api.default.default.gcp-dc1-default.external")}},
      {.name = "remote dc3", .server_names = {Td("*.dc3.internal")}},
      {.name = "local peering servers", .server_names = {Td("server.dc2.peering")}},
      {.name = "sni_cluster"},
  });
}

TEST(SniRouteTable, ConsulMeshGatewayShapes) {
  auto t = ConsulMeshGateway();
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(Route(*t, Td("private-api.default.default.gcp-dc1-default.external")),
            "exported~private-api");
  EXPECT_EQ(Route(*t, Td("private-api.default.default.aws-dc3-default.external")),
            "exported~private-api");
  EXPECT_EQ(Route(*t, Td("public-api.default.default.gcp-dc1-default.external")),
            "exported~public-api");
  // Not exported to that peer: the catch-all, whose cluster (named by the SNI) will not exist.
  EXPECT_EQ(Route(*t, Td("public-api.default.default.aws-dc3-default.external")), "sni_cluster");
  EXPECT_EQ(Route(*t, Td("web.default.dc3.internal")), "remote dc3");
  EXPECT_EQ(Route(*t, Td("v2.web.default.dc3.internal")), "remote dc3");
  EXPECT_EQ(Route(*t, Td("server.dc2.peering")), "local peering servers");
  EXPECT_EQ(Route(*t, Td("server.dc1.peering")), "sni_cluster");
  EXPECT_EQ(Route(*t, Td("web.default.dc2.internal")), "sni_cluster");
  EXPECT_EQ(Route(*t, Td("dc3.internal")), "sni_cluster") << "*.x does not match x";
  EXPECT_EQ(Route(*t, ""), "sni_cluster");
  EXPECT_EQ(t->LookupIndex(Td("server.dc2.peering"), {}), 3);
}

TEST(SniRouteTable, UnknownNameWithoutCatchAllIsNoMatch) {
  auto t = MustBuild({
      {.name = "exported", .server_names = {Td("api.default.default.p.external")}},
      {.name = "remote", .server_names = {Td("*.dc2.internal")}},
  });
  EXPECT_EQ(Route(*t, Td("api.default.default.p.external")), "exported");
  EXPECT_EQ(Route(*t, Td("web.default.dc1.internal")), "(none)");
  EXPECT_EQ(Route(*t, ""), "(none)");
  EXPECT_EQ(t->LookupIndex("nothing.example", {}), -1);
}

TEST(SniRouteTable, ExactThenLongestWildcardThenNoNames) {
  auto t = MustBuild({
      {.name = "any"},
      {.name = "*.com", .server_names = {"*.com"}},
      {.name = "*.example.com", .server_names = {"*.example.com"}},
      {.name = "www", .server_names = {"www.example.com"}},
      {.name = "*.a.b.example.com", .server_names = {"*.A.B.Example.COM"}},
  });
  EXPECT_EQ(Route(*t, "www.example.com"), "www");
  EXPECT_EQ(Route(*t, "api.example.com"), "*.example.com");
  EXPECT_EQ(Route(*t, "x.y.example.com"), "*.example.com");
  EXPECT_EQ(Route(*t, "x.a.b.example.com"), "*.a.b.example.com");
  EXPECT_EQ(Route(*t, "a.b.example.com"), "*.example.com");
  EXPECT_EQ(Route(*t, "example.com"), "*.com");
  EXPECT_EQ(Route(*t, "example.org"), "any");
  EXPECT_EQ(Route(*t, "com"), "any");
}

// As in Envoy, the most specific server-name match wins even when its chains then fail on
// transport protocol or ALPN: there is no falling back to a wildcard or the catch-all.
TEST(SniRouteTable, NoFallbackPastTheServerNameStep) {
  auto t = MustBuild({
      {.name = "exact h2", .server_names = {"api.td"}, .application_protocols = {"h2"}},
      {.name = "wild", .server_names = {"*.td"}},
      {.name = "any"},
  });
  EXPECT_EQ(Route(*t, "api.td", {"h2"}), "exact h2");
  EXPECT_EQ(Route(*t, "api.td", {"http/1.1"}), "(none)");
  EXPECT_EQ(Route(*t, "api.td"), "(none)");
  EXPECT_EQ(Route(*t, "web.td", {"http/1.1"}), "wild");
}

TEST(SniRouteTable, TransportProtocol) {
  auto t = MustBuild({
      {.name = "tls", .server_names = {"a.td"}, .transport_protocol = "tls"},
      {.name = "raw", .server_names = {"a.td"}, .transport_protocol = "raw_buffer"},
      {.name = "b any", .server_names = {"b.td"}},
      {.name = "b raw", .server_names = {"b.td"}, .transport_protocol = "raw_buffer"},
      {.name = "c tls", .server_names = {"c.td"}, .transport_protocol = "tls"},
  });
  EXPECT_EQ(Route(*t, "a.td", {}, TransportProtocol::kTls), "tls");
  EXPECT_EQ(Route(*t, "a.td", {}, TransportProtocol::kRawBuffer), "raw");
  EXPECT_EQ(Route(*t, "b.td", {}, TransportProtocol::kTls), "b any");
  EXPECT_EQ(Route(*t, "b.td", {}, TransportProtocol::kRawBuffer), "b raw");
  EXPECT_EQ(Route(*t, "c.td", {}, TransportProtocol::kRawBuffer), "(none)");
}

TEST(SniRouteTable, AlpnInClientOrderThenChainsWithout) {
  auto t = MustBuild({
      {.name = "h2", .server_names = {"a.td"}, .application_protocols = {"h2"}},
      {.name = "h1", .server_names = {"a.td"}, .application_protocols = {"http/1.1", "http/1.0"}},
      {.name = "no alpn", .server_names = {"a.td"}},
      {.name = "only h2", .server_names = {"b.td"}, .application_protocols = {"h2"}},
  });
  EXPECT_EQ(Route(*t, "a.td", {"h2", "http/1.1"}), "h2");
  EXPECT_EQ(Route(*t, "a.td", {"http/1.1", "h2"}), "h1");
  EXPECT_EQ(Route(*t, "a.td", {"http/1.0"}), "h1");
  EXPECT_EQ(Route(*t, "a.td", {"acme-tls/1"}), "no alpn");
  EXPECT_EQ(Route(*t, "a.td"), "no alpn");
  EXPECT_EQ(Route(*t, "b.td", {"http/1.1"}), "(none)");
  EXPECT_EQ(Route(*t, "b.td", {"x", "h2"}), "only h2");
}

TEST(SniRouteTable, DuplicatesNameBothChains) {
  auto dup = SniRouteTable::Build({
      {.name = "first", .server_names = {"a.td", "b.td"}},
      {.name = "second", .server_names = {"c.td", "B.TD"}},
  });
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(dup.status().message(),
            "filter chains 0 \"first\" and 1 \"second\" both match server name \"b.td\", "
            "transport protocol \"(any)\", ALPN \"(any)\"");

  auto two_catch_alls = SniRouteTable::Build({{.name = "x"}, {.name = "y"}});
  ASSERT_FALSE(two_catch_alls.ok());
  EXPECT_EQ(two_catch_alls.status().message(),
            "filter chains 0 \"x\" and 1 \"y\" both match server name \"(any)\", "
            "transport protocol \"(any)\", ALPN \"(any)\"");

  auto same_alpn = SniRouteTable::Build({
      {.name = "p",
       .server_names = {"*.td"},
       .transport_protocol = "tls",
       .application_protocols = {"h2"}},
      {.name = "q",
       .server_names = {"*.td"},
       .transport_protocol = "tls",
       .application_protocols = {"http/1.1", "h2"}},
  });
  ASSERT_FALSE(same_alpn.ok());
  EXPECT_EQ(same_alpn.status().message(),
            "filter chains 0 \"p\" and 1 \"q\" both match server name \"*.td\", "
            "transport protocol \"tls\", ALPN \"h2\"");

  auto twice = SniRouteTable::Build({{.name = "self", .server_names = {"a.td", "a.td"}}});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(),
            "filter chain 0 \"self\" lists the same match twice: server name \"a.td\", "
            "transport protocol \"(any)\", ALPN \"(any)\"");

  // Same name, different transport or ALPN: distinct matches, accepted.
  EXPECT_TRUE(SniRouteTable::Build(
                  {
                      {.name = "a", .server_names = {"a.td"}},
                      {.name = "b", .server_names = {"a.td"}, .transport_protocol = "tls"},
                      {.name = "c", .server_names = {"a.td"}, .application_protocols = {"h2"}},
                      {.name = "d", .server_names = {"*.a.td"}},
                  })
                  .ok());
}

TEST(SniRouteTable, InvalidDefinitions) {
  struct Case {
    FilterChainSpec chain;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{.name = "partial", .server_names = {"*w.example.com"}},
       "filter chain 0 \"partial\": server name \"*w.example.com\" is neither a DNS name nor "
       "\"*.\" followed by one (no partial wildcards)"},
      {{.name = "star", .server_names = {"*"}},
       "filter chain 0 \"star\": server name \"*\" is neither a DNS name nor \"*.\" followed by "
       "one (no partial wildcards)"},
      {{.name = "mid", .server_names = {"a.*.td"}},
       "filter chain 0 \"mid\": server name \"a.*.td\" is neither a DNS name nor \"*.\" followed "
       "by one (no partial wildcards)"},
      {{.name = "empty", .server_names = {""}},
       "filter chain 0 \"empty\": server name \"\" is neither a DNS name nor \"*.\" followed by "
       "one (no partial wildcards)"},
      {{.name = "tp", .transport_protocol = "quic"},
       "filter chain 0 \"tp\": transport protocol \"quic\" is neither \"tls\" nor \"raw_buffer\""},
      {{.name = "alpn", .application_protocols = {""}},
       "filter chain 0 \"alpn\": an ALPN protocol must be 1 to 255 bytes"},
  };
  for (const Case& c : cases) {
    auto t = SniRouteTable::Build({c.chain});
    ASSERT_FALSE(t.ok()) << c.chain.name;
    EXPECT_EQ(t.status().message(), c.message);
  }
}

TEST(SniRouteTable, ManyRoutes) {
  std::vector<FilterChainSpec> chains;
  for (int i = 0; i < 10000; ++i) {
    chains.push_back(
        {.name = "svc" + std::to_string(i),
         .server_names = {Td("svc" + std::to_string(i) + ".default.default.p.external")}});
  }
  for (int dc = 0; dc < 50; ++dc) {
    chains.push_back({.name = "dc" + std::to_string(dc),
                      .server_names = {Td("*.dc" + std::to_string(dc) + ".internal")}});
  }
  auto t = MustBuild(std::move(chains));
  EXPECT_EQ(Route(*t, Td("svc9999.default.default.p.external")), "svc9999");
  EXPECT_EQ(Route(*t, Td("svc10000.default.default.p.external")), "(none)");
  EXPECT_EQ(Route(*t, Td("web.default.dc49.internal")), "dc49");
  EXPECT_EQ(Route(*t, Td("web.default.dc50.internal")), "(none)");

  const std::string exact = Td("svc42.default.default.p.external");
  const std::string wild = Td("a.b.c.web.default.dc7.internal");
  const std::string unknown = Td("nope");
  const std::string_view alpn[] = {"h2", "http/1.1"};
  const long before = allocations.load();
  EXPECT_NE(t->Lookup(exact, alpn), nullptr);
  EXPECT_NE(t->Lookup(wild, alpn), nullptr);
  EXPECT_EQ(t->Lookup(unknown, alpn), nullptr);
  EXPECT_EQ(allocations.load(), before) << "Lookup allocated";
}

}  // namespace
}  // namespace meshgw::gateway::route
