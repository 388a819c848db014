// Tests of bootstrap.h: defaults, the full example file, every error with its exact
// file:line:col, and a static section translating to the same Snapshot as the equivalent xDS
// resources.
#include <google/protobuf/text_format.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/connection_limit/v3/connection_limit.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/sni_cluster/v3/sni_cluster.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "gateway/config/bootstrap.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::gateway::config {
namespace {

using ::testing::ElementsAre;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/meshgw-bootstrap-test-XXXXXX";
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

std::string Err(const std::string& src) {
  absl::StatusOr<Bootstrap> b = ParseBootstrap(src, "gateway.hcl");
  EXPECT_FALSE(b.ok()) << src;
  return b.ok() ? "" : std::string(b.status().message());
}

constexpr char kNode[] = "node { id = \"gw-1\" }\n";
constexpr char kXds[] = "xds { address = \"127.0.0.1:8510\" }\n";

TEST(Bootstrap, Defaults) {
  absl::StatusOr<Bootstrap> b = ParseBootstrap(absl::StrCat(kNode, kXds), "gateway.hcl");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->path, "gateway.hcl");
  EXPECT_EQ(b->node.id, "gw-1");
  EXPECT_EQ(b->node.cluster, "mesh-gateway");
  EXPECT_EQ(b->node.datacenter, "");
  ASSERT_TRUE(b->xds.has_value());
  EXPECT_EQ(b->xds->address, "127.0.0.1:8510");
  EXPECT_EQ(b->xds->token, "");
  EXPECT_FALSE(b->xds->tls.has_value());
  EXPECT_EQ(b->admin.ToString(), "127.0.0.1:19000");
  EXPECT_EQ(b->metrics.ToString(), "0.0.0.0:9102");
  EXPECT_EQ(b->workers, 0u);
  EXPECT_EQ(b->limits.max_connections, 10000u);
  EXPECT_EQ(b->limits.max_hello_size, 16384u);
  EXPECT_EQ(b->limits.buffer_size, 65536u);
  EXPECT_EQ(b->timeouts.hello, absl::Seconds(5));
  EXPECT_EQ(b->timeouts.connect, absl::Seconds(5));
  EXPECT_EQ(b->timeouts.idle, absl::Hours(1));
  EXPECT_EQ(b->timeouts.drain, absl::Seconds(30));
  EXPECT_EQ(b->log.level, "info");
  EXPECT_FALSE(b->log.json);
  EXPECT_EQ(b->log.access_log, "stderr");
  EXPECT_TRUE(b->static_resources.listeners.empty());
  EXPECT_TRUE(b->static_resources.clusters.empty());
}

TEST(Bootstrap, TopLevelValues) {
  TempDir dir;
  dir.Write("token", "  s3cret\n");
  const std::string path = dir.Write("gateway.hcl", R"(
node {
  id         = "gw-2"
  cluster    = "edge"
  datacenter = "dc2"
}
xds {
  address    = "control.dc2:8510"
  token_file = "token"
}
admin { address = "[::1]:19001" }
metrics { address = "127.0.0.1:9103" }
workers = 4
limits {
  max_connections = 20
  max_hello_size  = 4096
  buffer_size     = 8192
}
timeouts {
  hello   = "250ms"
  connect = "2s"
  idle    = "0s"
  drain   = "1m"
}
log {
  level      = "debug"
  json       = true
  access_log = "logs/access.log"
}
)");
  absl::StatusOr<Bootstrap> b = LoadBootstrap(path);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->node.cluster, "edge");
  EXPECT_EQ(b->node.datacenter, "dc2");
  EXPECT_EQ(b->xds->address, "control.dc2:8510");
  EXPECT_EQ(b->xds->token, "s3cret");
  EXPECT_EQ(b->xds->token_file, dir.path() + "/token");
  EXPECT_EQ(b->admin.ToString(), "[::1]:19001");
  EXPECT_EQ(b->metrics.ToString(), "127.0.0.1:9103");
  EXPECT_EQ(b->workers, 4u);
  EXPECT_EQ(b->limits.max_connections, 20u);
  EXPECT_EQ(b->limits.max_hello_size, 4096u);
  EXPECT_EQ(b->limits.buffer_size, 8192u);
  EXPECT_EQ(b->timeouts.hello, absl::Milliseconds(250));
  EXPECT_EQ(b->timeouts.connect, absl::Seconds(2));
  EXPECT_EQ(b->timeouts.idle, absl::ZeroDuration());
  EXPECT_EQ(b->timeouts.drain, absl::Minutes(1));
  EXPECT_EQ(b->log.level, "debug");
  EXPECT_TRUE(b->log.json);
  EXPECT_EQ(b->log.access_log, dir.path() + "/logs/access.log");
}

TEST(Bootstrap, MissingFile) {
  absl::StatusOr<Bootstrap> b = LoadBootstrap("/nonexistent/gateway.hcl");
  EXPECT_EQ(b.status().message(),
            "bootstrap file \"/nonexistent/gateway.hcl\": cannot read: No such file or directory");
}

