// Tests of translate.h: every supported resource shape, a Consul-like mesh gateway end to end,
// what makes a snapshot incomplete, every error with the place it names, the per-resource
// validator, the cache, and 10,000 clusters and chains.
#include <google/protobuf/text_format.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/core/v3/core.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/connection_limit/v3/connection_limit.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/sni_cluster/v3/sni_cluster.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "gateway/config/translate.h"
#include "gateway/config/translate_internal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "xds/resource.h"

namespace meshgw::gateway::config {
namespace {

namespace cluster_pb = envoy::config::cluster::v3;
namespace endpoint_pb = envoy::config::endpoint::v3;
namespace listener_pb = envoy::config::listener::v3;
namespace tls_pb = envoy::extensions::transport_sockets::tls::v3;

using ::testing::ElementsAre;

// Text format resolves the types inside Any by name: make sure each one is linked in.
void LinkAnyTypes() {
  namespace net = envoy::extensions::filters::network;
  static const bool linked = [] {
    for (const google::protobuf::Descriptor* d :
         {envoy::extensions::filters::listener::tls_inspector::v3::TlsInspector::descriptor(),
          net::rbac::v3::RBAC::descriptor(), net::tcp_proxy::v3::TcpProxy::descriptor(),
          net::sni_cluster::v3::SniCluster::descriptor(),
          net::connection_limit::v3::ConnectionLimit::descriptor(),
          tls_pb::DownstreamTlsContext::descriptor(), tls_pb::UpstreamTlsContext::descriptor()}) {
      EXPECT_NE(d, nullptr);
    }
    return true;
  }();
  (void)linked;
}

template <typename T>
T Parse(const std::string& text) {
  LinkAnyTypes();
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

template <typename T>
std::shared_ptr<const google::protobuf::Any> Pack(const T& message) {
  auto any = std::make_shared<google::protobuf::Any>();
  any->PackFrom(message);
  return any;
}

// Builds a TranslateInput from text-format resources.
struct Resources {
  TranslateInput in;
  std::string origin = "xds";

  Resources& Listener(const std::string& text) {
    auto m = Parse<listener_pb::Listener>(text);
    in.listeners[m.name()] = {Pack(m), "v1", origin};
    return *this;
  }
  Resources& Cluster(const std::string& text) {
    auto m = Parse<cluster_pb::Cluster>(text);
    in.clusters[m.name()] = {Pack(m), "v1", origin};
    return *this;
  }
  Resources& Endpoints(const std::string& text) {
    auto m = Parse<endpoint_pb::ClusterLoadAssignment>(text);
    in.endpoints[m.cluster_name()] = {Pack(m), "v1", origin};
    return *this;
  }
  Resources& Secret(const std::string& text) {
    auto m = Parse<tls_pb::Secret>(text);
    in.secrets[m.name()] = {Pack(m), "v1", origin};
    return *this;
  }
  Resources& ExtensionConfig(const std::string& text) {
    auto m = Parse<envoy::config::core::v3::TypedExtensionConfig>(text);
    in.extension_configs[m.name()] = {Pack(m), "v1", origin};
    return *this;
  }
};

std::string Error(const Resources& r) {
  absl::StatusOr<SnapshotPtr> s = Translate(r.in, 1);
  EXPECT_FALSE(s.ok());
  return s.ok() ? "" : std::string(s.status().message());
}

constexpr char kCa[] = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr char kLeaf[] = "-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n";
constexpr char kKey[] = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

std::string Q(const char* pem) { return absl::StrCat("\"", absl::CEscape(pem), "\""); }

// A Consul mesh gateway on 8443 as Consul programs Envoy for cluster peering: an exported service
// terminated with mTLS and intentions, a wildcard chain to a remote datacenter, the peering
// servers, and the sni_cluster catch-all; EDS clusters with failover priorities.
Resources ConsulMeshGateway() {
  Resources r;
  r.Secret(absl::StrCat(
      "name: 'gateway-leaf' tls_certificate { certificate_chain { inline_string: ", Q(kLeaf),
      " } private_key { inline_bytes: ", Q(kKey), " } }"));
  r.Secret(absl::StrCat(
      "name: 'peer-bundle' validation_context { trusted_ca { inline_string: ", Q(kCa), " } }"));
  r.Listener(R"pb(
    name: "mesh"
    address { socket_address { address: "0.0.0.0" port_value: 8443 } }
    listener_filters {
      name: "envoy.filters.listener.tls_inspector"
      typed_config {
        [type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector] {}
      }
    }
    listener_filters_timeout { seconds: 3 }
    filter_chains {
      name: "exported~public-api"
      filter_chain_match { server_names: "public-api.default.default.dc2.external.td1" }
      filters {
        name: "envoy.filters.network.rbac"
        typed_config {
          [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
            stat_prefix: "public-api"
            rules {
              action: ALLOW
              policies {
                key: "web"
                value {
                  permissions { any: true }
                  principals {
                    authenticated {
                      principal_name {
                        safe_regex { regex: "^spiffe://td2/ns/default/dc/[^/]+/svc/web$" }
                      }
                    }
                  }
                }
              }
              policies {
                key: "admin"
                value {
                  permissions { any: true }
                  principals {
                    authenticated {
                      principal_name { exact: "spiffe://td2/ns/default/dc/dc2/svc/admin" }
                    }
                  }
                }
              }
            }
          }
        }
      }
      filters {
        name: "envoy.filters.network.connection_limit"
        typed_config {
          [type.googleapis.com/
           envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit] {
            stat_prefix: "limit"
            max_connections { value: 1000 }
          }
        }
      }
      filters {
        name: "envoy.filters.network.tcp_proxy"
        typed_config {
          [type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy] {
            stat_prefix: "public-api"
            cluster: "public-api"
            max_connect_attempts { value: 3 }
            idle_timeout { seconds: 90 }
          }
        }
      }
      transport_socket {
        name: "envoy.transport_sockets.tls"
        typed_config {
          [type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext] {
            common_tls_context {
              tls_params {
                tls_minimum_protocol_version: TLSv1_2
                tls_maximum_protocol_version: TLSv1_3
              }
              tls_certificate_sds_secret_configs {
                name: "gateway-leaf"
                sds_config { ads {} }
              }
              combined_validation_context {
                default_validation_context {
                  match_typed_subject_alt_names {
                    san_type: URI
                    matcher { prefix: "spiffe://td2/" }
                  }
                }
                validation_context_sds_secret_config {
                  name: "peer-bundle"
                  sds_config { ads {} }
                }
              }
              alpn_protocols: "h2"
            }
            require_client_certificate { value: true }
            session_timeout { seconds: 600 }
          }
        }
      }
    }
    filter_chains {
      name: "dc2"
      filter_chain_match { server_names: "*.dc2.internal.td1" }
      filters {
        name: "envoy.filters.network.tcp_proxy"
        typed_config {
          [type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy] {
            cluster: "dc2.internal.td1"
          }
        }
      }
    }
    filter_chains {
      name: "peering"
      filter_chain_match { server_names: "server.dc1.peering.td1" }
      filters {
        name: "envoy.filters.network.tcp_proxy"
        typed_config {
          [type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy] {
            weighted_clusters { clusters { name: "server.dc1.peering.td1" weight: 1 } }
          }
        }
      }
    }
    filter_chains {
      filters {
        name: "envoy.filters.network.sni_cluster"
        typed_config {
          [type.googleapis.com/envoy.extensions.filters.network.sni_cluster.v3.SniCluster] {}
        }
      }
      filters {
        name: "envoy.filters.network.tcp_proxy"
        typed_config {
          [type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy] {
            stat_prefix: "sni"
          }
        }
      }
    }
  )pb");
  r.Cluster(R"pb(
    name: "public-api"
    type: EDS
    eds_cluster_config { eds_config { ads {} } }
    connect_timeout { seconds: 1 }
    lb_policy: LEAST_REQUEST
    circuit_breakers {
      thresholds {
        priority: HIGH
        max_connections { value: 9 }
      }
      thresholds { max_connections { value: 512 } }
    }
    outlier_detection {
      consecutive_5xx { value: 4 }
      interval { seconds: 5 }
      base_ejection_time { seconds: 15 }
      max_ejection_percent { value: 50 }
    }
  )pb");
  r.Endpoints(R"pb(
    cluster_name: "public-api"
    endpoints {
      priority: 1
      lb_endpoints {
        endpoint { address { socket_address { address: "10.0.2.1" port_value: 9001 } } }
      }
    }
    endpoints {
      lb_endpoints {
        endpoint {
          address { socket_address { address: "10.0.1.1" port_value: 9001 } }
          hostname: "a"
        }
        health_status: HEALTHY
        load_balancing_weight { value: 3 }
      }
      lb_endpoints {
        endpoint { address { socket_address { address: "::1" port_value: 9002 } } }
        health_status: UNHEALTHY
      }
    }
    endpoints {
      priority: 0
      lb_endpoints {
        endpoint { address { socket_address { address: "10.0.1.3" port_value: 9001 } } }
      }
    }
  )pb");
  r.Cluster(R"pb(
    name: "dc2.internal.td1"
    type: EDS
    eds_cluster_config { service_name: "dc2-gateways" }
  )pb");
  r.Endpoints(R"pb(
    cluster_name: "dc2-gateways"
    endpoints {
      lb_endpoints {
        endpoint { address { socket_address { address: "127.0.2.1" port_value: 8443 } } }
      }
    }
  )pb");
  r.Cluster(R"pb(
    name: "server.dc1.peering.td1"
    type: STATIC
    load_assignment {
      cluster_name: "server.dc1.peering.td1"
      endpoints {
        lb_endpoints {
          endpoint { address { socket_address { address: "127.0.1.10" port_value: 8503 } } }
        }
      }
    }
  )pb");
  r.Cluster(R"pb(
    name: "egress~public-api"
    type: STATIC
    lb_policy: RANDOM
    transport_socket {
      name: "envoy.transport_sockets.tls"
      typed_config {
        [type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext] {
          common_tls_context {
            tls_certificate_sds_secret_configs { name: "gateway-leaf" }
            validation_context_sds_secret_config { name: "peer-bundle" }
          }
          sni: "public-api.default.default.dc2.external.td1"
        }
      }
    }
  )pb");
  return r;
}

TEST(Translate, ConsulMeshGateway) {
  Resources r = ConsulMeshGateway();
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 42);
  ASSERT_TRUE(snap.ok()) << snap.status();
  const Snapshot& s = **snap;
  EXPECT_EQ(s.version, 42u);
  EXPECT_TRUE(s.complete) << testing::PrintToString(s.missing);
  EXPECT_EQ(s.resource_versions.at("Listener/mesh"), "v1");
  EXPECT_EQ(s.resource_versions.at("ClusterLoadAssignment/dc2-gateways"), "v1");
  EXPECT_EQ(s.resource_versions.at("Secret/peer-bundle"), "v1");
  EXPECT_EQ(s.resource_versions.size(), 9u);

  const Listener* mesh = s.FindListener("mesh");
  ASSERT_NE(mesh, nullptr);
  EXPECT_EQ(mesh->address.ToString(), "0.0.0.0:8443");
  EXPECT_TRUE(mesh->inspect_tls);
  EXPECT_EQ(mesh->hello_timeout, absl::Seconds(3));
  EXPECT_EQ(mesh->buffer_limit, 1u << 20);
  EXPECT_EQ(mesh->stat_prefix, "mesh");
  ASSERT_EQ(mesh->chains.size(), 4u);
  EXPECT_FALSE(mesh->default_chain.has_value());
  EXPECT_EQ(mesh->chains[3].name, "filter_chains[3]");  // unnamed: its path

  // Routes as Consul orders them: exact exported name, remote DC wildcard, catch-all.
  auto chain_for = [&](std::string_view sni) {
    const FilterChain* c = mesh->ChainFor(sni, {}, route::TransportProtocol::kTls);
    return c == nullptr ? std::string("none") : c->name;
  };
  EXPECT_EQ(chain_for("public-api.default.default.dc2.external.td1"), "exported~public-api");
  EXPECT_EQ(chain_for("web.default.dc2.internal.td1"), "dc2");
  EXPECT_EQ(chain_for("server.dc1.peering.td1"), "peering");
  EXPECT_EQ(chain_for("db.default.dc1.internal.td1"), "filter_chains[3]");

  const FilterChain& exported = mesh->chains[0];
  ASSERT_EQ(exported.filters.size(), 3u);
  ASSERT_NE(exported.rbac(), nullptr);
  const RbacFilter& rbac = *exported.rbac();
  EXPECT_EQ(rbac.action, RbacFilter::Action::kAllow);
  EXPECT_EQ(rbac.stat_prefix, "public-api");
  ASSERT_EQ(rbac.policies.size(), 2u);
  EXPECT_EQ(rbac.policies[0].name, "admin");  // key order
  EXPECT_EQ(rbac.policies[1].name, "web");
  ASSERT_EQ(rbac.policies[1].principals.size(), 1u);
  const RbacPrincipal& web = rbac.policies[1].principals[0];
  EXPECT_EQ(web.kind, RbacPrincipal::Kind::kAuthenticated);
  EXPECT_TRUE(web.principal_name.Matches("spiffe://td2/ns/default/dc/dc2/svc/web"));
  EXPECT_FALSE(web.principal_name.Matches("spiffe://td2/ns/default/dc/dc2/svc/web2"));
  EXPECT_EQ(rbac.policies[1].permissions[0].kind, RbacPermission::Kind::kAny);
  EXPECT_EQ(rbac.policies[0].principals[0].principal_name.DebugString(),
            "exact:spiffe://td2/ns/default/dc/dc2/svc/admin");
  ASSERT_NE(exported.connection_limit(), nullptr);
  EXPECT_EQ(exported.connection_limit()->max_connections, 1000u);
  EXPECT_EQ(exported.connection_limit()->stat_prefix, "limit");
  EXPECT_FALSE(exported.sni_cluster());
  EXPECT_EQ(exported.tcp_proxy().cluster, "public-api");
  EXPECT_EQ(exported.tcp_proxy().max_connect_attempts, 3u);
  EXPECT_EQ(exported.tcp_proxy().idle_timeout, absl::Seconds(90));

  ASSERT_TRUE(exported.tls.has_value());
  const DownstreamTls& tls = *exported.tls;
  EXPECT_EQ(tls.certificate.name, "gateway-leaf");
  EXPECT_EQ(tls.certificate.certificate_chain_pem, kLeaf);
  EXPECT_EQ(tls.certificate.private_key_pem, kKey);
  ASSERT_TRUE(tls.trust.has_value());
  EXPECT_EQ(tls.trust->name, "peer-bundle");
  EXPECT_EQ(tls.trust->trusted_ca_pem, kCa);
  EXPECT_EQ(tls.trust->version, translate_internal::Hash64(kCa));
  EXPECT_FALSE(tls.trust->accept_untrusted);
  ASSERT_EQ(tls.trust->match_sans.size(), 1u);
  EXPECT_EQ(tls.trust->match_sans[0].type, SanMatcher::Type::kUri);
  EXPECT_EQ(tls.trust->match_sans[0].matcher.DebugString(), "prefix:spiffe://td2/");
  EXPECT_TRUE(tls.require_client_certificate);
  EXPECT_EQ(tls.params.min_version, TlsVersion::kTls1_2);
  EXPECT_EQ(tls.params.max_version, TlsVersion::kTls1_3);
  EXPECT_THAT(tls.alpn, ElementsAre("h2"));
  EXPECT_TRUE(tls.session_tickets);
  EXPECT_EQ(tls.session_timeout, absl::Minutes(10));

  EXPECT_FALSE(mesh->chains[1].tls.has_value());  // passthrough
  EXPECT_EQ(mesh->chains[1].tcp_proxy().cluster, "dc2.internal.td1");
  EXPECT_EQ(mesh->chains[1].tcp_proxy().max_connect_attempts, 1u);
  EXPECT_EQ(mesh->chains[1].tcp_proxy().idle_timeout, absl::Hours(1));
  EXPECT_EQ(mesh->chains[2].tcp_proxy().cluster, "server.dc1.peering.td1");
  EXPECT_TRUE(mesh->chains[3].sni_cluster());

  const Cluster* api = s.FindCluster("public-api");
  ASSERT_NE(api, nullptr);
  EXPECT_TRUE(api->eds);
  EXPECT_EQ(api->eds_service_name, "public-api");
  EXPECT_EQ(api->lb_policy, LbPolicy::kLeastRequest);
  EXPECT_EQ(api->connect_timeout, absl::Seconds(1));
  EXPECT_EQ(api->max_connections, 512u);  // the DEFAULT threshold, not HIGH's
  EXPECT_TRUE(api->outlier.enabled);
  EXPECT_EQ(api->outlier.consecutive_failures, 4u);
  EXPECT_EQ(api->outlier.interval, absl::Seconds(5));
  EXPECT_EQ(api->outlier.base_ejection_time, absl::Seconds(15));
  EXPECT_EQ(api->outlier.max_ejection_time, absl::Seconds(300));
  EXPECT_EQ(api->outlier.max_ejection_percent, 50u);
  EXPECT_FALSE(api->tls.has_value());
  ASSERT_EQ(api->priorities.size(), 2u);
  EXPECT_EQ(api->priorities[0].priority, 0u);
  ASSERT_EQ(api->priorities[0].endpoints.size(), 3u);
  EXPECT_EQ(api->priorities[0].endpoints[0].address.ToString(), "10.0.1.1:9001");
  EXPECT_EQ(api->priorities[0].endpoints[0].hostname, "a");
  EXPECT_EQ(api->priorities[0].endpoints[0].health, HealthStatus::kHealthy);
  EXPECT_EQ(api->priorities[0].endpoints[0].weight, 3u);
  EXPECT_EQ(api->priorities[0].endpoints[1].address.ToString(), "[::1]:9002");
  EXPECT_EQ(api->priorities[0].endpoints[1].health, HealthStatus::kUnhealthy);
  EXPECT_EQ(api->priorities[0].endpoints[2].address.ToString(), "10.0.1.3:9001");
  EXPECT_EQ(api->priorities[0].endpoints[2].health, HealthStatus::kUnknown);
  EXPECT_EQ(api->priorities[1].priority, 1u);
  EXPECT_EQ(api->priorities[1].endpoints[0].address.ToString(), "10.0.2.1:9001");

  const Cluster* dc2 = s.FindCluster("dc2.internal.td1");
  ASSERT_NE(dc2, nullptr);
  EXPECT_EQ(dc2->eds_service_name, "dc2-gateways");
  EXPECT_EQ(dc2->connect_timeout, absl::Seconds(5));
  EXPECT_EQ(dc2->max_connections, 1024u);
  EXPECT_FALSE(dc2->outlier.enabled);
  ASSERT_EQ(dc2->priorities.size(), 1u);
  EXPECT_EQ(dc2->priorities[0].endpoints[0].address.ToString(), "127.0.2.1:8443");

  const Cluster* peering = s.FindCluster("server.dc1.peering.td1");
  ASSERT_NE(peering, nullptr);
  EXPECT_FALSE(peering->eds);
  ASSERT_EQ(peering->priorities.size(), 1u);
  EXPECT_EQ(peering->priorities[0].endpoints[0].address.ToString(), "127.0.1.10:8503");

  const Cluster* egress = s.FindCluster("egress~public-api");
  ASSERT_NE(egress, nullptr);
  EXPECT_EQ(egress->lb_policy, LbPolicy::kRandom);
  EXPECT_TRUE(egress->priorities.empty());
  ASSERT_TRUE(egress->tls.has_value());
  ASSERT_TRUE(egress->tls->certificate.has_value());
  EXPECT_EQ(egress->tls->certificate->private_key_pem, kKey);
  ASSERT_TRUE(egress->tls->trust.has_value());
  EXPECT_EQ(egress->tls->trust->trusted_ca_pem, kCa);
  EXPECT_EQ(egress->tls->sni, "public-api.default.default.dc2.external.td1");
}

TEST(Translate, IncompleteSaysWhatIsMissing) {
  Resources r = ConsulMeshGateway();
  r.in.secrets.erase("peer-bundle");
  r.in.endpoints.erase("dc2-gateways");
  r.in.clusters.erase("server.dc1.peering.td1");
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 2);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_FALSE((*snap)->complete);
  EXPECT_THAT(
      (*snap)->missing,
      ElementsAre(
          "ClusterLoadAssignment \"dc2-gateways\" of Cluster \"dc2.internal.td1\"",
          "Secret \"peer-bundle\" referenced by Cluster \"egress~public-api\"",
          "Secret \"peer-bundle\" referenced by chain \"exported~public-api\" of Listener \"mesh\"",
          "Cluster \"server.dc1.peering.td1\" referenced by Listener \"mesh\" chain \"peering\""));
  const Listener* mesh = (*snap)->FindListener("mesh");
  ASSERT_TRUE(mesh->chains[0].tls->trust.has_value());
  EXPECT_EQ(mesh->chains[0].tls->trust->name, "peer-bundle");
  EXPECT_EQ(mesh->chains[0].tls->trust->trusted_ca_pem, "");
  EXPECT_TRUE((*snap)->FindCluster("dc2.internal.td1")->priorities.empty());
}

TEST(Translate, EmptyInputIsAnEmptyCompleteSnapshot) {
  absl::StatusOr<SnapshotPtr> snap = Translate(TranslateInput{}, 7);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->version, 7u);
  EXPECT_TRUE((*snap)->complete);
  EXPECT_TRUE((*snap)->listeners.empty());
}

