// Tests of snapshot.cc: address parsing, names, lookups and the filter-chain helpers.
#include <arpa/inet.h>

#include "gateway/config/snapshot.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::gateway::config {
namespace {

TEST(SocketAddress, ParsesIpv4) {
  absl::StatusOr<SocketAddress> a = ParseSocketAddress("127.0.0.1", 8443);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8443);
  ASSERT_EQ(a->length, sizeof(sockaddr_in));
  const auto* sin = reinterpret_cast<const sockaddr_in*>(a->sockaddr_ptr());
  EXPECT_EQ(sin->sin_family, AF_INET);
  EXPECT_EQ(ntohs(sin->sin_port), 8443);
  EXPECT_EQ(ntohl(sin->sin_addr.s_addr), 0x7f000001u);
  EXPECT_EQ(a->ToString(), "127.0.0.1:8443");
}

TEST(SocketAddress, ParsesIpv6) {
  absl::StatusOr<SocketAddress> a = ParseSocketAddress("::1", 19000);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->length, sizeof(sockaddr_in6));
  const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->sockaddr_ptr());
  EXPECT_EQ(sin6->sin6_family, AF_INET6);
  EXPECT_EQ(ntohs(sin6->sin6_port), 19000);
  EXPECT_EQ(sin6->sin6_addr.s6_addr[15], 1);
  EXPECT_EQ(a->ToString(), "[::1]:19000");
}

TEST(SocketAddress, RejectsNamesAndBadPorts) {
  EXPECT_EQ(ParseSocketAddress("db.local", 80).status().message(),
            "address \"db.local\" is not an IP literal");
  EXPECT_EQ(ParseSocketAddress("", 80).status().message(), "address \"\" is not an IP literal");
  EXPECT_EQ(ParseSocketAddress("127.0.0.1", 70000).status().message(),
            "port 70000 is out of range (0-65535)");
  EXPECT_EQ(ParseSocketAddress(std::string_view("127.0.0.1\0x", 11), 80).status().message(),
            "address \"127.0.0.1\\000x\" is not an IP literal");
}

TEST(HostPort, Splits) {
  absl::StatusOr<SocketAddress> v4 = ParseHostPort("0.0.0.0:9102");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->host, "0.0.0.0");
  EXPECT_EQ(v4->port, 9102);
  absl::StatusOr<SocketAddress> v6 = ParseHostPort("[::1]:8443");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "[::1]:8443");
}

TEST(HostPort, Errors) {
  EXPECT_EQ(ParseHostPort("127.0.0.1").status().message(),
            "\"127.0.0.1\" has no port (want \"host:port\", e.g. \"127.0.0.1:8443\")");
  EXPECT_EQ(ParseHostPort("127.0.0.1:").status().message(),
            "\"127.0.0.1:\": port \"\" is not 0-65535");
  EXPECT_EQ(ParseHostPort("127.0.0.1:65536").status().message(),
            "\"127.0.0.1:65536\": port \"65536\" is not 0-65535");
  EXPECT_EQ(ParseHostPort("127.0.0.1:+80").status().message(),
            "\"127.0.0.1:+80\": port \"+80\" is not 0-65535");
  EXPECT_EQ(ParseHostPort("::1:80").status().message(),
            "\"::1:80\": an IPv6 address needs brackets (\"[::1]:8443\")");
  EXPECT_EQ(ParseHostPort("[::1]8443").status().message(),
            "\"[::1]8443\" is not \"[ipv6]:port\" (e.g. \"[::1]:8443\")");
  EXPECT_EQ(ParseHostPort("localhost:80").status().message(),
            "address \"localhost\" is not an IP literal");
}