// The example shipped in configs/gateway, with stand-in files next to it.
TEST(Bootstrap, ExampleFileLoadsAndTranslates) {
  TempDir dir;
  std::ifstream in(std::string(MESHGW_SOURCE_DIR) + "/configs/gateway/static-example.hcl");
  std::stringstream example;
  example << in.rdbuf();
  ASSERT_FALSE(example.str().empty());
  const std::string path = dir.Write("gateway.hcl", example.str());
  for (const char* name : {"gw.pem", "gw-key.pem", "ca.pem", "web.pem", "web-key.pem", "dc2-ca.pem",
                           "control-ca.pem", "xds-token"}) {
    dir.Write(name, absl::StrCat("contents of ", name, "\n"));
  }
  absl::StatusOr<Bootstrap> b = LoadBootstrap(path);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->node.id, "mesh-gateway-dc1-1");
  EXPECT_EQ(b->xds->token, "contents of xds-token");
  EXPECT_EQ(b->xds->tls->ca_file, dir.path() + "/control-ca.pem");
  EXPECT_EQ(b->xds->tls->cert_file, dir.path() + "/gw.pem");
  EXPECT_EQ(b->xds->tls->server_name, "control.dc1");
  EXPECT_EQ(b->static_resources.listeners.size(), 2u);
  EXPECT_EQ(b->static_resources.clusters.size(), 3u);
  EXPECT_EQ(b->static_resources.secrets.size(), 4u);
  EXPECT_EQ(b->static_resources.listeners.at("mesh").version, "static");
  EXPECT_EQ(b->static_resources.listeners.at("mesh").origin, path + ":79:3");
  EXPECT_EQ(b->static_resources.secrets.at("gateway-leaf").origin, path + ":63:3");

  absl::StatusOr<SnapshotPtr> snap = Translate(b->static_resources, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_TRUE((*snap)->complete) << absl::StrJoin((*snap)->missing, "\n");
  const Listener* mesh = (*snap)->FindListener("mesh");
  ASSERT_NE(mesh, nullptr);
  EXPECT_EQ(mesh->address.ToString(), "0.0.0.0:8443");
  ASSERT_EQ(mesh->chains.size(), 3u);
  const FilterChain& api = mesh->chains[0];
  EXPECT_EQ(api.name, "public-api");
  EXPECT_THAT(api.match.server_names,
              ElementsAre("public-api.default.default.gcp-dc1-default.external.td"));
  EXPECT_EQ(api.match.transport_protocol, "tls");
  EXPECT_THAT(api.match.application_protocols, ElementsAre("h2"));
  ASSERT_TRUE(api.tls.has_value());
  EXPECT_EQ(api.tls->certificate.certificate_chain_pem, "contents of gw.pem\n");
  EXPECT_EQ(api.tls->certificate.private_key_pem, "contents of gw-key.pem\n");
  EXPECT_EQ(api.tls->trust->trusted_ca_pem, "contents of ca.pem\n");
  EXPECT_TRUE(api.tls->require_client_certificate);
  ASSERT_EQ(api.tls->trust->match_sans.size(), 1u);
  EXPECT_EQ(api.tls->trust->match_sans[0].matcher.DebugString(),
            "exact:spiffe://td/ns/default/dc/dc1/svc/web");
  ASSERT_NE(api.rbac(), nullptr);
  ASSERT_EQ(api.rbac()->policies.size(), 1u);
  const RbacPolicy& web = api.rbac()->policies[0];
  ASSERT_EQ(web.principals.size(), 2u);
  EXPECT_TRUE(web.principals[0].principal_name.Matches("spiffe://td/ns/default/dc/dc1/svc/web"));
  EXPECT_TRUE(
      web.principals[1].principal_name.Matches("spiffe://peer-td/ns/default/dc/dc9/svc/web"));
  EXPECT_EQ(api.connection_limit()->max_connections, 1000u);
  EXPECT_EQ(api.tcp_proxy().cluster, "public-api");
  EXPECT_EQ(api.tcp_proxy().max_connect_attempts, 3u);
  EXPECT_TRUE(mesh->chains[2].sni_cluster());
  EXPECT_EQ(mesh->ChainFor("x.dc2.internal.td", {}, route::TransportProtocol::kTls)->name, "dc2");
  EXPECT_EQ(mesh->ChainFor("other", {}, route::TransportProtocol::kTls)->name, "catch-all");

  const Listener* egress = (*snap)->FindListener("egress-public-api");
  EXPECT_FALSE(egress->inspect_tls);
  const Cluster* api_cluster = (*snap)->FindCluster("public-api");
  EXPECT_EQ(api_cluster->connect_timeout, absl::Seconds(1));
  EXPECT_TRUE(api_cluster->outlier.enabled);
  EXPECT_EQ(api_cluster->outlier.consecutive_failures, 5u);
  ASSERT_EQ(api_cluster->priorities.size(), 2u);
  EXPECT_EQ(api_cluster->priorities[0].endpoints[0].health, HealthStatus::kHealthy);
  EXPECT_EQ(api_cluster->priorities[1].endpoints[0].address.ToString(), "127.0.0.1:9002");
  const Cluster* out = (*snap)->FindCluster("egress-public-api");
  ASSERT_TRUE(out->tls.has_value());
  EXPECT_EQ(out->tls->certificate->certificate_chain_pem, "contents of web.pem\n");
  EXPECT_EQ(out->tls->trust->trusted_ca_pem, "contents of dc2-ca.pem\n");
  EXPECT_EQ(out->tls->sni, "public-api.default.default.gcp-dc1-default.external.td");
}

// ---- Static section == xDS resources -----------------------------------------------------------

