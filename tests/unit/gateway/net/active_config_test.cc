// ActiveConfig's per-endpoint TLS: a cluster with transport_socket_matches gets one client TLS
// context per TLS entry, and ClientTlsFor (what a connection uses to dial the endpoint it picked)
// gives each endpoint its own: plain TCP for local instances, the matched peer's mTLS for a peer's
// gateway, the cluster's for the rest. Contexts with unchanged settings survive a rebuild
// (session resumption keeps working across config updates). Terminating chains with the same TLS
// settings share one server context; a listener or cluster that a new snapshot shares with the
// previous one keeps its runtimes.
#include "gateway/proxy/active_config.h"

#include <memory>

#include "gateway/config/snapshot.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/tls/test_pki.h"
#include "tests/unit/gateway/tls/tls_test_util.h"

namespace meshgw::gateway::proxy {
namespace {

namespace t = meshgw::gateway::tls::testing;

config::Endpoint Ep(int port, int32_t match) {
  config::Endpoint e;
  e.address = *config::ParseSocketAddress("127.0.0.1", port);
  e.transport_socket_match = match;
  return e;
}

config::UpstreamTls Tls(const t::TestCredential& leaf, const t::TestCredential& ca,
                        const std::string& sni) {
  config::UpstreamTls out;
  out.certificate = t::Pair("leaf", leaf);
  out.trust = t::Bundle("bundle", ca.cert_pem, 1);
  out.sni = sni;
  return out;
}

struct Pki {
  t::TestCredential ca = t::MakeRootCa("test root");
  t::TestCredential leaf =
      t::Issue(ca, {.common_name = "web", .uri_sans = {"spiffe://td/ns/default/dc/dc1/svc/web"}});
};

config::SnapshotPtr Snapshot(const Pki& pki, const std::string& dc2_sni, bool cluster_tls) {
  auto cluster = std::make_shared<config::Cluster>();
  cluster->name = "egress";
  if (cluster_tls) cluster->tls = Tls(pki.leaf, pki.ca, "cluster.sni");
  cluster->transport_socket_matches.push_back({.name = "peer:dc2",
                                               .criteria = {{"peer", "\"dc2\""}},
                                               .tls = Tls(pki.leaf, pki.ca, dc2_sni)});
  cluster->transport_socket_matches.push_back(
      {.name = "plain", .criteria = {{"plain", "true"}}, .tls = std::nullopt});
  cluster->priorities.push_back({.priority = 0, .endpoints = {Ep(9090, -1), Ep(9091, 1)}});
  cluster->priorities.push_back({.priority = 1, .endpoints = {Ep(8443, 0)}});
  auto snap = std::make_shared<config::Snapshot>();
  snap->version = 1;
  snap->clusters.emplace("egress", cluster);
  return snap;
}

TEST(ActiveConfig, EachEndpointDialsWithItsTransportSocket) {
  Pki pki;
  config::SnapshotPtr snap = Snapshot(pki, "api.dc2", /*cluster_tls=*/false);
  BuildOptions options;
  auto active = BuildActiveConfig(snap, nullptr, options);
  ASSERT_TRUE(active.ok()) << active.status();
  const ClusterRuntime* c = (*active)->FindCluster("egress");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->client_tls, nullptr);
  ASSERT_EQ(c->match_tls.size(), 2u);
  EXPECT_NE(c->match_tls[0], nullptr);
  EXPECT_EQ(c->match_tls[1], nullptr);  // an entry without a transport socket: plain TCP
  const config::Cluster& cluster = *snap->clusters.at("egress");
  const auto& p0 = cluster.priorities[0].endpoints;
  EXPECT_EQ(c->ClientTlsFor(p0[0]), nullptr);  // local instance, no cluster TLS: plain
  EXPECT_EQ(c->ClientTlsFor(p0[1]), nullptr);  // matched the plain entry
  EXPECT_EQ(c->ClientTlsFor(cluster.priorities[1].endpoints[0]), c->match_tls[0].get());
  // An index out of range (never produced by translation) falls back to the cluster's.
  EXPECT_EQ(c->ClientTlsFor(Ep(1, 7)), nullptr);
}

TEST(ActiveConfig, ClusterTlsIsTheDefaultAndContextsAreReused) {
  Pki pki;
  config::SnapshotPtr first = Snapshot(pki, "api.dc2", /*cluster_tls=*/true);
  BuildOptions options;
  auto a = BuildActiveConfig(first, nullptr, options);
  ASSERT_TRUE(a.ok()) << a.status();
  const ClusterRuntime* ca = (*a)->FindCluster("egress");
  ASSERT_NE(ca->client_tls, nullptr);
  const config::Cluster& cluster = *first->clusters.at("egress");
  EXPECT_EQ(ca->ClientTlsFor(cluster.priorities[0].endpoints[0]), ca->client_tls.get());
  EXPECT_NE(ca->ClientTlsFor(cluster.priorities[1].endpoints[0]), ca->client_tls.get());

  // Same settings: the same contexts. Another SNI for dc2: a new context for that entry only.
  auto same = BuildActiveConfig(Snapshot(pki, "api.dc2", true), a->get(), options);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ((*same)->FindCluster("egress")->match_tls[0], ca->match_tls[0]);
  EXPECT_EQ((*same)->FindCluster("egress")->client_tls, ca->client_tls);
  auto other = BuildActiveConfig(Snapshot(pki, "api2.dc2", true), a->get(), options);
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->FindCluster("egress")->match_tls[0], ca->match_tls[0]);
  EXPECT_EQ((*other)->FindCluster("egress")->client_tls, ca->client_tls);
}