TEST(HealthStatus, NamesAndTraffic) {
  EXPECT_EQ(HealthStatusName(HealthStatus::kUnknown), "UNKNOWN");
  EXPECT_EQ(HealthStatusName(HealthStatus::kHealthy), "HEALTHY");
  EXPECT_EQ(HealthStatusName(HealthStatus::kUnhealthy), "UNHEALTHY");
  EXPECT_EQ(HealthStatusName(HealthStatus::kDraining), "DRAINING");
  EXPECT_EQ(HealthStatusName(HealthStatus::kTimeout), "TIMEOUT");
  EXPECT_EQ(HealthStatusName(HealthStatus::kDegraded), "DEGRADED");
  EXPECT_TRUE(ReceivesTraffic(HealthStatus::kUnknown));
  EXPECT_FALSE(ReceivesTraffic(HealthStatus::kDegraded));
}

TcpProxyFilter Proxy(std::string cluster) {
  TcpProxyFilter f;
  f.cluster = std::move(cluster);
  return f;
}
RbacFilter Deny() {
  RbacFilter f;
  f.action = RbacFilter::Action::kDeny;
  return f;
}
ConnectionLimitFilter Limit(uint64_t n) {
  ConnectionLimitFilter f;
  f.max_connections = n;
  return f;
}

FilterChain Chain(std::string name, std::vector<std::string> names, std::vector<NetworkFilter> f) {
  FilterChain c;
  c.name = name;
  c.match.name = std::move(name);
  c.match.server_names = std::move(names);
  c.filters = std::move(f);
  return c;
}

TEST(FilterChain, Helpers) {
  FilterChain plain = Chain("plain", {}, {Proxy("api")});
  EXPECT_EQ(plain.rbac(), nullptr);
  EXPECT_EQ(plain.connection_limit(), nullptr);
  EXPECT_FALSE(plain.sni_cluster());
  EXPECT_EQ(plain.tcp_proxy().cluster, "api");

  FilterChain full = Chain("full", {}, {Deny(), Limit(7), SniClusterFilter{}, Proxy("x")});
  ASSERT_NE(full.rbac(), nullptr);
  EXPECT_EQ(full.rbac()->action, RbacFilter::Action::kDeny);
  ASSERT_NE(full.connection_limit(), nullptr);
  EXPECT_EQ(full.connection_limit()->max_connections, 7u);
  EXPECT_TRUE(full.sni_cluster());
}

TEST(Listener, ChainForUsesRoutesThenDefault) {
  Listener l;
  l.chains.push_back(Chain("api", {"api.td"}, {Proxy("api")}));
  l.chains.push_back(Chain("wild", {"*.dc2.td"}, {Proxy("dc2")}));
  auto routes = route::SniRouteTable::Build({l.chains[0].match, l.chains[1].match});
  ASSERT_TRUE(routes.ok()) << routes.status();
  l.routes = *routes;
  EXPECT_EQ(l.ChainFor("api.td", {}, route::TransportProtocol::kTls), &l.chains[0]);
  EXPECT_EQ(l.ChainFor("web.dc2.td", {}, route::TransportProtocol::kTls), &l.chains[1]);
  EXPECT_EQ(l.ChainFor("other.td", {}, route::TransportProtocol::kTls), nullptr);
  l.default_chain = Chain("default", {}, {Proxy("d")});
  EXPECT_EQ(l.ChainFor("other.td", {}, route::TransportProtocol::kTls), &*l.default_chain);
}

TEST(Snapshot, Find) {
  Snapshot s;
  auto mesh = std::make_shared<Listener>();
  mesh->name = "mesh";
  s.listeners["mesh"] = mesh;
  auto c = std::make_shared<Cluster>();
  c->name = "api";
  s.clusters["api"] = c;
  ASSERT_NE(s.FindListener("mesh"), nullptr);
  EXPECT_EQ(s.FindListener("mesh")->name, "mesh");
  EXPECT_EQ(s.FindListener("other"), nullptr);
  EXPECT_EQ(s.FindCluster("api"), c.get());
  EXPECT_EQ(s.FindCluster("web"), nullptr);
}

}  // namespace
}  // namespace meshgw::gateway::config