// Every field of a snapshot that configuration sets, as text, to compare two snapshots.
std::string Dump(const Snapshot& s) {
  std::string out;
  auto tls_params = [](const TlsParameters& p) {
    return absl::StrCat("min=", static_cast<int>(p.min_version),
                        " max=", static_cast<int>(p.max_version),
                        " ciphers=", absl::StrJoin(p.cipher_suites, ","),
                        " curves=", absl::StrJoin(p.ecdh_curves, ","));
  };
  auto trust = [](const std::optional<TrustBundle>& t) {
    if (!t) return std::string("none");
    std::string sans;
    for (const SanMatcher& m : t->match_sans) {
      absl::StrAppend(&sans, static_cast<int>(m.type), m.matcher.DebugString(), ";");
    }
    return absl::StrCat(t->name, " ca=", absl::CEscape(t->trusted_ca_pem), " v=", t->version,
                        " sans=", sans, " untrusted=", t->accept_untrusted);
  };
  std::function<std::string(const RbacPrincipal&)> principal = [&](const RbacPrincipal& p) {
    std::string ids;
    for (const RbacPrincipal& i : p.ids) absl::StrAppend(&ids, principal(i), ",");
    return absl::StrCat("P", static_cast<int>(p.kind), "(", p.principal_name.DebugString(), ";",
                        ids, ")");
  };
  std::function<std::string(const RbacPermission&)> permission = [&](const RbacPermission& p) {
    std::string rules;
    for (const RbacPermission& r : p.rules) absl::StrAppend(&rules, permission(r), ",");
    return absl::StrCat("Q", static_cast<int>(p.kind), "(", p.server_name.DebugString(), ";", rules,
                        ")");
  };
  auto chain = [&](const FilterChain& c) {
    std::string text =
        absl::StrCat("  chain ", c.name, " names=", absl::StrJoin(c.match.server_names, ","),
                     " tp=", c.match.transport_protocol,
                     " alpn=", absl::StrJoin(c.match.application_protocols, ","), "\n");
    if (c.tls) {
      absl::StrAppend(
          &text, "    tls cert=", c.tls->certificate.name, " ",
          absl::CEscape(c.tls->certificate.certificate_chain_pem), " ",
          absl::CEscape(c.tls->certificate.private_key_pem), " trust=", trust(c.tls->trust),
          " require=", c.tls->require_client_certificate, " ", tls_params(c.tls->params),
          " alpn=", absl::StrJoin(c.tls->alpn, ","), " tickets=", c.tls->session_tickets,
          " timeout=", absl::FormatDuration(c.tls->session_timeout), "\n");
    }
    for (const NetworkFilter& f : c.filters) {
      if (const auto* r = std::get_if<RbacFilter>(&f)) {
        absl::StrAppend(&text, "    rbac ", static_cast<int>(r->action), " ", r->stat_prefix);
        for (const RbacPolicy& p : r->policies) {
          absl::StrAppend(&text, " policy ", p.name, ":");
          for (const auto& q : p.permissions) absl::StrAppend(&text, permission(q));
          for (const auto& q : p.principals) absl::StrAppend(&text, principal(q));
        }
        absl::StrAppend(&text, "\n");
      } else if (const auto* l = std::get_if<ConnectionLimitFilter>(&f)) {
        absl::StrAppend(&text, "    limit ", l->max_connections, " ", l->stat_prefix, "\n");
      } else if (std::holds_alternative<SniClusterFilter>(f)) {
        absl::StrAppend(&text, "    sni_cluster\n");
      } else if (const auto* t = std::get_if<TcpProxyFilter>(&f)) {
        absl::StrAppend(&text, "    tcp_proxy ", t->cluster, " ", t->stat_prefix, " ",
                        t->max_connect_attempts, " ", absl::FormatDuration(t->idle_timeout), "\n");
      }
    }
    return text;
  };
  for (const auto& [name, listener] : s.listeners) {
    const Listener& l = *listener;
    absl::StrAppend(&out, "listener ", name, " ", l.address.ToString(), " inspect=", l.inspect_tls,
                    " hello=", absl::FormatDuration(l.hello_timeout), " buf=", l.buffer_limit,
                    " stat=", l.stat_prefix, "\n");
    for (const FilterChain& c : l.chains) absl::StrAppend(&out, chain(c));
    if (l.default_chain) absl::StrAppend(&out, " default", chain(*l.default_chain));
  }
  for (const auto& [name, c] : s.clusters) {
    absl::StrAppend(&out, "cluster ", name, " lb=", static_cast<int>(c->lb_policy),
                    " connect=", absl::FormatDuration(c->connect_timeout),
                    " max=", c->max_connections, " buf=", c->buffer_limit, " eds=", c->eds, " ",
                    c->eds_service_name, "\n");
    const OutlierDetection& o = c->outlier;
    absl::StrAppend(&out, "  outlier ", o.enabled, " ", o.consecutive_failures, " ",
                    absl::FormatDuration(o.interval), " ",
                    absl::FormatDuration(o.base_ejection_time), " ",
                    absl::FormatDuration(o.max_ejection_time), " ", o.max_ejection_percent, "\n");
    if (c->tls) {
      absl::StrAppend(
          &out, "  tls cert=", c->tls->certificate ? c->tls->certificate->name : "none", " ",
          c->tls->certificate ? absl::CEscape(c->tls->certificate->private_key_pem) : "",
          " trust=", trust(c->tls->trust), " sni=", c->tls->sni, " ", tls_params(c->tls->params),
          " alpn=", absl::StrJoin(c->tls->alpn, ","), "\n");
    }
    for (const PriorityLevel& p : c->priorities) {
      for (const Endpoint& e : p.endpoints) {
        absl::StrAppend(&out, "  p", p.priority, " ", e.address.ToString(), " ",
                        std::string(HealthStatusName(e.health)), " w=", e.weight, "\n");
      }
    }
  }
  absl::StrAppend(&out, "complete=", s.complete, " ", absl::StrJoin(s.missing, ";"), "\n");
  return out;
}