TEST(ActiveConfig, BadMatchTlsNamesTheEntry) {
  Pki pki;
  auto cluster = std::make_shared<config::Cluster>();
  cluster->name = "egress";
  config::UpstreamTls bad = Tls(pki.leaf, pki.ca, "x");
  bad.certificate->private_key_pem = "not a key";
  cluster->transport_socket_matches.push_back({.name = "peer:dc2", .criteria = {}, .tls = bad});
  auto snap = std::make_shared<config::Snapshot>();
  snap->clusters.emplace("egress", cluster);
  auto active = BuildActiveConfig(snap, nullptr, BuildOptions{});
  ASSERT_FALSE(active.ok());
  EXPECT_THAT(std::string(active.status().message()),
              ::testing::StartsWith("Cluster \"egress\" transport_socket_matches \"peer:dc2\": "));
}

config::DownstreamTls Terminate(const t::TestCredential& leaf, const t::TestCredential& ca,
                                const std::string& bundle_name = "bundle") {
  config::DownstreamTls out;
  out.certificate = t::Pair("leaf", leaf);
  out.trust = t::Bundle(bundle_name, ca.cert_pem, 1);
  out.require_client_certificate = true;
  return out;
}

config::FilterChain Chain(const std::string& name, std::optional<config::DownstreamTls> tls) {
  config::FilterChain chain;
  chain.name = name;
  chain.tls = std::move(tls);
  config::TcpProxyFilter proxy;
  proxy.cluster = "egress";
  chain.filters.emplace_back(std::move(proxy));
  return chain;
}

std::shared_ptr<config::Snapshot> WithListener(std::shared_ptr<const config::Listener> listener) {
  auto snap = std::make_shared<config::Snapshot>();
  snap->listeners.emplace(listener->name, std::move(listener));
  return snap;
}