// ---- Shapes ------------------------------------------------------------------------------------

constexpr char kTcpProxyTo[] = R"pb(
  filters {
    name: "envoy.filters.network.tcp_proxy"
    typed_config {
      [type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy] { cluster: "%s" }
    }
  })pb";

std::string TcpProxy(const std::string& cluster) {
  return absl::StrReplaceAll(kTcpProxyTo, {{"%s", cluster}});
}

TEST(Translate, EgressListenerWithoutInspectorAndDefaultChain) {
  Resources r;
  r.Cluster("name: 'up' type: STATIC");
  r.Listener(absl::StrCat(R"pb(
                            name: "egress"
                            address { socket_address { address: "127.0.0.1" port_value: 9191 } }
                            per_connection_buffer_limit_bytes { value: 32768 }
                            stat_prefix: "egress_stats"
                            default_filter_chain { name: "out")pb",
                          TcpProxy("up"), "}"));
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  const Listener* l = (*snap)->FindListener("egress");
  EXPECT_FALSE(l->inspect_tls);
  EXPECT_EQ(l->hello_timeout, absl::Seconds(5));
  EXPECT_EQ(l->buffer_limit, 32768u);
  EXPECT_EQ(l->stat_prefix, "egress_stats");
  EXPECT_TRUE(l->chains.empty());
  ASSERT_TRUE(l->default_chain.has_value());
  EXPECT_EQ(l->ChainFor("", {}, route::TransportProtocol::kRawBuffer)->name, "out");
  EXPECT_TRUE((*snap)->complete);
}