template <typename T>
void AddText(const std::string& text, ResourceInputs* to, const std::string& name) {
  static const bool linked = [] {
    namespace net = envoy::extensions::filters::network;
    return envoy::extensions::filters::listener::tls_inspector::v3::TlsInspector::descriptor() &&
           net::rbac::v3::RBAC::descriptor() && net::tcp_proxy::v3::TcpProxy::descriptor() &&
           net::sni_cluster::v3::SniCluster::descriptor() &&
           net::connection_limit::v3::ConnectionLimit::descriptor() &&
           envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext::descriptor() &&
           envoy::extensions::transport_sockets::tls::v3::UpstreamTlsContext::descriptor();
  }();
  ASSERT_TRUE(linked);
  T message;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  auto any = std::make_shared<google::protobuf::Any>();
  any->PackFrom(message);
  (*to)[name] = ResourceInput{any, "v1", "xds"};
}

TEST(Bootstrap, StaticTranslatesLikeTheEquivalentXds) {
  absl::StatusOr<Bootstrap> b = ParseBootstrap(R"(
node { id = "gw" }
static {
  secret "leaf" {
    certificate_chain = "LEAF"
    private_key       = "KEY"
  }
  secret "bundle" { trusted_ca = "CA" }
  listener "mesh" {
    address       = "127.0.0.1:8443"
    hello_timeout = "2s"
    filter_chain "api" {
      server_names = ["api.td"]
      tls {
        certificate                = "leaf"
        trust                      = "bundle"
        require_client_certificate = true
        match_san                  = ["spiffe://td/svc/web"]
        min_version                = "TLSv1_3"
        alpn                       = ["h2"]
      }
      rbac {
        action = "DENY"
        policy "bad" { principal_regex = ["^spiffe://td/svc/bad.*$"] }
        policy "any" {}
      }
      connection_limit = 5
      tcp_proxy {
        cluster              = "api"
        idle_timeout         = "10m"
        max_connect_attempts = 2
      }
    }
    filter_chain "rest" {
      sni_cluster = true
      tcp_proxy {}
    }
  }
  cluster "api" {
    connect_timeout = "2s"
    lb_policy       = "least_request"
    max_connections = 7
    outlier_detection { consecutive_failures = 3 }
    tls {
      certificate = "leaf"
      trust       = "bundle"
      sni         = "api.peer"
    }
    endpoint {
      address  = "10.0.0.2:80"
      priority = 1
      weight   = 2
    }
    endpoint {
      address = "10.0.0.1:80"
      health  = "DRAINING"
    }
  }
}
)",
                                               "gateway.hcl");
  ASSERT_TRUE(b.ok()) << b.status();
  absl::StatusOr<SnapshotPtr> from_static = Translate(b->static_resources, 1);
  ASSERT_TRUE(from_static.ok()) << from_static.status();

  TranslateInput xds;
  AddText<envoy::extensions::transport_sockets::tls::v3::Secret>(
      "name: 'leaf' tls_certificate { certificate_chain { inline_string: 'LEAF' } private_key { "
      "inline_string: 'KEY' } }",
      &xds.secrets, "leaf");
  AddText<envoy::extensions::transport_sockets::tls::v3::Secret>(
      "name: 'bundle' validation_context { trusted_ca { inline_string: 'CA' } }", &xds.secrets,
      "bundle");
  AddText<envoy::config::listener::v3::Listener>(
      R"pb(
        name: "mesh"
        address { socket_address { address: "127.0.0.1" port_value: 8443 } }
        listener_filters { name: "envoy.filters.listener.tls_inspector" }
        listener_filters_timeout { seconds: 2 }
        filter_chains {
          name: "api"
          filter_chain_match { server_names: "api.td" }
          transport_socket {
            name: "envoy.transport_sockets.tls"
            typed_config {
              [type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext] {
                common_tls_context {
                  tls_params { tls_minimum_protocol_version: TLSv1_3 }
                  tls_certificate_sds_secret_configs {
                    name: "leaf"
                    sds_config { ads {} }
                  }
                  combined_validation_context {
                    default_validation_context {
                      match_typed_subject_alt_names {
                        san_type: URI
                        matcher { exact: "spiffe://td/svc/web" }
                      }
                    }
                    validation_context_sds_secret_config {
                      name: "bundle"
                      sds_config { ads {} }
                    }
                  }
                  alpn_protocols: "h2"
                }
                require_client_certificate { value: true }
              }
            }
          }
          filters {
            name: "envoy.filters.network.rbac"
            typed_config {
              [type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC] {
                stat_prefix: "mesh.api"
                rules {
                  action: DENY
                  policies {
                    key: "bad"
                    value {
                      permissions { any: true }
                      principals {
                        authenticated {
                          principal_name { safe_regex { regex: "^spiffe://td/svc/bad.*$" } }
                        }
                      }
                    }
                  }
                  policies {
                    key: "any"
                    value {
                      permissions { any: true }
                      principals { any: true }
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
                stat_prefix: "mesh.api"
                max_connections { value: 5 }
              }
            }
          }
          filters {
            name: "envoy.filters.network.tcp_proxy"
            typed_config {
              [type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy] {
                stat_prefix: "mesh.api"
                cluster: "api"
                idle_timeout { seconds: 600 }
                max_connect_attempts { value: 2 }
              }
            }
          }
        }
        filter_chains {
          name: "rest"
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
                stat_prefix: "mesh.rest"
              }
            }
          }
        }
      )pb",
      &xds.listeners, "mesh");
  AddText<envoy::config::cluster::v3::Cluster>(
      R"pb(
        name: "api"
        type: STATIC
        connect_timeout { seconds: 2 }
        lb_policy: LEAST_REQUEST
        circuit_breakers { thresholds { max_connections { value: 7 } } }
        outlier_detection { consecutive_gateway_failure { value: 3 } }
        transport_socket {
          typed_config {
            [type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext] {
              common_tls_context {
                tls_certificate_sds_secret_configs { name: "leaf" }
                validation_context_sds_secret_config { name: "bundle" }
              }
              sni: "api.peer"
            }
          }
        }
        load_assignment {
          cluster_name: "api"
          endpoints {
            lb_endpoints {
              endpoint { address { socket_address { address: "10.0.0.1" port_value: 80 } } }
              health_status: DRAINING
            }
          }
          endpoints {
            priority: 1
            lb_endpoints {
              endpoint { address { socket_address { address: "10.0.0.2" port_value: 80 } } }
              load_balancing_weight { value: 2 }
            }
          }
        }
      )pb",
      &xds.clusters, "api");
  absl::StatusOr<SnapshotPtr> from_xds = Translate(xds, 1);
  ASSERT_TRUE(from_xds.ok()) << from_xds.status();
  EXPECT_EQ(Dump(**from_static), Dump(**from_xds));
  EXPECT_THAT(Dump(**from_static), testing::HasSubstr("policy any:Q0(exact:;)P0(exact:;)"));
  EXPECT_THAT(Dump(**from_static), testing::HasSubstr("  p1 10.0.0.2:80 UNKNOWN w=2\n"));
}