TEST(ActiveConfig, ChainsWithTheSameTlsShareOneServerContext) {
  Pki pki;
  t::TestCredential other_ca = t::MakeRootCa("other root");
  auto listener = std::make_shared<config::Listener>();
  listener->name = "mesh";
  listener->address = *config::ParseSocketAddress("127.0.0.1", 0);
  listener->chains = {Chain("web", Terminate(pki.leaf, pki.ca)),
                      Chain("api", Terminate(pki.leaf, pki.ca)),
                      Chain("db", Terminate(pki.leaf, other_ca)),
                      Chain("renamed", Terminate(pki.leaf, pki.ca, "another bundle name")),
                      Chain("passthrough", std::nullopt)};
  auto active = BuildActiveConfig(WithListener(listener), nullptr, BuildOptions{});
  ASSERT_TRUE(active.ok()) << active.status();
  const std::vector<ChainRuntime>& chains = (*active)->listeners.at("mesh")->chains;
  ASSERT_EQ(chains.size(), 5u);
  ASSERT_NE(chains[0].server_tls, nullptr);
  EXPECT_EQ(chains[1].server_tls, chains[0].server_tls);
  EXPECT_NE(chains[2].server_tls, chains[0].server_tls);  // another trust bundle
  EXPECT_NE(chains[3].server_tls, chains[0].server_tls);  // its errors name another bundle
  EXPECT_EQ(chains[4].server_tls, nullptr);
  EXPECT_NE(chains[0].active, chains[1].active);  // connection counts stay per chain
}

TEST(ActiveConfig, WhatANewSnapshotSharesKeepsItsRuntimes) {
  Pki pki;
  auto listener = std::make_shared<config::Listener>();
  listener->name = "mesh";
  listener->address = *config::ParseSocketAddress("127.0.0.1", 0);
  listener->chains = {Chain("web", Terminate(pki.leaf, pki.ca)), Chain("api", std::nullopt)};
  config::SnapshotPtr cluster_snap = Snapshot(pki, "api.dc2", /*cluster_tls=*/true);
  auto first = WithListener(listener);
  first->clusters = cluster_snap->clusters;
  auto a = BuildActiveConfig(first, nullptr, BuildOptions{});
  ASSERT_TRUE(a.ok()) << a.status();
  const ListenerRuntime& la = *(*a)->listeners.at("mesh");

  // The same listener and cluster objects: every runtime carries over.
  auto second = WithListener(listener);
  second->clusters = first->clusters;
  auto b = BuildActiveConfig(second, a->get(), BuildOptions{});
  ASSERT_TRUE(b.ok()) << b.status();
  const ListenerRuntime& lb = *(*b)->listeners.at("mesh");
  EXPECT_EQ(lb.listener, la.listener);
  EXPECT_EQ(lb.sockets, la.sockets);
  ASSERT_EQ(lb.chains.size(), 2u);
  EXPECT_EQ(lb.chains[0].chain, la.chains[0].chain);
  EXPECT_EQ(lb.chains[0].server_tls, la.chains[0].server_tls);
  EXPECT_EQ(lb.chains[1].active, la.chains[1].active);
  EXPECT_EQ((*b)->FindCluster("egress")->client_tls, (*a)->FindCluster("egress")->client_tls);

  // A new listener object (a chain added) with the same chains by name: they are found by name,
  // keep their connection counts and, with the same settings, their context.
  auto changed = std::make_shared<config::Listener>(*listener);
  changed->chains.insert(changed->chains.begin(), Chain("db", Terminate(pki.leaf, pki.ca)));
  auto c = BuildActiveConfig(WithListener(changed), b->get(), BuildOptions{});
  ASSERT_TRUE(c.ok()) << c.status();
  const ListenerRuntime& lc = *(*c)->listeners.at("mesh");
  ASSERT_EQ(lc.chains.size(), 3u);
  EXPECT_EQ(lc.chains[1].chain->name, "web");
  EXPECT_EQ(lc.chains[1].active, lb.chains[0].active);
  EXPECT_EQ(lc.chains[1].server_tls, lb.chains[0].server_tls);
  EXPECT_EQ(lc.chains[0].server_tls, lc.chains[1].server_tls);  // "db": same settings as "web"
  EXPECT_EQ(lc.chains[2].active, lb.chains[1].active);
}