TEST(Translate, ChainsForAnotherDestinationPortAreLeftOut) {
  Resources r;
  r.Cluster("name: 'a' type: STATIC").Cluster("name: 'b' type: STATIC");
  r.Listener(absl::StrCat(
      R"pb(
        name: "l"
        address { socket_address { address: "127.0.0.1" port_value: 8443 } }
        filter_chains { name: "other-port"
                        filter_chain_match { destination_port { value: 9000 } })pb",
      TcpProxy("a"),
      R"pb(}
           filter_chains { name: "this-port" filter_chain_match { destination_port { value: 8443 } } )pb",
      TcpProxy("b"), "}"));
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  const Listener* l = (*snap)->FindListener("l");
  ASSERT_EQ(l->chains.size(), 1u);
  EXPECT_EQ(l->chains[0].name, "this-port");
}

TEST(Translate, RbacShapes) {
  Resources r;
  r.Cluster("name: 'c' type: STATIC");
  r.Listener(absl::StrCat(
      R"pb(
        name: "l"
        address { socket_address { address: "127.0.0.1" port_value: 1 } }
        filter_chains { filters {
          name: "rbac"
          typed_config {
            [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
              rules {
                action: DENY
                policies {
                  key: "p"
                  value {
                    permissions {
                      and_rules {
                        rules { requested_server_name { suffix: ".td" ignore_case: true } }
                        rules { not_rule { requested_server_name { exact: "x.td" } } }
                      }
                    }
                    permissions { or_rules { rules { any: true } } }
                    principals {
                      or_ids {
                        ids { not_id { authenticated { principal_name { contains: "/svc/db" } } } }
                        ids { and_ids { ids { any: true } } }
                      }
                    }
                  }
                }
              }
            }
          }
        })pb",
      TcpProxy("c"), "}"));
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  const RbacFilter& rbac = *(*snap)->FindListener("l")->chains[0].rbac();
  EXPECT_EQ(rbac.action, RbacFilter::Action::kDeny);
  ASSERT_EQ(rbac.policies.size(), 1u);
  const RbacPolicy& p = rbac.policies[0];
  ASSERT_EQ(p.permissions.size(), 2u);
  EXPECT_EQ(p.permissions[0].kind, RbacPermission::Kind::kAnd);
  ASSERT_EQ(p.permissions[0].rules.size(), 2u);
  EXPECT_EQ(p.permissions[0].rules[0].kind, RbacPermission::Kind::kRequestedServerName);
  EXPECT_TRUE(p.permissions[0].rules[0].server_name.Matches("API.TD"));
  EXPECT_EQ(p.permissions[0].rules[1].kind, RbacPermission::Kind::kNot);
  EXPECT_EQ(p.permissions[0].rules[1].rules[0].server_name.DebugString(), "exact:x.td");
  EXPECT_EQ(p.permissions[1].kind, RbacPermission::Kind::kOr);
  ASSERT_EQ(p.principals.size(), 1u);
  EXPECT_EQ(p.principals[0].kind, RbacPrincipal::Kind::kOr);
  ASSERT_EQ(p.principals[0].ids.size(), 2u);
  EXPECT_EQ(p.principals[0].ids[0].kind, RbacPrincipal::Kind::kNot);
  EXPECT_EQ(p.principals[0].ids[0].ids[0].principal_name.DebugString(), "contains:/svc/db");
  EXPECT_EQ(p.principals[0].ids[1].kind, RbacPrincipal::Kind::kAnd);
  EXPECT_EQ(p.principals[0].ids[1].ids[0].kind, RbacPrincipal::Kind::kAny);
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/meshgw-config-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string p = absl::StrCat(path_, "/", name);
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Translate, DataSourcesInlineFileAndEnvironment) {
  TempDir dir;
  const std::string ca = dir.Write("ca.pem", kCa);
  setenv("MESHGW_TEST_KEY", kKey, 1);
  Resources r;
  // Placeholders rather than split raw strings: clang-format re-indents text protos.
  r.Cluster(absl::StrReplaceAll(
      R"pb(
        name: "up"
        type: STATIC
        transport_socket {
          name: "tls"
          typed_config {
            [type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext] {
              common_tls_context {
                tls_certificates {
                  certificate_chain { inline_bytes: "LEAF" }
                  private_key { environment_variable: "MESHGW_TEST_KEY" }
                }
                validation_context {
                  trusted_ca { filename: "CA_FILE" }
                  match_typed_subject_alt_names {
                    san_type: DNS
                    matcher { exact: "gw.example" }
                  }
                }
                tls_params { cipher_suites: "ECDHE-ECDSA-AES128-GCM-SHA256" ecdh_curves: "X25519" }
                alpn_protocols: "h2"
                alpn_protocols: "http/1.1"
              }
            }
          }
        })pb",
      {{"\"LEAF\"", Q(kLeaf)}, {"CA_FILE", ca}}));
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 1);
  unsetenv("MESHGW_TEST_KEY");
  ASSERT_TRUE(snap.ok()) << snap.status();
  const UpstreamTls& tls = *(*snap)->FindCluster("up")->tls;
  EXPECT_EQ(tls.certificate->name,
            "transport_socket.typed_config.common_tls_context.tls_certificates[0]");
  EXPECT_EQ(tls.certificate->certificate_chain_pem, kLeaf);
  EXPECT_EQ(tls.certificate->private_key_pem, kKey);
  EXPECT_EQ(tls.trust->trusted_ca_pem, kCa);
  EXPECT_EQ(tls.trust->version, translate_internal::Hash64(kCa));
  EXPECT_EQ(tls.trust->name, "transport_socket.typed_config.common_tls_context.validation_context");
  ASSERT_EQ(tls.trust->match_sans.size(), 1u);
  EXPECT_EQ(tls.trust->match_sans[0].type, SanMatcher::Type::kDns);
  EXPECT_THAT(tls.params.cipher_suites, ElementsAre("ECDHE-ECDSA-AES128-GCM-SHA256"));
  EXPECT_THAT(tls.params.ecdh_curves, ElementsAre("X25519"));
  EXPECT_THAT(tls.alpn, ElementsAre("h2", "http/1.1"));
  EXPECT_EQ(tls.sni, "");
}

TEST(ReadConfigFile, OnlySmallRegularFiles) {
  TempDir dir;
  const std::string fifo = absl::StrCat(dir.path(), "/fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(translate_internal::ReadConfigFile(fifo).status().message(),
            absl::StrCat("cannot read \"", fifo, "\": not a regular file"));
  const std::string big = dir.Write("big.pem", std::string((1 << 20) + 1, 'x'));
  EXPECT_EQ(translate_internal::ReadConfigFile(big).status().message(),
            absl::StrCat("cannot read \"", big,
                         "\": 1048577 bytes, more than the 1 MiB a certificate file may have"));
  const std::string ok = dir.Write("ok.pem", std::string(1 << 20, 'y'));
  absl::StatusOr<std::string> data = translate_internal::ReadConfigFile(ok);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->size(), 1u << 20);
  EXPECT_EQ(translate_internal::ReadConfigFile(dir.path()).status().message(),
            absl::StrCat("cannot read \"", dir.path(), "\": not a regular file"));
}

TEST(Translate, TrustBundleVersionFollowsTheCa) {
  Resources a, b;
  a.Secret(
      absl::StrCat("name: 'b' validation_context { trusted_ca { inline_string: ", Q(kCa), " } }"));
  b.Secret(absl::StrCat("name: 'b' validation_context { trusted_ca { inline_string: ", Q(kLeaf),
                        " } }"));
  ResourceInput listener_in;
  for (Resources* r : {&a, &b}) {
    r->Cluster("name: 'c' type: STATIC");
    r->Listener(absl::StrCat(
        R"pb(
          name: "l"
          address { socket_address { address: "127.0.0.1" port_value: 1 } }
          filter_chains { transport_socket {
            typed_config {
              [type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext] {
                common_tls_context {
                  tls_certificates {
                    certificate_chain { inline_string: "c" }
                    private_key { inline_string: "k" }
                  }
                  validation_context_sds_secret_config { name: "b" }
                }
                disable_stateless_session_resumption: true
              }
            }
          })pb",
        TcpProxy("c"), "}"));
  }
  auto sa = Translate(a.in, 1);
  auto sb = Translate(b.in, 1);
  ASSERT_TRUE(sa.ok() && sb.ok());
  const DownstreamTls& ta = *(*sa)->FindListener("l")->chains[0].tls;
  const DownstreamTls& tb = *(*sb)->FindListener("l")->chains[0].tls;
  EXPECT_NE(ta.trust->version, tb.trust->version);
  EXPECT_EQ(ta.trust->version, translate_internal::Hash64(kCa));
  EXPECT_FALSE(ta.session_tickets);
  EXPECT_FALSE(ta.require_client_certificate);
  EXPECT_EQ(ta.params.min_version, TlsVersion::kAuto);
}

// ---- Errors ------------------------------------------------------------------------------------

// A listener with one chain whose filters/transport socket are `chain_body`.
std::string ListenerWith(const std::string& chain_body, const std::string& extra = "") {
  return absl::StrCat(R"pb(
                        name: "mesh"
                        address { socket_address { address: "0.0.0.0" port_value: 8443 } }
                        filter_chains { name: "c0")pb",
                      TcpProxy("api"), "}\n filter_chains { name: \"c1\" ", chain_body, "}", extra);
}

struct ErrorCase {
  const char* name;
  std::string listener;  // text of Listener "mesh", or ""
  std::string cluster;   // text of a Cluster, or ""
  std::string endpoints;
  std::string secret;
  std::string want;
};

class TranslateErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(TranslateErrorTest, NamesResourceAndField) {
  const ErrorCase& c = GetParam();
  Resources r;
  r.Cluster("name: 'api' type: STATIC");
  if (!c.listener.empty()) r.Listener(c.listener);
  if (!c.cluster.empty()) r.Cluster(c.cluster);
  if (!c.endpoints.empty()) r.Endpoints(c.endpoints);
  if (!c.secret.empty()) r.Secret(c.secret);
  EXPECT_EQ(Error(r), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    All, TranslateErrorTest,
    testing::Values(
        ErrorCase{"UnsupportedNetworkFilter",
                  ListenerWith(R"pb(filters {
                                      name: "envoy.filters.network.http_connection_manager"
                                      typed_config {
                                        [type.googleapis.com/envoy.extensions.filters.network
                                             .connection_limit.v3.ConnectionLimit] {}
                                      }
                                    })pb"),
                  "", "", "",
                  "Listener \"mesh\": filter_chains[1].filters[0]: the last filter of a chain must "
                  "be envoy.filters.network.tcp_proxy, not "
                  "\"envoy.filters.network.http_connection_manager\""},
        ErrorCase{"TcpProxyNotLast", ListenerWith(TcpProxy("api") + TcpProxy("api")), "", "", "",
                  "Listener \"mesh\": filter_chains[1].filters[0]: tcp_proxy must be the last "
                  "filter of its chain"},
        ErrorCase{"NoFilters", ListenerWith(""), "", "", "",
                  "Listener \"mesh\": filter_chains[1].filters: no filters"},
        ErrorCase{"ConnectionLimitZero",
                  ListenerWith(R"pb(filters {
                                      name: "cl"
                                      typed_config {
                                        [type.googleapis.com/envoy.extensions.filters.network
                                             .connection_limit.v3.ConnectionLimit] {}
                                      }
                                    })pb" +
                               TcpProxy("api")),
                  "", "", "",
                  "Listener \"mesh\": filter_chains[1].filters[0].typed_config.max_connections: "
                  "must be at least 1"},
        ErrorCase{
            "BadRegex",
            ListenerWith(
                R"pb(filters {
                       name: "rbac"
                       typed_config {
                         [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
                           rules {
                             policies {
                               key: "web"
                               value {
                                 permissions { any: true }
                                 principals {
                                   authenticated { principal_name { safe_regex { regex: "(" } } }
                                 }
                               }
                             }
                           }
                         }
                       }
                     })pb" +
                TcpProxy("api")),
            "", "", "",
            "Listener \"mesh\": filter_chains[1].filters[0].typed_config.rules.policies[\"web\"]"
            ".principals[0].authenticated.principal_name.safe_regex.regex: invalid regex \"(\": "
            "missing ): ("},
        ErrorCase{
            "RbacLog",
            ListenerWith(
                R"pb(filters {
                       name: "rbac"
                       typed_config {
                         [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
                           rules { action: LOG }
                         }
                       }
                     })pb" +
                TcpProxy("api")),
            "", "", "",
            "Listener \"mesh\": filter_chains[1].filters[0].typed_config.rules.action: LOG is "
            "not supported (ALLOW or DENY)"},
        ErrorCase{
            "PolicyWithoutPrincipals",
            ListenerWith(
                R"pb(filters {
                       name: "rbac"
                       typed_config {
                         [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
                           rules {
                             policies {
                               key: "p"
                               value { permissions { any: true } }
                             }
                           }
                         }
                       }
                     })pb" +
                TcpProxy("api")),
            "", "", "",
            "Listener \"mesh\": filter_chains[1].filters[0].typed_config.rules.policies[\"p\"]"
            ".principals: empty (a policy needs at least one principal; use any: true)"},
        ErrorCase{"TcpProxyWithoutCluster",
                  ListenerWith(R"pb(filters {
                                      name: "tcp"
                                      typed_config {
                                        [type.googleapis.com/
                                         envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy] {}
                                      }
                                    })pb"),
                  "", "", "",
                  "Listener \"mesh\": filter_chains[1].filters[0].typed_config.cluster: empty, and "
                  "the chain has no sni_cluster filter to name the cluster"},
        ErrorCase{"WeightedClusters",
                  ListenerWith(R"pb(filters {
                                      name: "tcp"
                                      typed_config {
                                        [type.googleapis.com/
                                         envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy] {
                                          weighted_clusters {
                                            clusters { name: "a" weight: 1 }
                                            clusters { name: "b" weight: 1 }
                                          }
                                        }
                                      }
                                    })pb"),
                  "", "", "",
                  "Listener \"mesh\": filter_chains[1].filters[0].typed_config.weighted_clusters"
                  ".clusters: 2 clusters; only a single weighted cluster is supported"},
        ErrorCase{
            "DuplicateRoute", ListenerWith(TcpProxy("api")), "", "", "",
            "Listener \"mesh\": filter_chains: filter chains 0 \"c0\" and 1 \"c1\" both match "
            "server name \"(any)\", transport protocol \"(any)\", ALPN \"(any)\""},
        ErrorCase{
            "PartialWildcard",
            ListenerWith("filter_chain_match { server_names: \"*w.td\" }" + TcpProxy("api")), "",
            "", "",
            "Listener \"mesh\": filter_chains: filter chain 1 \"c1\": server name \"*w.td\" is "
            "neither a DNS name nor \"*.\" followed by one (no partial wildcards)"},
        ErrorCase{
            "ListenerNotIp",
            R"pb(name: "mesh"
                 address { socket_address { address: "gw.local" port_value: 1 } })pb",
            "", "", "",
            "Listener \"mesh\": address.socket_address.address: address \"gw.local\" is not an "
            "IP literal"},
        ErrorCase{"ListenerNoChains",
                  R"pb(name: "mesh"
                       address { socket_address { address: "::" port_value: 1 } })pb",
                  "", "", "", "Listener \"mesh\": filter_chains: no filter chains"},
        ErrorCase{
            "UnsupportedListenerFilter",
            ListenerWith(TcpProxy("api"),
                         "listener_filters { name: \"envoy.filters.listener.http_inspector\" }"),
            "", "", "",
            "Listener \"mesh\": listener_filters[0]: unsupported listener filter "
            "\"envoy.filters.listener.http_inspector\" ()"},
        ErrorCase{
            "DownstreamWithoutCertificate",
            ListenerWith("filter_chain_match { server_names: \"a.td\" }" + TcpProxy("api") +
                         R"pb(transport_socket {
                                typed_config {
                                  [type.googleapis.com/envoy.extensions.transport_sockets.tls.v3
                                       .DownstreamTlsContext] {}
                                }
                              })pb"),
            "", "", "",
            "Listener \"mesh\": filter_chains[1].transport_socket.typed_config.common_tls_context: "
            "no certificate (tls_certificates or tls_certificate_sds_secret_configs): "
            "terminating TLS needs one"},
        ErrorCase{
            "RequireClientCertWithoutTrust",
            ListenerWith("filter_chain_match { server_names: \"a.td\" }" + TcpProxy("api") +
                         R"pb(transport_socket {
                                typed_config {
                                  [type.googleapis.com/
                                   envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext] {
                                    common_tls_context {
                                      tls_certificate_sds_secret_configs { name: "leaf" }
                                    }
                                    require_client_certificate { value: true }
                                  }
                                }
                              })pb"),
            "", "", "",
            "Listener \"mesh\": filter_chains[1].transport_socket.typed_config"
            ".require_client_certificate: a client certificate is required but the context "
            "has no validation context to verify it"},
        ErrorCase{
            "WrongTransportSocket",
            ListenerWith("filter_chain_match { server_names: \"a.td\" }" + TcpProxy("api") +
                         R"pb(transport_socket {
                                name: "up"
                                typed_config {
                                  [type.googleapis.com/
                                   envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext] {}
                                }
                              })pb"),
            "", "", "",
            "Listener \"mesh\": filter_chains[1].transport_socket.typed_config: unsupported "
            "transport socket \"up\" (type.googleapis.com/envoy.extensions.transport_sockets.tls"
            ".v3.UpstreamTlsContext); want envoy.extensions.transport_sockets.tls.v3"
            ".DownstreamTlsContext"},
        ErrorCase{
            "SecretOfTheWrongKind",
            ListenerWith(
                "filter_chain_match { server_names: \"a.td\" }" + TcpProxy("api") +
                R"pb(transport_socket {
                       typed_config {
                         [type.googleapis.com/
                          envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext] {
                           common_tls_context { tls_certificate_sds_secret_configs { name: "ca" } }
                         }
                       }
                     })pb"),
            "", "", "name: 'ca' validation_context { trusted_ca { inline_string: 'x' } }",
            "Listener \"mesh\": filter_chains[1].transport_socket.typed_config.common_tls_context"
            ".tls_certificate_sds_secret_configs[0]: Secret \"ca\" is a validation_context, not "
            "a tls_certificate"},
        ErrorCase{
            "TlsVersionsInverted",
            ListenerWith("filter_chain_match { server_names: \"a.td\" }" + TcpProxy("api") +
                         R"pb(transport_socket {
                                typed_config {
                                  [type.googleapis.com/
                                   envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext] {
                                    common_tls_context {
                                      tls_certificate_sds_secret_configs { name: "leaf" }
                                      tls_params {
                                        tls_minimum_protocol_version: TLSv1_3
                                        tls_maximum_protocol_version: TLSv1_2
                                      }
                                    }
                                  }
                                }
                              })pb"),
            "", "", "",
            "Listener \"mesh\": filter_chains[1].transport_socket.typed_config.common_tls_context"
            ".tls_params: tls_minimum_protocol_version TLSv1_3 is above "
            "tls_maximum_protocol_version TLSv1_2"},
        ErrorCase{
            "EmailSan",
            ListenerWith("filter_chain_match { server_names: \"a.td\" }" + TcpProxy("api") +
                         R"pb(transport_socket {
                                typed_config {
                                  [type.googleapis.com/
                                   envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext] {
                                    common_tls_context {
                                      tls_certificate_sds_secret_configs { name: "leaf" }
                                      validation_context {
                                        trusted_ca { inline_string: "ca" }
                                        match_typed_subject_alt_names {
                                          san_type: EMAIL
                                          matcher { exact: "a@b" }
                                        }
                                      }
                                    }
                                  }
                                }
                              })pb"),
            "", "", "",
            "Listener \"mesh\": filter_chains[1].transport_socket.typed_config.common_tls_context"
            ".validation_context.match_typed_subject_alt_names[0].san_type: EMAIL is not "
            "supported (URI or DNS)"},
        ErrorCase{
            "ValidationWithoutCa",
            ListenerWith("filter_chain_match { server_names: \"a.td\" }" + TcpProxy("api") +
                         R"pb(transport_socket {
                                typed_config {
                                  [type.googleapis.com/
                                   envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext] {
                                    common_tls_context {
                                      tls_certificate_sds_secret_configs { name: "leaf" }
                                      validation_context {
                                        match_typed_subject_alt_names {
                                          san_type: URI
                                          matcher { exact: "x" }
                                        }
                                      }
                                    }
                                  }
                                }
                              })pb"),
            "", "", "",
            "Listener \"mesh\": filter_chains[1].transport_socket.typed_config.common_tls_context"
            ".validation_context: no trusted_ca: verifying peers without a CA is not possible "
            "(set trusted_ca, or trust_chain_verification ACCEPT_UNTRUSTED)"},
        ErrorCase{"ClusterType", "", "name: 'x' type: STRICT_DNS", "", "",
                  "Cluster \"x\": type: STRICT_DNS is not supported (EDS or STATIC)"},
        ErrorCase{
            "ClusterLbPolicy", "", "name: 'x' type: EDS lb_policy: MAGLEV", "", "",
            "Cluster \"x\": lb_policy: MAGLEV is not supported (ROUND_ROBIN, LEAST_REQUEST or "
            "RANDOM)"},
        ErrorCase{"ClusterZeroConnectTimeout", "",
                  "name: 'x' type: EDS connect_timeout { nanos: 0 }", "", "",
                  "Cluster \"x\": connect_timeout: must be above zero"},
        ErrorCase{"EdsNotAds", "", "name: 'x' type: EDS eds_cluster_config { eds_config {} }", "",
                  "",
                  "Cluster \"x\": eds_cluster_config.eds_config: only ads (the aggregated stream) "
                  "is supported"},
        ErrorCase{"OutlierEjectionTimes", "",
                  R"pb(name: 'x'
                       type: EDS
                       outlier_detection {
                         base_ejection_time { seconds: 60 }
                         max_ejection_time { seconds: 10 }
                       })pb",
                  "", "",
                  "Cluster \"x\": outlier_detection.max_ejection_time: 10s is below "
                  "base_ejection_time 1m"},
        ErrorCase{"OutlierPercent", "",
                  "name: 'x' type: EDS outlier_detection { max_ejection_percent { value: 101 } }",
                  "", "",
                  "Cluster \"x\": outlier_detection.max_ejection_percent: 101 is above 100"},
        ErrorCase{"StaticEndpointNotIp", "",
                  R"pb(name: 'x'
                       load_assignment {
                         endpoints {
                           lb_endpoints {
                             endpoint {
                               address { socket_address { address: "db.local" port_value: 5432 } }
                             }
                           }
                         }
                       })pb",
                  "", "",
                  "Cluster \"x\": load_assignment.endpoints[0].lb_endpoints[0].endpoint.address"
                  ".socket_address.address: address \"db.local\" is not an IP literal"},
        ErrorCase{
            "EdsEndpointWeightZero", "", "name: 'x' type: EDS",
            R"pb(cluster_name: 'x'
                 endpoints {
                   lb_endpoints {
                     endpoint { address { socket_address { address: "10.0.0.1" port_value: 1 } } }
                     load_balancing_weight { value: 0 }
                   }
                 })pb",
            "",
            "ClusterLoadAssignment \"x\": endpoints[0].lb_endpoints[0].load_balancing_weight: "
            "must be at least 1"},
        ErrorCase{"EdsEndpointPort", "", "name: 'x' type: EDS",
                  R"pb(cluster_name: 'x'
                       endpoints {
                         lb_endpoints {
                           endpoint {
                             address { socket_address { address: "10.0.0.1" port_value: 70000 } }
                           }
                         }
                       })pb",
                  "",
                  "ClusterLoadAssignment \"x\": endpoints[0].lb_endpoints[0].endpoint.address"
                  ".socket_address.port_value: port 70000 is out of range (0-65535)"},
        ErrorCase{"SecretMissingFile", "", "", "",
                  "name: 's' validation_context { trusted_ca { filename: '/nonexistent/ca.pem' } }",
                  "Secret \"s\": validation_context.trusted_ca.filename: cannot read "
                  "\"/nonexistent/ca.pem\": No such file or directory"},
        ErrorCase{"SecretFromADevice", "", "", "",
                  "name: 's' validation_context { trusted_ca { filename: '/dev/zero' } }",
                  "Secret \"s\": validation_context.trusted_ca.filename: cannot read "
                  "\"/dev/zero\": not a regular file"},
        ErrorCase{
            "SecretUnsetEnvironment", "", "", "",
            "name: 's' tls_certificate { certificate_chain { inline_string: 'c' } private_key "
            "{ environment_variable: 'MESHGW_TEST_UNSET_VARIABLE' } }",
            "Secret \"s\": tls_certificate.private_key.environment_variable: "
            "\"MESHGW_TEST_UNSET_VARIABLE\" is not set"},
        ErrorCase{
            "SecretEmpty", "", "", "", "name: 's'",
            "Secret \"s\": type: no tls_certificate or validation_context (the only supported "
            "kinds)"}),
    [](const testing::TestParamInfo<ErrorCase>& info) { return std::string(info.param.name); });