// ---- Errors ------------------------------------------------------------------------------------

struct ErrorCase {
  const char* name;
  std::string src;
  std::string want;
};

class BootstrapErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(BootstrapErrorTest, ExactPlace) { EXPECT_EQ(Err(GetParam().src), GetParam().want); }

// A static section holding `body`, after the node block (so it starts on line 2).
std::string Static(const std::string& body) {
  return absl::StrCat(kNode, "static {\n", body, "}\n");
}

constexpr char kCluster[] =
    "  cluster \"api\" {\n    endpoint { address = \"127.0.0.1:9\" }\n  }\n";

INSTANTIATE_TEST_SUITE_P(
    All, BootstrapErrorTest,
    testing::Values(
        ErrorCase{"UnknownAttribute", absl::StrCat(kNode, "xds { adress = \"x:1\" }\n"),
                  // The decoder reports the required argument too.
                  "gateway.hcl:2:7: Missing required argument; The argument \"address\" is "
                  "required, but no definition was found.\n"
                  "gateway.hcl:2:7: Unsupported argument; An argument named \"adress\" is not "
                  "expected here. Did you mean \"address\"?"},
        ErrorCase{"UnknownBlock", absl::StrCat(kNode, kXds, "limts {}\n"),
                  "gateway.hcl:3:1: Unsupported block type; Blocks of type \"limts\" are not "
                  "expected here. Did you mean \"limits\"?"},
        ErrorCase{
            "MissingNode", kXds,
            "gateway.hcl:1:1: Missing node block; A block of type \"node\" is required here."},
        ErrorCase{"MissingNodeId", absl::StrCat("node {\n  cluster = \"x\"\n}\n", kXds),
                  "gateway.hcl:1:6: Missing required argument; The argument \"id\" is required, "
                  "but no definition was found."},
        ErrorCase{"EmptyNodeId", absl::StrCat("node { id = \"\" }\n", kXds),
                  "gateway.hcl:1:13: node.id: empty"},
        ErrorCase{"NothingToServe", kNode,
                  "gateway.hcl:1:1: bootstrap: no xds block and no static section: the gateway "
                  "would have nothing to serve"},
        ErrorCase{"XdsAddressWithoutPort", absl::StrCat(kNode, "xds { address = \"control\" }\n"),
                  "gateway.hcl:2:17: xds.address: \"control\" is not \"host:port\" (e.g. "
                  "\"127.0.0.1:8510\")"},
        ErrorCase{"TokenAndTokenFile",
                  absl::StrCat(kNode,
                               "xds {\n  address = \"a:1\"\n  token = \"t\"\n  token_file = "
                               "\"f\"\n}\n"),
                  "gateway.hcl:5:16: xds.token_file: set together with token; use one"},
        ErrorCase{
            "TokenFileMissing",
            absl::StrCat(kNode,
                         "xds {\n  address = \"a:1\"\n  token_file = \"/nonexistent/t\"\n}\n"),
            "gateway.hcl:4:16: xds.token_file: cannot read \"/nonexistent/t\": No such file "
            "or directory"},
        ErrorCase{
            "XdsCertWithoutKey",
            absl::StrCat(kNode, "xds {\n  address = \"a:1\"\n  tls { cert_file = \"c.pem\" }\n}\n"),
            "gateway.hcl:4:21: xds.tls.cert_file: cert_file and key_file go together"},
        ErrorCase{"AdminNotIp",
                  absl::StrCat(kNode, kXds, "admin { address = \"localhost:19000\" }\n"),
                  "gateway.hcl:3:19: admin.address: address \"localhost\" is not an IP literal"},
        ErrorCase{"MetricsNoPort", absl::StrCat(kNode, kXds, "metrics { address = \"0.0.0.0\" }\n"),
                  "gateway.hcl:3:21: metrics.address: \"0.0.0.0\" has no port (want \"host:port\", "
                  "e.g. \"127.0.0.1:8443\")"},
        ErrorCase{"Workers", absl::StrCat(kNode, kXds, "workers = 5000\n"),
                  "gateway.hcl:3:11: workers: must be between 0 and 1024, not 5000"},
        ErrorCase{
            "HelloSize", absl::StrCat(kNode, kXds, "limits { max_hello_size = 100 }\n"),
            "gateway.hcl:3:27: limits.max_hello_size: must be between 512 and 65536, not 100"},
        ErrorCase{"NegativeTimeout", absl::StrCat(kNode, kXds, "timeouts { connect = \"-1s\" }\n"),
                  "gateway.hcl:3:22: timeouts.connect: must be above zero, not -1s"},
        ErrorCase{"BadDuration", absl::StrCat(kNode, kXds, "timeouts { drain = \"soon\" }\n"),
                  "gateway.hcl:3:20: Incorrect attribute value type; Inappropriate value for "
                  "attribute \"drain\": a duration such as \"5s\", \"1m30s\" or \"250ms\" is "
                  "required, not \"soon\"."},
        ErrorCase{"LogLevel", absl::StrCat(kNode, kXds, "log { level = \"verbose\" }\n"),
                  "gateway.hcl:3:15: log.level: \"verbose\" is not debug, info, warn or error"},
        ErrorCase{"ClusterNotDeclared",
                  Static("  listener \"mesh\" {\n    address = \"0.0.0.0:8443\"\n"
                         "    filter_chain \"a\" {\n      tcp_proxy { cluster = \"x\" }\n"
                         "    }\n  }\n"),
                  "gateway.hcl:6:29: tcp_proxy.cluster: cluster \"x\" is not declared"},
        ErrorCase{"ChainWithoutCluster",
                  Static("  listener \"mesh\" {\n    address = \"0.0.0.0:8443\"\n"
                         "    filter_chain \"a\" {\n      tcp_proxy {}\n    }\n  }\n"),
                  "gateway.hcl:5:5: filter_chain \"a\": tcp_proxy has no cluster (set "
                  "tcp_proxy.cluster, or sni_cluster = true)"},
        ErrorCase{"MissingTcpProxy",
                  Static("  listener \"mesh\" {\n    address = \"0.0.0.0:8443\"\n"
                         "    filter_chain \"a\" {\n      sni_cluster = true\n    }\n  }\n"),
                  "gateway.hcl:5:22: Missing tcp_proxy block; A block of type \"tcp_proxy\" is "
                  "required here."},
        ErrorCase{"SniClusterWithCluster",
                  Static(absl::StrCat(kCluster,
                                      "  listener \"mesh\" {\n    address = \"0.0.0.0:8443\"\n"
                                      "    filter_chain \"a\" {\n      sni_cluster = true\n"
                                      "      tcp_proxy { cluster = \"api\" }\n    }\n  }\n")),
                  "gateway.hcl:10:29: tcp_proxy.cluster: sni_cluster = true takes the cluster from "
                  "each connection's SNI; remove cluster"},
        ErrorCase{"ListenerNotIp",
                  Static(absl::StrCat(kCluster,
                                      "  listener \"mesh\" {\n    address = \"gw:8443\"\n"
                                      "    filter_chain \"a\" {\n"
                                      "      tcp_proxy { cluster = \"api\" }\n    }\n  }\n")),
                  "gateway.hcl:7:15: address: address \"gw\" is not an IP literal"},
        ErrorCase{"ListenerWithoutChains",
                  Static("  listener \"mesh\" {\n    address = \"0.0.0.0:1\"\n  }\n"),
                  "gateway.hcl:3:3: listener \"mesh\": no filter_chain blocks"},
        ErrorCase{"BadServerName",
                  Static(absl::StrCat(kCluster,
                                      "  listener \"mesh\" {\n    address = \"0.0.0.0:1\"\n"
                                      "    filter_chain \"a\" {\n"
                                      "      server_names = [\"*\"]\n"
                                      "      tcp_proxy { cluster = \"api\" }\n    }\n  }\n")),
                  "gateway.hcl:9:22: server_names: filter chain 0 \"a\": server name \"*\" is "
                  "neither a DNS name nor \"*.\" followed by one (no partial wildcards)"},
        ErrorCase{"BadTransportProtocol",
                  Static(absl::StrCat(kCluster,
                                      "  listener \"mesh\" {\n    address = \"0.0.0.0:1\"\n"
                                      "    filter_chain \"a\" {\n"
                                      "      transport_protocol = \"quic\"\n"
                                      "      tcp_proxy { cluster = \"api\" }\n    }\n  }\n")),
                  "gateway.hcl:9:28: transport_protocol: filter chain 0 \"a\": transport protocol "
                  "\"quic\" is neither \"tls\" nor \"raw_buffer\""},
        ErrorCase{"DuplicateRoutes",
                  Static(absl::StrCat(kCluster,
                                      "  listener \"mesh\" {\n    address = \"0.0.0.0:1\"\n"
                                      "    filter_chain \"a\" {\n"
                                      "      tcp_proxy { cluster = \"api\" }\n    }\n"
                                      "    filter_chain \"b\" {\n"
                                      "      tcp_proxy { cluster = \"api\" }\n    }\n  }\n")),
                  "gateway.hcl:6:3: Listener \"mesh\": filter_chains: filter chains 0 \"a\" and 1 "
                  "\"b\" both match server name \"(any)\", transport protocol \"(any)\", ALPN "
                  "\"(any)\""},
        ErrorCase{"SecretNotDeclared",
                  Static(absl::StrCat(kCluster,
                                      "  listener \"mesh\" {\n    address = \"0.0.0.0:1\"\n"
                                      "    filter_chain \"a\" {\n"
                                      "      tls { certificate = \"leaf\" }\n"
                                      "      tcp_proxy { cluster = \"api\" }\n    }\n  }\n")),
                  "gateway.hcl:9:27: tls.certificate: secret \"leaf\" is not declared"},
        ErrorCase{"SecretOfTheWrongKind",
                  Static(absl::StrCat("  secret \"ca\" { trusted_ca = \"CA\" }\n", kCluster,
                                      "  listener \"mesh\" {\n    address = \"0.0.0.0:1\"\n"
                                      "    filter_chain \"a\" {\n"
                                      "      tls { certificate = \"ca\" }\n"
                                      "      tcp_proxy { cluster = \"api\" }\n    }\n  }\n")),
                  "gateway.hcl:10:27: tls.certificate: secret \"ca\" is a trust bundle "
                  "(trusted_ca), not a certificate"},
        ErrorCase{"RequireClientCertificateWithoutTrust",
                  Static(absl::StrCat("  secret \"leaf\" {\n    certificate_chain = \"C\"\n"
                                      "    private_key = \"K\"\n  }\n",
                                      kCluster,
                                      "  listener \"mesh\" {\n    address = \"0.0.0.0:1\"\n"
                                      "    filter_chain \"a\" {\n      tls {\n"
                                      "        certificate = \"leaf\"\n"
                                      "        require_client_certificate = true\n      }\n"
                                      "      tcp_proxy { cluster = \"api\" }\n    }\n  }\n")),
                  "gateway.hcl:15:38: tls.require_client_certificate: a client certificate is "
                  "required but no trust bundle (trust) verifies it"},
        ErrorCase{"TlsVersion",
                  Static(absl::StrCat("  secret \"leaf\" {\n    certificate_chain = \"C\"\n"
                                      "    private_key = \"K\"\n  }\n",
                                      kCluster,
                                      "  listener \"mesh\" {\n    address = \"0.0.0.0:1\"\n"
                                      "    filter_chain \"a\" {\n      tls {\n"
                                      "        certificate = \"leaf\"\n"
                                      "        min_version = \"TLSv1.2\"\n      }\n"
                                      "      tcp_proxy { cluster = \"api\" }\n    }\n  }\n")),
                  "gateway.hcl:15:23: tls.min_version: \"TLSv1.2\" is not TLS_AUTO, TLSv1_0, "
                  "TLSv1_1, TLSv1_2 or TLSv1_3"},
        ErrorCase{
            "BadRegex",
            Static(absl::StrCat(kCluster,
                                "  listener \"mesh\" {\n    address = \"0.0.0.0:1\"\n"
                                "    filter_chain \"a\" {\n      rbac {\n"
                                "        policy \"p\" { principal_regex = [\"ok\", \"(\"] }\n"
                                "      }\n"
                                "      tcp_proxy { cluster = \"api\" }\n    }\n  }\n")),
            "gateway.hcl:10:47: rbac.policy.principal_regex: invalid regex \"(\": missing ): ("},
        ErrorCase{"RbacAction",
                  Static(absl::StrCat(kCluster,
                                      "  listener \"mesh\" {\n    address = \"0.0.0.0:1\"\n"
                                      "    filter_chain \"a\" {\n"
                                      "      rbac { action = \"allow\" }\n"
                                      "      tcp_proxy { cluster = \"api\" }\n    }\n  }\n")),
                  "gateway.hcl:9:23: rbac.action: \"allow\" is not ALLOW or DENY"},
        ErrorCase{"SecretFileMissing",
                  Static("  secret \"ca\" { trusted_ca_file = \"missing-ca.pem\" }\n"),
                  "gateway.hcl:3:35: trusted_ca_file: cannot read \"missing-ca.pem\": No such file "
                  "or directory"},
        ErrorCase{
            "SecretBothForms",
            Static("  secret \"ca\" {\n    trusted_ca = \"x\"\n    trusted_ca_file = \"y\"\n  }\n"),
            "gateway.hcl:5:23: trusted_ca_file: set together with trusted_ca; use one"},
        ErrorCase{
            "SecretMixed",
            Static("  secret \"s\" {\n    certificate_chain = \"x\"\n    private_key = \"k\"\n"
                   "    trusted_ca = \"y\"\n  }\n"),
            "gateway.hcl:6:18: trusted_ca: secret \"s\" is a certificate; declare a trust "
            "bundle as its own secret"},
        ErrorCase{"SecretWithoutKey", Static("  secret \"s\" { certificate_chain = \"x\" }\n"),
                  "gateway.hcl:3:3: secret \"s\": certificate_chain without private_key or "
                  "private_key_file"},
        ErrorCase{"SecretEmpty", Static("  secret \"s\" {}\n"),
                  "gateway.hcl:3:3: secret \"s\": empty: set certificate_chain(_file) and "
                  "private_key(_file), or trusted_ca(_file)"},
        ErrorCase{"LbPolicy", Static("  cluster \"c\" { lb_policy = \"maglev\" }\n"),
                  "gateway.hcl:3:29: lb_policy: \"maglev\" is not round_robin, least_request or "
                  "random"},
        ErrorCase{"EndpointNotIp",
                  Static("  cluster \"c\" {\n    endpoint { address = \"db:5432\" }\n  }\n"),
                  "gateway.hcl:4:26: endpoint.address: address \"db\" is not an IP literal"},
        ErrorCase{"EndpointHealth",
                  Static("  cluster \"c\" {\n    endpoint {\n      address = \"10.0.0.1:1\"\n"
                         "      health = \"OK\"\n    }\n  }\n"),
                  "gateway.hcl:6:16: endpoint.health: \"OK\" is not UNKNOWN, HEALTHY, UNHEALTHY, "
                  "DRAINING, TIMEOUT or DEGRADED"},
        ErrorCase{"EndpointWeight",
                  Static("  cluster \"c\" {\n    endpoint {\n      address = \"10.0.0.1:1\"\n"
                         "      weight = 0\n    }\n  }\n"),
                  "gateway.hcl:6:16: endpoint.weight: must be between 1 and 1000000, not 0"},
        ErrorCase{
            "EjectionTimes",
            Static(
                "  cluster \"c\" {\n    outlier_detection { max_ejection_time = \"5s\" }\n  }\n"),
            "gateway.hcl:4:45: outlier_detection.max_ejection_time: max_ejection_time 5s is "
            "below base_ejection_time 30s"},
        ErrorCase{"ConnectTimeoutZero", Static("  cluster \"c\" { connect_timeout = \"0s\" }\n"),
                  "gateway.hcl:3:35: connect_timeout: must be above zero, not 0"},
        ErrorCase{"MatchSanWithoutTrust",
                  Static("  cluster \"c\" {\n    tls { match_san = [\"spiffe://x\"] }\n  }\n"),
                  "gateway.hcl:4:23: tls.match_san: pins peer SANs but no trust bundle is set "
                  "(trust)"},
        ErrorCase{"SeveralErrorsAtOnce",
                  absl::StrCat(kNode, kXds, "log { level = \"loud\" }\nworkers = 9999\n"),
                  "gateway.hcl:3:15: log.level: \"loud\" is not debug, info, warn or error\n"
                  "gateway.hcl:4:11: workers: must be between 0 and 1024, not 9999"}),
    [](const testing::TestParamInfo<ErrorCase>& info) { return std::string(info.param.name); });