// Clusters: a build starts from the previous config's runtimes and builds only those whose cluster
// object changed; removed clusters go; the registry's states follow; and a build that fails
// leaves the registry where it was, so the runtimes carried over later still hold its states.
TEST(ActiveConfig, OnlyChangedClustersGetNewRuntimes) {
  Pki pki;
  upstream::ClusterStateRegistry registry(1);
  const BuildOptions options{.cluster_states = &registry};
  auto plain = [](const std::string& name, int port) {
    auto c = std::make_shared<config::Cluster>();
    c->name = name;
    c->priorities.push_back({.priority = 0, .endpoints = {Ep(port, -1)}});
    return std::shared_ptr<const config::Cluster>(std::move(c));
  };
  auto first = std::make_shared<config::Snapshot>();
  first->version = 1;
  for (int i = 0; i < 1000; ++i) {
    const std::string name = "c" + std::to_string(i);
    first->clusters.emplace(name, plain(name, 10000 + i));
  }
  auto a = BuildActiveConfig(first, nullptr, options);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ((*a)->clusters.size(), 1000u);

  auto second = std::make_shared<config::Snapshot>(*first);
  second->version = 2;
  second->clusters.insert_or_assign("c7", plain("c7", 20007));
  second->clusters.erase("c8");
  second->clusters.emplace("new", plain("new", 20000));
  auto b = BuildActiveConfig(second, a->get(), options);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((*b)->clusters.size(), 1000u);
  int differing = 0;
  decltype((*a)->clusters)::ForEachDifference(
      (*a)->clusters, (*b)->clusters, [&](const std::string& name, const auto*, const auto*) {
        ++differing;
        EXPECT_TRUE(name == "c7" || name == "c8" || name == "new") << name;
      });
  EXPECT_EQ(differing, 3);
  EXPECT_EQ((*b)->FindCluster("c8"), nullptr);
  EXPECT_EQ((*b)->FindCluster("c1"), (*a)->FindCluster("c1"));  // the same runtime object
  EXPECT_NE((*b)->FindCluster("c7")->state, (*a)->FindCluster("c7")->state);
  EXPECT_EQ((*b)->FindCluster("c7")->state->config_ptr(), second->clusters.at("c7"));
  auto states = registry.Current();
  EXPECT_EQ(states->snapshot_version, 2u);
  EXPECT_EQ(states->Find("c7"), (*b)->FindCluster("c7")->state.get());
  EXPECT_EQ(states->Find("c1"), (*b)->FindCluster("c1")->state.get());
  EXPECT_EQ(states->Find("new"), (*b)->FindCluster("new")->state.get());
  EXPECT_EQ(states->Find("c8"), nullptr);

  // A cluster whose TLS cannot be made fails the build, naming it; the registry stays at 2.
  auto bad = std::make_shared<config::Snapshot>(*second);
  bad->version = 3;
  auto broken = std::make_shared<config::Cluster>(*second->clusters.at("c9"));
  broken->tls = Tls(pki.leaf, pki.ca, "x");
  broken->tls->certificate->private_key_pem = "not a key";
  bad->clusters.insert_or_assign("c9", broken);
  bad->clusters.insert_or_assign("c10", plain("c10", 20010));
  auto failed = BuildActiveConfig(bad, b->get(), options);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.status().message()), ::testing::HasSubstr("Cluster \"c9\""));
  EXPECT_EQ(registry.Current()->snapshot_version, 2u);
  EXPECT_EQ(registry.Current()->Find("c10"), (*b)->FindCluster("c10")->state.get());

  // The next good build goes on from the installed config: its unchanged runtimes still hold the
  // registry's states.
  auto third = std::make_shared<config::Snapshot>(*second);
  third->version = 4;
  third->clusters.insert_or_assign("c11", plain("c11", 20011));
  auto c = BuildActiveConfig(third, b->get(), options);
  ASSERT_TRUE(c.ok()) << c.status();
  for (const auto& [name, runtime] : (*c)->clusters) {
    EXPECT_EQ(registry.Current()->Find(name), runtime->state.get()) << name;
  }
}

}  // namespace
}  // namespace meshgw::gateway::proxy