TEST(Translate, StaticOriginLeadsErrors) {
  Resources r;
  r.origin = "gateway.hcl:12:3";
  r.Cluster("name: 'x' type: STRICT_DNS");
  EXPECT_EQ(Error(r),
            "gateway.hcl:12:3: Cluster \"x\": type: STRICT_DNS is not supported (EDS or "
            "STATIC)");
}

TEST(Translate, ResourceFiledUnderAnotherName) {
  Resources r;
  r.Cluster("name: 'x' type: EDS");
  r.in.clusters["y"] = r.in.clusters["x"];
  EXPECT_EQ(Error(r), "Cluster \"y\": name: \"x\" differs from the resource name");
  Resources wrong_type;
  wrong_type.Secret("name: 's' validation_context { trusted_ca { inline_string: 'x' } }");
  wrong_type.in.clusters["s"] = wrong_type.in.secrets["s"];
  EXPECT_EQ(Error(wrong_type),
            "Cluster \"s\": resource: type "
            "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret is not "
            "envoy.config.cluster.v3.Cluster");
}

// ---- ValidateResource --------------------------------------------------------------------------

TEST(ValidateResource, SameChecksAsTranslateOnOneResource) {
  auto listener = Parse<listener_pb::Listener>(ListenerWith(TcpProxy("other")));
  // Fine alone: the cluster "api" it names is simply not there yet.
  EXPECT_TRUE(
      ValidateResource(xds::kListenerType, "mesh",
                       *Pack(Parse<listener_pb::Listener>(absl::StrCat(
                           R"pb(
                             name: "mesh"
                             address { socket_address { address: "0.0.0.0" port_value: 8443 } }
                             filter_chains {)pb",
                           TcpProxy("api"), "}"))))
          .ok());
  // What only translation finds: two chains with the same match.
  EXPECT_EQ(ValidateResource(xds::kListenerType, "mesh", *Pack(listener)).message(),
            "filter_chains: filter chains 0 \"c0\" and 1 \"c1\" both match server name \"(any)\", "
            "transport protocol \"(any)\", ALPN \"(any)\"");
  // What xds/validate.h finds comes with its own words.
  EXPECT_EQ(ValidateResource(xds::kListenerType, "other", *Pack(listener)).message(),
            "name: \"mesh\" differs from the resource name");
  auto cla = Parse<endpoint_pb::ClusterLoadAssignment>(R"pb(
    cluster_name: "x"
    endpoints {
      lb_endpoints { endpoint { address { socket_address { address: "db.local" port_value: 1 } } } }
    })pb");
  EXPECT_EQ(ValidateResource(xds::kEndpointType, "x", *Pack(cla)).message(),
            "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: address "
            "\"db.local\" is not an IP literal");
  auto cluster = Parse<cluster_pb::Cluster>(R"pb(
    name: "x"
    type: EDS
    transport_socket {
      typed_config {
        [type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext] {
          common_tls_context { tls_certificate_sds_secret_configs { name: "absent" } }
        }
      }
    })pb");
  EXPECT_TRUE(ValidateResource(xds::kClusterType, "x", *Pack(cluster)).ok());
  EXPECT_EQ(
      ValidateResource(xds::kSecretType, "s",
                       *Pack(Parse<tls_pb::Secret>(
                           "name: 's' validation_context { trusted_ca { filename: '/nope' } }")))
          .message(),
      "validation_context.trusted_ca.filename: cannot read \"/nope\": No such file or "
      "directory");
  EXPECT_EQ(ValidateResource("type.googleapis.com/x.Y", "s", google::protobuf::Any()).message(),
            "unsupported resource type type.googleapis.com/x.Y");
}

TEST(AddResources, SharesTheXdsResources) {
  xds::ResourceMap map;
  auto made = xds::MakeResource(Parse<cluster_pb::Cluster>("name: 'c' type: EDS"));
  ASSERT_TRUE(made.ok());
  map["c"] = *made;
  TranslateInput in;
  AddResources(map, "xds", &in.clusters);
  ASSERT_EQ(in.clusters.size(), 1u);
  EXPECT_EQ(in.clusters["c"].resource.get(), &(*made)->body);
  EXPECT_EQ(in.clusters["c"].version, (*made)->version);
  EXPECT_EQ(in.clusters["c"].origin, "xds");
  absl::StatusOr<SnapshotPtr> snap = Translate(in, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->resource_versions.at("Cluster/c"), (*made)->version);
}

// ---- Cache and scale ---------------------------------------------------------------------------

TEST(Translator, ReusesWhatDidNotChange) {
  Translator t;
  Resources r = ConsulMeshGateway();
  auto first = t.Translate(r.in, 1);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(t.last_decoded(), 2u + 4u + 1u);  // secrets always, 4 clusters, 1 listener

  auto same = t.Translate(r.in, 2);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(t.last_decoded(), 2u);
  EXPECT_EQ((*same)->clusters.at("public-api"), (*first)->clusters.at("public-api"));

  // A new assignment for one cluster: only that cluster is decoded again.
  r.Endpoints(
      R"pb(cluster_name: "dc2-gateways"
           endpoints {
             lb_endpoints {
               endpoint { address { socket_address { address: "127.0.2.2" port_value: 8443 } } }
             }
           })pb");
  auto eds = t.Translate(r.in, 3);
  ASSERT_TRUE(eds.ok());
  EXPECT_EQ(t.last_decoded(), 3u);
  EXPECT_EQ((*eds)->FindCluster("dc2.internal.td1")->priorities[0].endpoints[0].address.ToString(),
            "127.0.2.2:8443");
  EXPECT_EQ((*eds)->clusters.at("public-api"), (*first)->clusters.at("public-api"));
  // The listener did not change: the new snapshot holds the same object, not a copy.
  EXPECT_EQ((*eds)->listeners.at("mesh"), (*first)->listeners.at("mesh"));
  EXPECT_EQ((*eds)->FindListener("mesh"), (*first)->FindListener("mesh"));

  // A new CA: what uses the bundle (the egress cluster and the listener) is decoded again.
  r.Secret(absl::StrCat(
      "name: 'peer-bundle' validation_context { trusted_ca { inline_string: ", Q(kLeaf), " } }"));
  auto ca = t.Translate(r.in, 4);
  ASSERT_TRUE(ca.ok());
  EXPECT_EQ(t.last_decoded(), 2u + 1u + 1u);
  EXPECT_EQ((*ca)->FindListener("mesh")->chains[0].tls->trust->trusted_ca_pem, kLeaf);
  EXPECT_NE((*ca)->listeners.at("mesh"), (*first)->listeners.at("mesh"));
  // The earlier snapshot's listener outlives the cache entry it came from.
  EXPECT_EQ((*first)->FindListener("mesh")->chains[0].tls->trust->trusted_ca_pem, kCa);
  EXPECT_EQ((*ca)->FindCluster("egress~public-api")->tls->trust->trusted_ca_pem, kLeaf);
  EXPECT_EQ((*ca)->clusters.at("public-api"), (*first)->clusters.at("public-api"));

  // An error leaves the cache as it was.
  Resources bad = r;
  bad.Cluster("name: 'public-api' type: STRICT_DNS");
  EXPECT_FALSE(t.Translate(bad.in, 5).ok());
  auto again = t.Translate(r.in, 6);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(t.last_decoded(), 2u);
}