TEST(Bootstrap, RelativeFilesResolveAgainstTheFilesFolder) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/certs");
  dir.Write("certs/ca.pem", "CA PEM");
  const std::string path = dir.Write("gateway.hcl", R"(
node { id = "gw" }
static {
  secret "ca" { trusted_ca_file = "certs/ca.pem" }
  secret "inline" { trusted_ca = file("certs/ca.pem") }
}
)");
  absl::StatusOr<Bootstrap> b = LoadBootstrap(path);
  ASSERT_TRUE(b.ok()) << b.status();
  absl::StatusOr<SnapshotPtr> snap = Translate(b->static_resources, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  envoy::extensions::transport_sockets::tls::v3::Secret secret;
  ASSERT_TRUE(b->static_resources.secrets.at("ca").resource->UnpackTo(&secret));
  EXPECT_EQ(secret.validation_context().trusted_ca().filename(), dir.path() + "/certs/ca.pem");
  ASSERT_TRUE(b->static_resources.secrets.at("inline").resource->UnpackTo(&secret));
  EXPECT_EQ(secret.validation_context().trusted_ca().inline_string(), "CA PEM");
}

TEST(Bootstrap, BlocksWrittenAsValues) {
  // hcl/decode accepts a block's attribute form too; such a resource's origin is the static
  // section's position (the syntax walk that finds block positions sees no block).
  absl::StatusOr<Bootstrap> b = ParseBootstrap(R"(node = { id = "gw" }
static {
  cluster = { c = { endpoint = [{ address = "10.0.0.1:1" }] } }
  listener "l" {
    address      = "0.0.0.0:1"
    filter_chain = [{ name = "a", tcp_proxy = { cluster = "c" } }]
  }
}
)",
                                               "gateway.hcl");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->static_resources.clusters.at("c").origin, "gateway.hcl:2:1");
  EXPECT_EQ(b->static_resources.listeners.at("l").origin, "gateway.hcl:4:3");
  absl::StatusOr<SnapshotPtr> snap = Translate(b->static_resources, 1);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->FindListener("l")->chains[0].tcp_proxy().cluster, "c");
  EXPECT_EQ((*snap)->FindCluster("c")->priorities[0].endpoints[0].address.ToString(), "10.0.0.1:1");
}

TEST(Bootstrap, ReadFilesOff) {
  TempDir dir;
  const std::string ca = dir.Write("ca.pem", "CA");
  const BootstrapOptions no_files{.read_files = false};
  absl::StatusOr<Bootstrap> attr = ParseBootstrap(
      absl::StrCat(kNode, "static {\n  secret \"ca\" { trusted_ca_file = \"", ca, "\" }\n}\n"),
      "gateway.hcl", no_files);
  EXPECT_EQ(attr.status().message(),
            "gateway.hcl:3:35: trusted_ca_file: files are not read here (read_files is off)");
  absl::StatusOr<Bootstrap> fn = ParseBootstrap(
      absl::StrCat(kNode, "static {\n  secret \"ca\" { trusted_ca = file(\"", ca, "\") }\n}\n"),
      "gateway.hcl", no_files);
  EXPECT_THAT(std::string(fn.status().message()),
              testing::StartsWith("gateway.hcl:3:30: Call to unknown function; There is no "
                                  "function named \"file\"."));
  EXPECT_TRUE(ParseBootstrap(absl::StrCat(kNode, "static {\n  secret \"ca\" { trusted_ca = file(\"",
                                          ca, "\") }\n}\n"),
                             "gateway.hcl")
                  .ok());
}

TEST(Bootstrap, TranslateErrorsLeadWithTheBlock) {
  // A secret whose file disappears between loading and a later translation: the error names
  // the secret's block.
  TempDir dir;
  dir.Write("ca.pem", "CA");
  const std::string path = dir.Write(
      "gateway.hcl",
      "node { id = \"gw\" }\nstatic {\n  secret \"ca\" { trusted_ca_file = \"ca.pem\" }\n}\n");
  absl::StatusOr<Bootstrap> b = LoadBootstrap(path);
  ASSERT_TRUE(b.ok()) << b.status();
  std::filesystem::remove(dir.path() + "/ca.pem");
  absl::StatusOr<SnapshotPtr> snap = Translate(b->static_resources, 1);
  EXPECT_EQ(snap.status().message(),
            absl::StrCat(path,
                         ":3:3: Secret \"ca\": validation_context.trusted_ca.filename: "
                         "cannot read \"",
                         dir.path(), "/ca.pem\": No such file or directory"));
}

}  // namespace
}  // namespace meshgw::gateway::config