// 10,000 EDS clusters with their assignments and a listener with a chain for each: the scale of a
// large peering. Checked for correctness here; bench/micro/snapshot_translate_bench.cc times it.
TEST(Translator, TenThousandClustersAndChains) {
  constexpr int kN = 10000;
  Resources r;
  listener_pb::Listener l = Parse<listener_pb::Listener>(
      R"pb(name: "mesh"
           address { socket_address { address: "0.0.0.0" port_value: 8443 } })pb");
  for (int i = 0; i < kN; ++i) {
    const std::string name = absl::StrCat("svc", i, ".default.default.dc2.external.td");
    cluster_pb::Cluster c;
    c.set_name(name);
    c.set_type(cluster_pb::Cluster::EDS);
    r.in.clusters[name] = {Pack(c), "v1", "xds"};
    endpoint_pb::ClusterLoadAssignment cla;
    cla.set_cluster_name(name);
    auto* sa = cla.add_endpoints()
                   ->add_lb_endpoints()
                   ->mutable_endpoint()
                   ->mutable_address()
                   ->mutable_socket_address();
    sa->set_address(absl::StrCat("10.", i / 256 % 256, ".", i % 256, ".1"));
    sa->set_port_value(20000);
    r.in.endpoints[name] = {Pack(cla), "v1", "xds"};
    listener_pb::FilterChain* chain = l.add_filter_chains();
    chain->set_name(name);
    chain->mutable_filter_chain_match()->add_server_names(name);
    *chain->add_filters() = Parse<listener_pb::FilterChain>(TcpProxy(name)).filters(0);
  }
  r.in.listeners["mesh"] = {Pack(l), "v1", "xds"};
  Translator t;
  auto snap = t.Translate(r.in, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_TRUE((*snap)->complete);
  EXPECT_EQ((*snap)->clusters.size(), static_cast<size_t>(kN));
  const Listener* mesh = (*snap)->FindListener("mesh");
  ASSERT_EQ(mesh->chains.size(), static_cast<size_t>(kN));
  EXPECT_EQ(
      mesh->ChainFor("svc9999.default.default.dc2.external.td", {}, route::TransportProtocol::kTls)
          ->tcp_proxy()
          .cluster,
      "svc9999.default.default.dc2.external.td");
  EXPECT_EQ((*snap)
                ->FindCluster("svc4242.default.default.dc2.external.td")
                ->priorities[0]
                .endpoints[0]
                .address.ToString(),
            "10.16.146.1:20000");
  // One cluster changes: one cluster is decoded again.
  const std::string changed = r.in.clusters.begin()->first;
  cluster_pb::Cluster c;
  ASSERT_TRUE(r.in.clusters.at(changed).resource->UnpackTo(&c));
  c.mutable_connect_timeout()->set_seconds(2);
  r.in.clusters[changed].resource = Pack(c);
  auto next = t.Translate(r.in, 2);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(t.last_decoded(), 1u);
  EXPECT_EQ((*next)->FindCluster(changed)->connect_timeout, absl::Seconds(2));
}

// ---- Per-endpoint transport sockets (Cluster.transport_socket_matches)
// ---------------------------

// A failover cluster as the control component sends it: local instances in plain TCP at priority
// 0, a peer's gateways over mTLS at priority 1, picked by the endpoints' metadata.
Resources FailoverCluster() {
  Resources r;
  r.Secret(absl::StrCat("name: 'leaf' tls_certificate { certificate_chain { inline_string: ",
                        Q(kLeaf), " } private_key { inline_string: ", Q(kKey), " } }"));
  r.Secret(absl::StrCat("name: 'bundle' validation_context { trusted_ca { inline_string: ", Q(kCa),
                        " } }"));
  const std::string upstream_tls = R"pb(
    name: "envoy.transport_sockets.tls"
    typed_config {
      [type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext] {
        common_tls_context {
          tls_certificate_sds_secret_configs {
            name: "leaf"
            sds_config { ads {} }
          }
          validation_context_sds_secret_config {
            name: "bundle"
            sds_config { ads {} }
          }
        }
        sni: "%SNI%"
      }
    })pb";
  r.Cluster(absl::StrCat(R"pb(name: "egress"
                              type: EDS
                              eds_cluster_config { eds_config { ads {} } }
                              transport_socket_matches { name: "peer:dc2"
                                                         match {
                                                           fields {
                                                             key: "peer"
                                                             value { string_value: "dc2" }
                                                           }
                                                         }
                                                         transport_socket {)pb",
                         absl::StrReplaceAll(upstream_tls, {{"%SNI%", "api.dc2"}}), R"pb(}
                                                                                         }
                              transport_socket_matches {
                                name: "peer:dc3"
                                match { fields { key: "peer" value { string_value: "dc3" } } }
                                transport_socket {)pb",
                         absl::StrReplaceAll(upstream_tls, {{"%SNI%", "api.dc3"}}), "} }"));
  r.Endpoints(R"pb(
    cluster_name: "egress"
    endpoints {
      priority: 0
      lb_endpoints {
        endpoint { address { socket_address { address: "127.0.1.21" port_value: 9090 } } }
      }
    }
    endpoints {
      priority: 1
      lb_endpoints {
        endpoint { address { socket_address { address: "127.0.2.2" port_value: 8443 } } }
        metadata {
          filter_metadata {
            key: "envoy.transport_socket_match"
            value {
              fields {
                key: "peer"
                value { string_value: "dc2" }
              }
            }
          }
        }
      }
    }
    endpoints {
      priority: 2
      lb_endpoints {
        endpoint { address { socket_address { address: "127.0.3.2" port_value: 8443 } } }
        metadata {
          filter_metadata {
            key: "envoy.transport_socket_match"
            value {
              fields {
                key: "peer"
                value { string_value: "dc3" }
              }
              fields {
                key: "extra"
                value { bool_value: true }
              }
            }
          }
        }
      }
      lb_endpoints {
        endpoint { address { socket_address { address: "127.0.4.2" port_value: 8443 } } }
        metadata {
          filter_metadata {
            key: "envoy.transport_socket_match"
            value {
              fields {
                key: "peer"
                value { string_value: "dc4" }
              }
            }
          }
        }
      }
    })pb");
  return r;
}

TEST(TransportSocketMatches, EachEndpointGetsItsTransportSocket) {
  Resources r = FailoverCluster();
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_TRUE((*snap)->complete) << absl::StrJoin((*snap)->missing, "; ");
  const Cluster* c = (*snap)->FindCluster("egress");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->tls.has_value());
  ASSERT_EQ(c->transport_socket_matches.size(), 2u);
  EXPECT_EQ(c->transport_socket_matches[0].name, "peer:dc2");
  EXPECT_THAT(c->transport_socket_matches[0].criteria,
              ElementsAre(std::pair<std::string, std::string>("peer", "\"dc2\"")));
  ASSERT_EQ(c->priorities.size(), 3u);
  // Local instance: no metadata, no cluster TLS: plain TCP.
  const Endpoint& local = c->priorities[0].endpoints[0];
  EXPECT_EQ(local.transport_socket_match, -1);
  EXPECT_EQ(c->TlsFor(local), nullptr);
  // dc2's gateway: the first match, with its SNI and the resolved SDS material.
  const Endpoint& dc2 = c->priorities[1].endpoints[0];
  EXPECT_EQ(dc2.transport_socket_match, 0);
  ASSERT_NE(c->TlsFor(dc2), nullptr);
  EXPECT_EQ(c->TlsFor(dc2)->sni, "api.dc2");
  EXPECT_EQ(c->TlsFor(dc2)->certificate->certificate_chain_pem, kLeaf);
  EXPECT_EQ(c->TlsFor(dc2)->trust->trusted_ca_pem, kCa);
  // Extra labels on the endpoint do not matter: every field of the match must be there.
  const Endpoint& dc3 = c->priorities[2].endpoints[0];
  EXPECT_EQ(dc3.transport_socket_match, 1);
  EXPECT_EQ(c->TlsFor(dc3)->sni, "api.dc3");
  // Metadata that matches no entry: the cluster's default (here plain TCP).
  const Endpoint& dc4 = c->priorities[2].endpoints[1];
  EXPECT_EQ(dc4.transport_socket_match, -1);
  EXPECT_EQ(c->TlsFor(dc4), nullptr);
}

TEST(TransportSocketMatches, FirstMatchWinsEmptyMatchesAllDefaultIsTheClusterTls) {
  Resources r;
  r.Cluster(absl::StrCat(R"pb(
    name: "c"
    type: STATIC
    transport_socket {
      name: "tls"
      typed_config {
        [type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext] {
          sni: "default.sni"
        }
      }
    }
    transport_socket_matches {
      name: "plain"
      match {
        fields {
          key: "plain"
          value { bool_value: true }
        }
      }
    }
    transport_socket_matches {
      name: "number"
      match {
        fields {
          key: "n"
          value { number_value: 2 }
        }
      }
      transport_socket {
        name: "tls"
        typed_config {
          [type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext] {
            sni: "number.sni"
          }
        }
      }
    }
    load_assignment {
      endpoints {
        lb_endpoints {
          endpoint { address { socket_address { address: "127.0.0.1" port_value: 1 } } }
        }
        lb_endpoints {
          endpoint { address { socket_address { address: "127.0.0.1" port_value: 2 } } }
          metadata {
            filter_metadata {
              key: "envoy.transport_socket_match"
              value {
                fields {
                  key: "plain"
                  value { bool_value: true }
                }
                fields {
                  key: "n"
                  value { number_value: 2 }
                }
              }
            }
          }
        }
        lb_endpoints {
          endpoint { address { socket_address { address: "127.0.0.1" port_value: 3 } } }
          metadata {
            filter_metadata {
              key: "envoy.transport_socket_match"
              value {
                fields {
                  key: "n"
                  value { number_value: 2 }
                }
              }
            }
          }
        }
        lb_endpoints {
          endpoint { address { socket_address { address: "127.0.0.1" port_value: 4 } } }
          metadata {
            filter_metadata {
              key: "other.filter"
              value {
                fields {
                  key: "plain"
                  value { bool_value: true }
                }
              }
            }
          }
        }
      }
    })pb"));
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  const Cluster* c = (*snap)->FindCluster("c");
  const std::vector<Endpoint>& eps = c->priorities[0].endpoints;
  ASSERT_EQ(eps.size(), 4u);
  EXPECT_EQ(eps[0].transport_socket_match, -1);
  EXPECT_EQ(c->TlsFor(eps[0])->sni, "default.sni");
  EXPECT_EQ(eps[1].transport_socket_match, 0);  // both match: the first wins (plain TCP)
  EXPECT_EQ(c->TlsFor(eps[1]), nullptr);
  EXPECT_EQ(eps[2].transport_socket_match, 1);
  EXPECT_EQ(c->TlsFor(eps[2])->sni, "number.sni");
  EXPECT_EQ(eps[3].transport_socket_match, -1);  // another filter's metadata does not count
  EXPECT_EQ(c->TlsFor(eps[3])->sni, "default.sni");

  // An empty match matches every endpoint, metadata or not.
  Resources all;
  all.Cluster(R"pb(
    name: "c"
    type: STATIC
    transport_socket_matches { name: "everything" }
    load_assignment {
      endpoints {
        lb_endpoints {
          endpoint { address { socket_address { address: "127.0.0.1" port_value: 1 } } }
        }
      }
    })pb");
  absl::StatusOr<SnapshotPtr> every = Translate(all.in, 1);
  ASSERT_TRUE(every.ok()) << every.status();
  EXPECT_EQ((*every)->FindCluster("c")->priorities[0].endpoints[0].transport_socket_match, 0);
}

TEST(TransportSocketMatches, ErrorsNameTheEntry) {
  Resources r;
  r.Cluster(R"pb(name: "c"
                 type: STATIC
                 transport_socket_matches {})pb");
  EXPECT_EQ(Error(r), "Cluster \"c\": transport_socket_matches[0].name: empty");
  Resources dup;
  dup.Cluster(R"pb(name: "c"
                   type: STATIC
                   transport_socket_matches { name: "a" }
                   transport_socket_matches { name: "a" })pb");
  EXPECT_EQ(Error(dup),
            "Cluster \"c\": transport_socket_matches[1].name: \"a\" is used by an earlier entry");
  Resources bad;
  bad.Cluster(R"pb(
    name: "c"
    type: STATIC
    transport_socket_matches {
      name: "a"
      transport_socket {
        name: "raw"
        typed_config {
          [type.googleapis.com/envoy.extensions.filters.network.sni_cluster.v3.SniCluster] {}
        }
      }
    })pb");
  EXPECT_THAT(Error(bad), testing::StartsWith("Cluster \"c\": transport_socket_matches[0]"
                                              ".transport_socket.typed_config: unsupported "
                                              "transport socket \"raw\""));
  // The per-resource validator (what the xDS client NACKs with) says the same.
  cluster_pb::Cluster proto = Parse<cluster_pb::Cluster>(R"pb(name: "c"
                                                              type: STATIC
                                                              transport_socket_matches {})pb");
  google::protobuf::Any any;
  any.PackFrom(proto);
  absl::Status v = ValidateResource(xds::kClusterType, "c", any);
  EXPECT_EQ(v.message(), "transport_socket_matches[0].name: empty");
}

// A SDS secret named only by a transport socket match counts for completeness like any other.
TEST(TransportSocketMatches, MissingSecretOfAMatchIsReported) {
  Resources r = FailoverCluster();
  r.in.secrets.erase("bundle");
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_FALSE((*snap)->complete);
  EXPECT_THAT((*snap)->missing, ElementsAre("Secret \"bundle\" referenced by Cluster \"egress\"",
                                            "Secret \"bundle\" referenced by Cluster \"egress\""));
}

// ---- ECDS: the network RBAC filter's configuration as a TypedExtensionConfig -------------------

constexpr char kRbacType[] = "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC";

// The RBAC of Consul's intentions for "api": web (by regex) and admin allowed.
constexpr char kIntentionsRbac[] = R"pb(
  [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
    stat_prefix: "api"
    rules {
      action: ALLOW
      policies {
        key: "web"
        value {
          permissions { any: true }
          principals {
            authenticated {
              principal_name { safe_regex { regex: "^spiffe://td2/ns/default/dc/[^/]+/svc/web$" } }
            }
          }
        }
      }
      policies {
        key: "admin"
        value {
          permissions { any: true }
          principals { authenticated { principal_name { exact: "spiffe://td2/svc/admin" } } }
        }
      }
    }
  })pb";

// A chain "api" whose first filter takes its configuration over ECDS; `extra` goes into the
// ExtensionConfigSource (a default_config, other type_urls...).
std::string DiscoveredListener(const std::string& extra = "",
                               const std::string& type_urls = absl::StrCat("type_urls: \"",
                                                                           kRbacType, "\"")) {
  return absl::StrCat(R"pb(
                        name: "mesh"
                        address { socket_address { address: "0.0.0.0" port_value: 8443 } }
                        filter_chains { name: "api"
                                        filters { name: "intentions~api"
                                                  config_discovery { config_source {
                                                    ads {}
                                                    resource_api_version: V3
                                                  }
                      )pb",
                      type_urls, extra, "}}", TcpProxy("api"), "}");
}

std::string IntentionsConfig(const std::string& rbac = kIntentionsRbac) {
  return absl::StrCat("name: 'intentions~api' typed_config { ", rbac, " }");
}

// The same chain with the RBAC inline, as before ECDS.
std::string InlineListener() {
  return absl::StrCat(
      R"pb(
        name: "mesh"
        address { socket_address { address: "0.0.0.0" port_value: 8443 } }
        filter_chains { name: "api"
                        filters { name: "envoy.filters.network.rbac" typed_config {)pb",
      kIntentionsRbac, "}}", TcpProxy("api"), "}");
}

// What the data path sees of an RBAC filter, for comparing two translations.
std::string Describe(const RbacFilter& rbac) {
  std::string out = absl::StrCat(rbac.action == RbacFilter::Action::kAllow ? "ALLOW" : "DENY",
                                 " prefix=", rbac.stat_prefix);
  for (const RbacPolicy& p : rbac.policies) {
    absl::StrAppend(&out, " ", p.name, "[");
    for (const RbacPrincipal& id : p.principals) {
      absl::StrAppend(&out, static_cast<int>(id.kind), ":", id.principal_name.DebugString(), ";");
    }
    for (const RbacPermission& perm : p.permissions) {
      absl::StrAppend(&out, static_cast<int>(perm.kind), ";");
    }
    absl::StrAppend(&out, "]");
  }
  return out;
}

TEST(Ecds, DiscoveredFilterIsTranslatedLikeTheInlineOne) {
  Resources inline_rbac;
  inline_rbac.Cluster("name: 'api' type: STATIC").Listener(InlineListener());
  absl::StatusOr<SnapshotPtr> want = Translate(inline_rbac.in, 1);
  ASSERT_TRUE(want.ok()) << want.status();

  Resources r;
  r.Cluster("name: 'api' type: STATIC")
      .Listener(DiscoveredListener())
      .ExtensionConfig(IntentionsConfig());
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_TRUE((*snap)->complete) << absl::StrJoin((*snap)->missing, "; ");
  const FilterChain& chain = (*snap)->FindListener("mesh")->chains[0];
  const RbacFilter* rbac = (*snap)->RbacFor(chain);
  ASSERT_NE(rbac, nullptr);
  EXPECT_EQ(Describe(*rbac), Describe(*(*want)->FindListener("mesh")->chains[0].rbac()));
  EXPECT_EQ(Describe(*rbac),
            "ALLOW prefix=api admin[1:exact:spiffe://td2/svc/admin;0;] "
            "web[1:regex:^spiffe://td2/ns/default/dc/[^/]+/svc/web$;0;]");
  EXPECT_EQ(rbac->config_name, "intentions~api");
  EXPECT_FALSE(rbac->config_missing);
  EXPECT_EQ(chain.filters.size(), 2u);
  ASSERT_EQ((*snap)->extension_configs.count("intentions~api"), 1u);
  // The chain names the configuration; the snapshot holds it once.
  EXPECT_EQ((*snap)->extension_configs.at("intentions~api").get(), rbac);
  ASSERT_NE(chain.rbac(), nullptr);
  EXPECT_TRUE(chain.rbac()->discovered);
  EXPECT_EQ((*snap)->resource_versions.at("TypedExtensionConfig/intentions~api"), "v1");
}

TEST(Ecds, AbsentConfigMakesTheSnapshotIncompleteAndTheChainDenyAll) {
  Resources r;
  r.Cluster("name: 'api' type: STATIC").Listener(DiscoveredListener());
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_FALSE((*snap)->complete);
  EXPECT_THAT((*snap)->missing,
              ElementsAre("TypedExtensionConfig \"intentions~api\" referenced by chain \"api\" "
                          "of Listener \"mesh\""));
  const RbacFilter* rbac = (*snap)->RbacFor((*snap)->FindListener("mesh")->chains[0]);
  ASSERT_NE(rbac, nullptr);  // the chain keeps an RBAC stage: no connection skips authorization
  EXPECT_TRUE(rbac->config_missing);
  EXPECT_EQ(rbac->config_name, "intentions~api");
  EXPECT_EQ(rbac->action, RbacFilter::Action::kAllow);  // ALLOW with no policies denies all
  EXPECT_TRUE(rbac->policies.empty());
}

TEST(Ecds, AbsentConfigWithDefaultUsesTheDefault) {
  Resources r;
  r.Cluster("name: 'api' type: STATIC")
      .Listener(DiscoveredListener(absl::StrCat("default_config { ", kIntentionsRbac, " }")));
  absl::StatusOr<SnapshotPtr> snap = Translate(r.in, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_TRUE((*snap)->complete) << absl::StrJoin((*snap)->missing, "; ");
  const RbacFilter* rbac = (*snap)->RbacFor((*snap)->FindListener("mesh")->chains[0]);
  ASSERT_NE(rbac, nullptr);
  EXPECT_FALSE(rbac->config_missing);
  EXPECT_EQ(rbac->policies.size(), 2u);

  // Once the configuration arrives it replaces the default.
  r.ExtensionConfig(
      IntentionsConfig(R"pb(
        [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
          rules { action: DENY }
        })pb"));
  snap = Translate(r.in, 2);
  ASSERT_TRUE(snap.ok()) << snap.status();
  rbac = (*snap)->RbacFor((*snap)->FindListener("mesh")->chains[0]);
  EXPECT_EQ(rbac->action, RbacFilter::Action::kDeny);
  EXPECT_TRUE(rbac->policies.empty());
}

TEST(Ecds, ChangedConfigIsNotServedStaleByTheCache) {
  Translator t;
  Resources r;
  r.Cluster("name: 'api' type: STATIC").Listener(DiscoveredListener());
  auto absent = t.Translate(r.in, 1);
  ASSERT_TRUE(absent.ok()) << absent.status();
  EXPECT_TRUE((*absent)->RbacFor((*absent)->FindListener("mesh")->chains[0])->config_missing);

  // Arrives: only the configuration is decoded; the listener, unchanged, names it.
  r.ExtensionConfig(IntentionsConfig());
  auto arrived = t.Translate(r.in, 2);
  ASSERT_TRUE(arrived.ok()) << arrived.status();
  EXPECT_TRUE((*arrived)->complete);
  EXPECT_EQ(t.last_decoded(), 1u);  // the config; not the listener, not the cluster
  EXPECT_EQ((*arrived)->FindListener("mesh"), (*absent)->FindListener("mesh"));
  EXPECT_EQ((*arrived)->RbacFor((*arrived)->FindListener("mesh")->chains[0])->policies.size(), 2u);

  // Nothing changed: nothing is decoded.
  ASSERT_TRUE(t.Translate(r.in, 3).ok());
  EXPECT_EQ(t.last_decoded(), 0u);

  // An intention changes (web removed): same listener resource, new decision.
  const std::string listener_before = r.in.listeners.at("mesh").resource->value();
  r.ExtensionConfig(IntentionsConfig(R"pb(
    [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
      stat_prefix: "api"
      rules {
        action: ALLOW
        policies {
          key: "admin"
          value {
            permissions { any: true }
            principals { authenticated { principal_name { exact: "spiffe://td2/svc/admin" } } }
          }
        }
      }
    })pb"));
  auto changed = t.Translate(r.in, 4);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(r.in.listeners.at("mesh").resource->value(), listener_before);
  EXPECT_EQ(t.last_decoded(), 1u);  // the configuration alone
  const RbacFilter* rbac = (*changed)->RbacFor((*changed)->FindListener("mesh")->chains[0]);
  ASSERT_EQ(rbac->policies.size(), 1u);
  EXPECT_EQ(rbac->policies[0].name, "admin");

  // Removed: back to deny-all, incomplete.
  r.in.extension_configs.clear();
  auto removed = t.Translate(r.in, 5);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_FALSE((*removed)->complete);
  EXPECT_TRUE((*removed)->RbacFor((*removed)->FindListener("mesh")->chains[0])->config_missing);
}

TEST(Ecds, TranslateErrorsNameTheExtensionConfig) {
  Resources r;
  r.Cluster("name: 'api' type: STATIC")
      .Listener(DiscoveredListener())
      .ExtensionConfig(IntentionsConfig(R"pb(
        [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
          rules {
            policies {
              key: "web"
              value {
                permissions { any: true }
                principals { authenticated { principal_name { safe_regex { regex: "(" } } } }
              }
            }
          }
        })pb"));
  EXPECT_EQ(Error(r),
            "TypedExtensionConfig \"intentions~api\": typed_config.rules.policies[\"web\"]"
            ".principals[0].authenticated.principal_name.safe_regex.regex: invalid regex \"(\": "
            "missing ): (");
}

struct Message {
  explicit Message(const absl::Status& s) : ok(s.ok()), message(s.message()) {}
  bool ok;
  std::string message;
};

TEST(Ecds, ValidateResourceErrorsNameTheField) {
  // The message (or "OK"), as a std::string so that a mismatch prints as text.
  auto listener = [](const std::string& extra, const std::string& type_urls) {
    return Message(ValidateResource(
        xds::kListenerType, "mesh",
        *Pack(Parse<listener_pb::Listener>(DiscoveredListener(extra, type_urls)))));
  };
  const std::string rbac_urls = absl::StrCat("type_urls: \"", kRbacType, "\"");
  EXPECT_TRUE(listener("", rbac_urls).ok);
  EXPECT_TRUE(listener(absl::StrCat("default_config { ", kIntentionsRbac, " }"), rbac_urls).ok);
  EXPECT_EQ(listener("", "type_urls: 'type.googleapis.com/x.Y'").message,
            "filter_chains[0].filters[0].config_discovery.type_urls[0]: "
            "\"type.googleapis.com/x.Y\": only the network RBAC filter is supported over ECDS");
  EXPECT_EQ(listener("", "").message,
            "filter_chains[0].filters[0].config_discovery.type_urls: empty");
  // An invalid regex in the default (xds/validate.h's words: it compiles regexes too).
  EXPECT_EQ(listener(R"pb(default_config {
                            [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
                              rules {
                                policies {
                                  key: "p"
                                  value {
                                    permissions { any: true }
                                    principals {
                                      authenticated { principal_name { safe_regex { regex: "(" } } }
                                    }
                                  }
                                }
                              }
                            }
                          })pb",
                     rbac_urls)
                .message,
            "filter_chains[0].filters[0].config_discovery.default_config.rules.policies[\"p\"]"
            ".principals[0].authenticated.principal_name.safe_regex.regex: invalid RE2 regex: "
            "missing ): (");

  auto not_ads = Parse<listener_pb::Listener>(DiscoveredListener());
  not_ads.mutable_filter_chains(0)
      ->mutable_filters(0)
      ->mutable_config_discovery()
      ->mutable_config_source()
      ->clear_ads();
  EXPECT_EQ(Message(ValidateResource(xds::kListenerType, "mesh", *Pack(not_ads))).message,
            "filter_chains[0].filters[0].config_discovery.config_source: only ads (the "
            "aggregated stream) is supported");

  auto config = [](const std::string& text) {
    return Message(
        ValidateResource(xds::kExtensionConfigType, "intentions~api",
                         *Pack(Parse<envoy::config::core::v3::TypedExtensionConfig>(text))));
  };
  EXPECT_TRUE(config(IntentionsConfig()).ok);
  EXPECT_EQ(config(IntentionsConfig(R"pb(
              [type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy] {
                cluster: "x"
              })pb"))
                .message,
            "typed_config: unsupported extension "
            "\"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\" "
            "(only the network RBAC filter)");
  EXPECT_EQ(config("name: 'intentions~api'").message, "typed_config: missing");
  EXPECT_EQ(config(IntentionsConfig(R"pb(
              [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
                rules {
                  policies {
                    key: "web"
                    value {
                      permissions { any: true }
                      principals { authenticated { principal_name { safe_regex { regex: "(" } } } }
                    }
                  }
                }
              })pb"))
                .message,
            "typed_config.rules.policies[\"web\"].principals[0].authenticated.principal_name"
            ".safe_regex.regex: invalid RE2 regex: missing ): (");
  EXPECT_EQ(
      Message(ValidateResource(
                  xds::kExtensionConfigType, "other",
                  *Pack(Parse<envoy::config::core::v3::TypedExtensionConfig>(IntentionsConfig()))))
          .message,
      "name: \"intentions~api\" differs from the resource name");
}

// ---- The incremental path against a translation from nothing ------------------------------

// Everything the data path reads of a snapshot, as text, to compare two translations.
std::string DescribeSnapshot(const Snapshot& snap) {
  std::string out = absl::StrCat("complete=", snap.complete,
                                 "\nmissing=", absl::StrJoin(snap.missing, "|"), "\n");
  for (const auto* e : snap.resource_versions.Sorted()) {
    absl::StrAppend(&out, "version ", e->first, "=", e->second, "\n");
  }
  for (const auto* e : snap.clusters.Sorted()) {
    const Cluster& c = *e->second;
    absl::StrAppend(&out, "cluster ", e->first, " eds=", c.eds, ":", c.eds_service_name,
                    " timeout=", absl::FormatDuration(c.connect_timeout));
    for (const PriorityLevel& level : c.priorities) {
      for (const Endpoint& ep : level.endpoints) {
        absl::StrAppend(&out, " ", level.priority, "/", ep.address.ToString());
      }
    }
    absl::StrAppend(&out, "\n");
  }
  for (const auto* e : snap.extension_configs.Sorted()) {
    absl::StrAppend(&out, "ecds ", e->first, " policies=", e->second->policies.size(), "\n");
  }
  for (const auto& [name, l] : snap.listeners) {
    absl::StrAppend(&out, "listener ", name);
    for (const FilterChain& chain : l->chains) {
      absl::StrAppend(&out, " ", chain.name, "->", chain.tcp_proxy().cluster);
      if (const RbacFilter* rbac = snap.RbacFor(chain)) {
        absl::StrAppend(&out, "[rbac missing=", rbac->config_missing,
                        " policies=", rbac->policies.size(), "]");
      }
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

// The incremental path (a warm Translator, which visits only what differs from its last input)
// must give what a translation from nothing gives, after every change of a long random sequence:
// clusters added, changed and removed, assignments shared by several clusters (as an exported
// service's cluster shares its local cluster's), assignments arriving late and going away,
// listeners naming absent clusters, an ECDS configuration coming and going, versions alone
// changing, and rejected inputs in between.
TEST(Translator, IncrementalTranslationMatchesOneFromNothing) {
  std::mt19937 random(20261208);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<uint32_t>(n)); };
  constexpr int kClusters = 40, kAssignments = 15;
  Resources r;
  auto set_cluster = [&](int i) {
    const int kind = pick(7);
    std::string text =
        absl::StrCat("name: 'c", i, "' connect_timeout { seconds: ", 1 + pick(3), " } ");
    if (kind == 0) {
      absl::StrAppend(&text, "type: STATIC load_assignment { cluster_name: 'c", i,
                      "' endpoints { lb_endpoints { endpoint { address { socket_address {"
                      " address: '127.0.0.1' port_value: ",
                      1000 + i, " } } } } } }");
    } else {
      absl::StrAppend(&text, "type: EDS eds_cluster_config { eds_config { ads {} } ",
                      kind == 1 ? "" : absl::StrCat("service_name: 'a", pick(kAssignments), "'"),
                      " }");
    }
    r.Cluster(text);
  };
  auto set_assignment = [&](const std::string& name) {
    r.Endpoints(absl::StrCat("cluster_name: '", name, "' endpoints { priority: ", pick(2),
                             " lb_endpoints { endpoint { address { socket_address { address: "
                             "'10.0.0.",
                             1 + pick(200), "' port_value: ", 2000 + pick(100), " } } } } }"));
  };
  auto set_listener = [&] {
    std::string text =
        "name: 'l' address { socket_address { address: '0.0.0.0' port_value: 8443 } }";
    const int chains = 1 + pick(6);
    for (int k = 0; k < chains; ++k) {
      // c40 and above are never clusters: the listener names an absent one now and then.
      const std::string cluster = absl::StrCat("c", pick(kClusters + 3));
      absl::StrAppend(&text, " filter_chains { name: 'chain", k,
                      "' filter_chain_match { server_names: 'n", k, ".td' } ", TcpProxy(cluster),
                      " }");
    }
    r.Listener(text);
  };
  for (int i = 0; i < kClusters; ++i) set_cluster(i);
  for (int j = 0; j < kAssignments; j += 2) set_assignment(absl::StrCat("a", j));
  set_listener();
  r.Cluster("name: 'api' type: STATIC").Listener(DiscoveredListener());

  Translator warm;
  int rejected = 0;
  for (int step = 1; step <= 400; ++step) {
    SCOPED_TRACE(absl::StrCat("step ", step));
    switch (pick(10)) {
      case 0:
      case 1:
        set_cluster(pick(kClusters));
        break;
      case 2:
        r.in.clusters.erase(absl::StrCat("c", pick(kClusters)));
        break;
      case 3:
      case 4:
        set_assignment(pick(3) == 0 ? absl::StrCat("c", pick(kClusters))
                                    : absl::StrCat("a", pick(kAssignments)));
        break;
      case 5:
        r.in.endpoints.erase(absl::StrCat("a", pick(kAssignments)));
        break;
      case 6:
        set_listener();
        break;
      case 7:
        if (r.in.extension_configs.empty()) {
          r.ExtensionConfig(IntentionsConfig());
        } else {
          r.in.extension_configs.clear();
        }
        break;
      case 8: {  // a new version of the same bytes
        const std::string name = absl::StrCat("c", pick(kClusters));
        if (r.in.clusters.contains(name)) r.in.clusters[name].version = absl::StrCat("v", step);
        break;
      }
      case 9: {  // a bad cluster: rejected, and the next translation starts from the last good
        Resources bad = r;
        bad.Cluster(absl::StrCat("name: 'c", pick(kClusters), "' type: STRICT_DNS"));
        EXPECT_FALSE(warm.Translate(bad.in, step).ok());
        ++rejected;
        break;
      }
    }
    absl::StatusOr<SnapshotPtr> incremental = warm.Translate(r.in, step);
    absl::StatusOr<SnapshotPtr> from_nothing = Translate(r.in, step);
    ASSERT_TRUE(incremental.ok()) << incremental.status();
    ASSERT_TRUE(from_nothing.ok()) << from_nothing.status();
    ASSERT_EQ(DescribeSnapshot(**incremental), DescribeSnapshot(**from_nothing));
  }
  EXPECT_GT(rejected, 10);
}

}  // namespace
}  // namespace meshgw::gateway::config
