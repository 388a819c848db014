// Model + peerings + certificates → xDS resources per mesh gateway. See translate.h for the shape
// of what is produced; the comments here say why each piece is the way it is.
#include "control/translate/translate.h"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/sni_cluster/v3/sni_cluster.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"

namespace meshgw::control {
namespace {

namespace cluster = envoy::config::cluster::v3;
namespace core = envoy::config::core::v3;
namespace endpoint = envoy::config::endpoint::v3;
namespace listener = envoy::config::listener::v3;
namespace rbac = envoy::config::rbac::v3;
namespace net = envoy::extensions::filters::network;
namespace tls = envoy::extensions::transport_sockets::tls::v3;

constexpr char kGatewayLeafSecret[] = "mesh-gateway-leaf";
constexpr char kTransportSocketMatchKey[] = "envoy.transport_socket_match";
constexpr absl::Duration kDefaultConnectTimeout = absl::Seconds(5);
// Egress: a refused connection to a local instance moves on to the next endpoint (the picker
// skips tried endpoints and falls through to the next priority), so failover needs no ejection.
constexpr uint32_t kEgressConnectAttempts = 3;

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

const PeeringSet& EmptyPeerings() {
  static const PeeringSet* empty = new PeeringSet();
  return *empty;
}

const CaMaterial& EmptyCa() {
  static const CaMaterial* empty = new CaMaterial();
  return *empty;
}

std::string Partition(const LocalSettings& local) {
  return local.partition.empty() ? "default" : local.partition;
}

bool IsIpLiteral(std::string_view host) {
  std::string h(host);
  in_addr v4;
  in6_addr v6;
  return inet_pton(AF_INET, h.c_str(), &v4) == 1 || inet_pton(AF_INET6, h.c_str(), &v6) == 1;
}

// "127.0.0.1:8503" / "[::1]:8503" → host, port; nullopt when it is not an IP literal and a port.
std::optional<ServiceAddress> ParseIpPort(std::string_view host_port) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  if (!absl::SimpleAtoi(Sv(host_port.substr(colon + 1)), &port) || port <= 0 || port > 65535) {
    return std::nullopt;
  }
  if (!IsIpLiteral(host)) return std::nullopt;
  return ServiceAddress{std::string(host), port};
}

// RE2 syntax: every character that is not a letter, a digit or '_' is escaped.
std::string QuoteRegex(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-';
    if (!plain) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// Every Any built here is normalized when packed, so that the resources holding them are encoded
// as they are (xds::NestedAnys::kNormalized) instead of being decoded and encoded again.
google::protobuf::Any Pack(const google::protobuf::Message& m) { return xds::PackNormalized(m); }

void SetDuration(absl::Duration d, google::protobuf::Duration* out) {
  const int64_t nanos = absl::ToInt64Nanoseconds(d);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

void SetSocketAddress(const ServiceAddress& a, core::Address* out) {
  core::SocketAddress* sa = out->mutable_socket_address();
  sa->set_address(a.address);
  sa->set_port_value(static_cast<uint32_t>(a.port));
}

void SetAds(tls::SdsSecretConfig* sds, std::string_view name) {
  sds->set_name(std::string(name));
  sds->mutable_sds_config()->mutable_ads();
}

xds::ResourcePtr Encode(const google::protobuf::Message& m) {
  absl::StatusOr<xds::ResourcePtr> r = xds::MakeResource(m, xds::NestedAnys::kNormalized);
  // Every message built here has its name set; a failure is a bug in this file.
  if (!r.ok()) {
    MESHGW_LOG(LogLevel::kError, "translate: cannot encode resource",
               {"error", r.status().ToString()});
    return nullptr;
  }
  return *std::move(r);
}

// ---- mesh TLS settings -----------------------------------------------------------------------

absl::StatusOr<tls::TlsParameters::TlsProtocol> TlsVersionOf(const std::string& v,
                                                             const std::string& where) {
  if (v.empty() || v == "TLS_AUTO") return tls::TlsParameters::TLS_AUTO;
  if (v == "TLSv1_0") return tls::TlsParameters::TLSv1_0;
  if (v == "TLSv1_1") return tls::TlsParameters::TLSv1_1;
  if (v == "TLSv1_2") return tls::TlsParameters::TLSv1_2;
  if (v == "TLSv1_3") return tls::TlsParameters::TLSv1_3;
  return absl::InvalidArgumentError(absl::StrCat(
      where, ": \"", v, "\" is not a TLS version (TLS_AUTO, TLSv1_0, TLSv1_1, TLSv1_2, TLSv1_3)"));
}

// Consul takes IANA cipher suite names (as Go's crypto/tls spells them); the gateway takes
// OpenSSL's, as Envoy does. Consul's own list of accepted suites.
absl::StatusOr<std::string> OpenSslCipher(const std::string& iana, const std::string& where) {
  static const auto* table = new std::map<std::string, std::string, std::less<>>{
      {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA-CHACHA20-POLY1305"},
      {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
      {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"},
      {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
      {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
      {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
      {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
      {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
  };
  auto it = table->find(iana);
  if (it != table->end()) return it->second;
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": unknown cipher suite \"", iana,
                   "\" (Consul's names, e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)"));
}

absl::StatusOr<std::optional<tls::TlsParameters>> TlsParams(
    const std::optional<MeshDirectionalTls>& d, const std::string& where) {
  if (!d.has_value()) return std::optional<tls::TlsParameters>();
  tls::TlsParameters p;
  absl::StatusOr<tls::TlsParameters::TlsProtocol> min =
      TlsVersionOf(d->tls_min_version, absl::StrCat(where, ".TLSMinVersion"));
  if (!min.ok()) return min.status();
  absl::StatusOr<tls::TlsParameters::TlsProtocol> max =
      TlsVersionOf(d->tls_max_version, absl::StrCat(where, ".TLSMaxVersion"));
  if (!max.ok()) return max.status();
  p.set_tls_minimum_protocol_version(*min);
  p.set_tls_maximum_protocol_version(*max);
  for (size_t i = 0; i < d->cipher_suites.size(); ++i) {
    absl::StatusOr<std::string> c =
        OpenSslCipher(d->cipher_suites[i], absl::StrCat(where, ".CipherSuites[", i, "]"));
    if (!c.ok()) return c.status();
    p.add_cipher_suites(*c);
  }
  return std::optional<tls::TlsParameters>(std::move(p));
}

// ---- the context of one translation -----------------------------------------------------------

// Indexes of the model's services that a translation asks for again and again. The
// GatewayTranslator keeps them from one model to the next and patches them for the services a
// change touches (ReindexServices), instead of walking every service per change. The pointers are
// into the model's definitions: an index is valid while its model is.
struct ServiceIndex {
  // Local service instances (kind ""), by service name, in ID order.
  std::map<std::string, std::vector<const ServiceDefinition*>, std::less<>> instances;
  // Local service instances with a sidecar declaring upstreams, by ID: the callers egress
  // listeners are built for.
  std::map<std::string, const ServiceDefinition*, std::less<>> callers;
  // The mesh gateways, by ID.
  std::map<std::string, std::shared_ptr<const ServiceDefinition>, std::less<>> gateways;
  // The exported-services entry's peers by service, and the names any exported-services entry
  // names (services that are export candidates without an instance). They depend on entries whose
  // change rebuilds everything, so they are computed only then.
  Model::ExportIndex exports;
  std::set<std::string, std::less<>> named_in_exports;
};

bool IsCaller(const ServiceDefinition& s) {
  return s.connect.has_value() && s.connect->sidecar_service.has_value() &&
         !s.connect->sidecar_service->proxy.upstreams.empty();
}

void IndexService(const std::shared_ptr<const ServiceDefinition>& s, ServiceIndex* index) {
  const std::string& id = s->EffectiveId();
  if (s->kind == "mesh-gateway") index->gateways.emplace(id, s);
  if (!s->kind.empty()) return;
  std::vector<const ServiceDefinition*>& list = index->instances[s->name];
  list.insert(std::lower_bound(list.begin(), list.end(), id,
                               [](const ServiceDefinition* a, const std::string& b) {
                                 return a->EffectiveId() < b;
                               }),
              s.get());
  if (IsCaller(*s)) index->callers.emplace(id, s.get());
}

void UnindexService(const ServiceDefinition& s, ServiceIndex* index) {
  const std::string& id = s.EffectiveId();
  index->gateways.erase(id);
  index->callers.erase(id);
  auto it = index->instances.find(s.name);
  if (it == index->instances.end()) return;
  std::erase_if(it->second, [&](const ServiceDefinition* d) { return d->EffectiveId() == id; });
  if (it->second.empty()) index->instances.erase(it);
}

ServiceIndex IndexModel(const Model& model) {
  ServiceIndex index;
  for (const auto& [id, s] : model.Services()) IndexService(s, &index);
  index.exports = model.ExportedPeersIndex();
  for (const auto& [name, entry] : model.Entries(ConfigEntryKind::kExportedServices)) {
    for (const ExportedService& s : std::get<ExportedServices>(*entry).services) {
      if (s.name != "*") index.named_in_exports.insert(s.name);
    }
  }
  return index;
}

// `index` indexed `before`; afterwards it indexes `after`, which differs in the services `ids`.
void ReindexServices(const Model& before, const Model& after, const std::vector<std::string>& ids,
                     ServiceIndex* index) {
  for (const std::string& id : ids) {
    if (auto s = before.FindService(id)) UnindexService(*s, index);
    if (auto s = after.FindService(id)) IndexService(s, index);
  }
}

// What every gateway of the datacenter shares, computed once per input.
struct Context {
  const TranslateInput* in = nullptr;
  const Model* model = nullptr;
  LocalSettings local;
  std::string td;
  const PeeringSet* peerings = nullptr;
  const CaMaterial* ca = nullptr;
  std::optional<tls::TlsParameters> incoming;  // mesh TLS.Incoming: terminated chains
  std::optional<tls::TlsParameters> outgoing;  // mesh TLS.Outgoing: originated mTLS
  bool peer_through_gateways = false;
  const ServiceIndex* index = nullptr;  // of in->model

  const Peering* FindPeering(std::string_view name) const {
    auto it = peerings->find(name);
    return it == peerings->end() ? nullptr : &it->second;
  }
};

// `index` must index `in.model`.
absl::StatusOr<Context> MakeContext(const TranslateInput& in, const ServiceIndex* index) {
  Context ctx;
  ctx.in = &in;
  ctx.model = &in.model;
  ctx.index = index;
  ctx.local = in.model.local();
  ctx.td = ctx.local.TrustDomain();
  ctx.peerings = in.peerings != nullptr ? in.peerings.get() : &EmptyPeerings();
  ctx.ca = in.ca != nullptr ? in.ca.get() : &EmptyCa();
  ctx.peer_through_gateways = in.model.PeerThroughMeshGateways();
  if (auto mesh = in.model.Get<Mesh>("mesh"); mesh != nullptr && mesh->tls.has_value()) {
    const std::string where =
        absl::StrCat(mesh->origin.empty() ? "" : absl::StrCat(mesh->origin, ": "), "mesh \"",
                     mesh->name, "\": TLS");
    auto incoming = TlsParams(mesh->tls->incoming, absl::StrCat(where, ".Incoming"));
    if (!incoming.ok()) return incoming.status();
    auto outgoing = TlsParams(mesh->tls->outgoing, absl::StrCat(where, ".Outgoing"));
    if (!outgoing.ok()) return outgoing.status();
    ctx.incoming = *std::move(incoming);
    ctx.outgoing = *std::move(outgoing);
  }
  return ctx;
}

const std::vector<const ServiceDefinition*>& InstancesOf(const Context& ctx,
                                                         std::string_view service) {
  static const auto* none = new std::vector<const ServiceDefinition*>();
  auto it = ctx.index->instances.find(service);
  return it == ctx.index->instances.end() ? *none : it->second;
}

absl::Duration ConnectTimeout(const Context& ctx, std::string_view service) {
  if (auto r = ctx.model->Get<ServiceResolver>(service);
      r != nullptr && r->connect_timeout > absl::ZeroDuration()) {
    return r->connect_timeout;
  }
  return kDefaultConnectTimeout;
}

cluster::Cluster EdsCluster(std::string_view name, absl::Duration connect_timeout) {
  cluster::Cluster c;
  c.set_name(std::string(name));
  c.set_type(cluster::Cluster::EDS);
  c.mutable_eds_cluster_config()->mutable_eds_config()->mutable_ads();
  SetDuration(connect_timeout, c.mutable_connect_timeout());
  return c;
}

// The local instances of a service as endpoints (an instance without an IP address cannot be
// dialled by the gateway, which has no resolver on its data path).
void AddLocalEndpoints(const Context& ctx, std::string_view service,
                       endpoint::LocalityLbEndpoints* out) {
  for (const ServiceDefinition* s : InstancesOf(ctx, service)) {
    ServiceAddress a{s->address, s->port};
    if (!IsIpLiteral(a.address) || a.port <= 0 || a.port > 65535) {
      MESHGW_LOG(LogLevel::kWarn, "translate: instance left out (needs an IP address and port)",
                 {"service", s->EffectiveId()}, {"address", a.address}, {"port", a.port});
      continue;
    }
    endpoint::LbEndpoint* lb = out->add_lb_endpoints();
    SetSocketAddress(a, lb->mutable_endpoint()->mutable_address());
  }
}

core::HealthStatus HealthOf(InstanceHealth h) {
  switch (h) {
    case InstanceHealth::kPassing:
    case InstanceHealth::kWarning:
      return core::HEALTHY;
    case InstanceHealth::kCritical:
      return core::UNHEALTHY;
    case InstanceHealth::kMaintenance:
      return core::DRAINING;
  }
  return core::UNKNOWN;
}

void AddGatewayEndpoints(const ImportedService& imported, const Peering& peer, bool tag_with_peer,
                         endpoint::LocalityLbEndpoints* out) {
  for (const ServiceAddress& g : imported.gateways) {
    if (!IsIpLiteral(g.address) || g.port <= 0 || g.port > 65535) {
      MESHGW_LOG(LogLevel::kWarn, "translate: peer gateway left out (needs an IP address)",
                 {"peer", peer.name}, {"service", imported.name}, {"address", g.address});
      continue;
    }
    endpoint::LbEndpoint* lb = out->add_lb_endpoints();
    SetSocketAddress(g, lb->mutable_endpoint()->mutable_address());
    lb->set_health_status(HealthOf(imported.health));
    if (tag_with_peer) {
      google::protobuf::Struct& labels =
          (*lb->mutable_metadata()->mutable_filter_metadata())[kTransportSocketMatchKey];
      (*labels.mutable_fields())["peer"].set_string_value(peer.name);
    }
  }
}

// ---- secrets ---------------------------------------------------------------------------------

std::string BundleSecretName(const std::vector<std::string>& peers) {
  return absl::StrCat("peer-bundle~", absl::StrJoin(peers, ","));
}

std::string LeafSecretName(std::string_view service) { return absl::StrCat("leaf~", Sv(service)); }

tls::Secret CertificateSecret(std::string_view name, const IssuedCert& cert) {
  tls::Secret s;
  s.set_name(std::string(name));
  s.mutable_tls_certificate()->mutable_certificate_chain()->set_inline_string(cert.cert_pem);
  s.mutable_tls_certificate()->mutable_private_key()->set_inline_string(cert.private_key_pem);
  return s;
}

std::string JoinPems(const std::vector<std::string>& pems) {
  std::string out;
  for (const std::string& p : pems) {
    out += p;
    if (!p.empty() && p.back() != '\n') out += '\n';
  }
  return out;
}

// The bundle of the consuming peers that have one (their roots, concatenated); nullopt when none
// has. `peers_out` gets the peers included.
std::optional<tls::Secret> BundleSecret(const Context& ctx, const std::vector<std::string>& peers,
                                        std::vector<std::string>* peers_out) {
  std::vector<std::string> pems;
  for (const std::string& p : peers) {
    const Peering* peering = ctx.FindPeering(p);
    if (peering == nullptr || peering->peer_ca_pems.empty()) continue;
    peers_out->push_back(p);
    for (const std::string& pem : peering->peer_ca_pems) pems.push_back(pem);
  }
  if (peers_out->empty()) return std::nullopt;
  tls::Secret s;
  s.set_name(BundleSecretName(*peers_out));
  s.mutable_validation_context()->mutable_trusted_ca()->set_inline_string(JoinPems(pems));
  return s;
}

// ---- intentions → RBAC -----------------------------------------------------------------------

std::string NamePattern(std::string_view name) {
  return name.empty() || name == "*" ? "[^/]+" : QuoteRegex(name);
}

// The principal regexes a source stands for (reference/consul.md §2.1): a local source names the
// local trust domain, a peer source the peer's trust domain, a sameness group each member.
std::vector<std::string> SourcePatterns(const Context& ctx, const IntentionSource& src) {
  const std::string tail = absl::StrCat("/ns/", NamePattern(src.ns.empty() ? "default" : src.ns),
                                        "/dc/[^/]+/svc/", NamePattern(src.name), "$");
  auto local = [&] { return absl::StrCat("^spiffe://", QuoteRegex(ctx.td), tail); };
  auto peer = [&](std::string_view name) -> std::optional<std::string> {
    const Peering* p = ctx.FindPeering(name);
    if (p == nullptr || p->peer_trust_domain.empty()) return std::nullopt;
    std::string ap;
    if (!p->peer_partition.empty() && p->peer_partition != "default") {
      ap = absl::StrCat("/ap/", QuoteRegex(p->peer_partition));
    }
    return absl::StrCat("^spiffe://", QuoteRegex(p->peer_trust_domain), ap, tail);
  };
  std::vector<std::string> out;
  if (!src.peer.empty()) {
    if (auto p = peer(src.peer)) out.push_back(*p);
  } else if (!src.sameness_group.empty()) {
    if (auto group = ctx.model->Get<SamenessGroup>(src.sameness_group)) {
      for (const SamenessMember& m : group->members) {
        if (!m.peer.empty()) {
          if (auto p = peer(m.peer)) out.push_back(*p);
        } else if (m.partition.empty() || m.partition == Partition(ctx.local)) {
          out.push_back(local());
        }
      }
    }
  } else {
    out.push_back(local());
  }
  return out;
}

rbac::Principal PrincipalOf(const std::vector<std::string>& patterns) {
  rbac::Principal out;
  auto one = [](const std::string& p, rbac::Principal* dst) {
    dst->mutable_authenticated()->mutable_principal_name()->mutable_safe_regex()->set_regex(p);
  };
  if (patterns.size() == 1) {
    one(patterns[0], &out);
  } else {
    for (const std::string& p : patterns) one(p, out.mutable_or_ids()->add_ids());
  }
  return out;
}

// Consul's network RBAC for a default-deny datacenter: one ALLOW policy per allowing source, in
// precedence order, each minus the denying sources of higher precedence. A source with L7
// Permissions cannot be enforced by a TCP filter: like Consul on an L4 listener, it counts as a
// deny.
net::rbac::v3::RBAC IntentionsRbac(const Context& ctx, std::string_view service) {
  struct Ranked {
    const IntentionSource* source;
    int precedence;
    bool allow;
  };
  std::vector<Ranked> ranked;
  for (std::string_view dest : {service, std::string_view("*")}) {
    auto entry = ctx.model->Get<ServiceIntentions>(dest);
    if (entry == nullptr) continue;
    for (const IntentionSource& s : entry->sources) {
      const int precedence = s.precedence != 0 ? s.precedence : IntentionPrecedence(s, *entry);
      const bool allow = s.permissions.empty() && s.action == IntentionAction::kAllow;
      ranked.push_back(Ranked{&s, precedence, allow});
    }
    if (dest == "*") break;
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Ranked& a, const Ranked& b) { return a.precedence > b.precedence; });
  net::rbac::v3::RBAC filter;
  filter.set_stat_prefix("connect_authz");
  rbac::RBAC* rules = filter.mutable_rules();
  rules->set_action(rbac::RBAC::ALLOW);
  std::vector<std::vector<std::string>> denies;  // of higher precedence than what follows
  int index = 0;
  for (const Ranked& r : ranked) {
    std::vector<std::string> patterns = SourcePatterns(ctx, *r.source);
    if (patterns.empty()) continue;  // a peer we know nothing of: no certificate can match
    if (!r.allow) {
      denies.push_back(std::move(patterns));
      continue;
    }
    rbac::Policy policy;
    policy.add_permissions()->set_any(true);
    if (denies.empty()) {
      *policy.add_principals() = PrincipalOf(patterns);
    } else {
      rbac::Principal* all = policy.add_principals();
      *all->mutable_and_ids()->add_ids() = PrincipalOf(patterns);
      for (const auto& deny : denies) {
        *all->mutable_and_ids()->add_ids()->mutable_not_id() = PrincipalOf(deny);
      }
    }
    // Zero-padded so that the gateway's key order is the precedence order.
    (*rules->mutable_policies())[absl::StrCat("consul-intentions-layer4-",
                                              absl::Dec(index++, absl::kZeroPad3))] = policy;
  }
  return filter;
}

listener::Filter TcpProxyFilter(std::string_view stat_prefix, std::string_view cluster_name,
                                uint32_t max_connect_attempts = 0) {
  net::tcp_proxy::v3::TcpProxy proxy;
  proxy.set_stat_prefix(std::string(stat_prefix));
  if (!cluster_name.empty()) proxy.set_cluster(std::string(cluster_name));
  if (max_connect_attempts > 0)
    proxy.mutable_max_connect_attempts()->set_value(max_connect_attempts);
  listener::Filter f;
  f.set_name("envoy.filters.network.tcp_proxy");
  *f.mutable_typed_config() = Pack(proxy);
  return f;
}

// ---- units: what one service contributes to every gateway of the datacenter ----------------

// A filter chain of the mesh listener, encoded once as the listener's field `filter_chains` (3)
// with the hash of those bytes: every gateway's listener is assembled from the same encoded
// chains, so a change re-encodes only the chains it touches.
struct EncodedChain {
  std::string field;  // tag, length, SerializeNormalized(chain)
  uint64_t hash = 0;
};

EncodedChain EncodeChain(listener::FilterChain chain) {
  listener::Listener only_this_chain;  // encodes as exactly the one `filter_chains` field
  only_this_chain.mutable_filter_chains()->Add(std::move(chain));
  EncodedChain out;
  out.field = xds::SerializeNormalized(only_this_chain, xds::NestedAnys::kNormalized);
  out.hash = xds::ContentHash(out.field);
  return out;
}

// An exported service: its chain on the mesh listener and the resources the chain needs.
struct ExportedUnit {
  // Shared with the service's previous unit when the bytes are the same, so that the mesh
  // listener's chain list need not change.
  std::shared_ptr<const EncodedChain> chain;
  std::vector<xds::ResourcePtr> resources;  // cluster, assignment, bundle secret
  bool needs_gateway_leaf = false;
};

// A local service reachable by SNI through the catch-all chain.
struct LocalUnit {
  std::vector<xds::ResourcePtr> resources;  // cluster, assignment
};

ExportedUnit BuildExported(const Context& ctx, const std::string& service) {
  ExportedUnit unit;
  std::vector<std::string> peers = ctx.index->exports.PeersOf(service);
  if (peers.empty()) return unit;
  const std::string protocol = ctx.model->ServiceProtocol(service);
  const bool terminate = protocol == "http" || protocol == "http2" || protocol == "grpc";
  const std::string cluster_name = ExportedClusterName(service, ctx.local);

  listener::FilterChain chain;
  chain.set_name(cluster_name);
  if (terminate) {
    if (ctx.ca->gateway_leaf.cert_pem.empty()) {
      MESHGW_LOG(LogLevel::kWarn,
                 "translate: exported chain left out until the gateway leaf exists",
                 {"service", service});
      return unit;
    }
    std::vector<std::string> with_bundle;
    std::optional<tls::Secret> bundle = BundleSecret(ctx, peers, &with_bundle);
    if (!bundle.has_value()) {
      MESHGW_LOG(LogLevel::kWarn,
                 "translate: exported chain left out until a consuming peer's bundle arrives",
                 {"service", service}, {"peers", absl::StrJoin(peers, ",")});
      return unit;
    }
    peers = with_bundle;  // a peer whose roots we do not have could not be verified anyway
    tls::DownstreamTlsContext context;
    tls::CommonTlsContext* common = context.mutable_common_tls_context();
    if (ctx.incoming.has_value()) *common->mutable_tls_params() = *ctx.incoming;
    SetAds(common->add_tls_certificate_sds_secret_configs(), kGatewayLeafSecret);
    SetAds(common->mutable_validation_context_sds_secret_config(), bundle->name());
    context.mutable_require_client_certificate()->set_value(true);
    core::TransportSocket* socket = chain.mutable_transport_socket();
    socket->set_name("envoy.transport_sockets.tls");
    *socket->mutable_typed_config() = Pack(context);

    // The intentions travel as their own resource (ECDS), which the filter names: an intention
    // change resends that resource, not the listener that holds every exported chain. No
    // default configuration: until the gateway has it, the chain admits nobody.
    const std::string intentions = IntentionsConfigName(service);
    listener::Filter* rbac_filter = chain.add_filters();
    rbac_filter->set_name(intentions);
    core::ExtensionConfigSource* discovery = rbac_filter->mutable_config_discovery();
    discovery->mutable_config_source()->mutable_ads();
    discovery->mutable_config_source()->set_resource_api_version(core::V3);
    discovery->add_type_urls(Pack(net::rbac::v3::RBAC()).type_url());
    core::TypedExtensionConfig config;
    config.set_name(intentions);
    *config.mutable_typed_config() = Pack(IntentionsRbac(ctx, service));
    unit.resources.push_back(Encode(config));
    unit.resources.push_back(Encode(*bundle));
    unit.needs_gateway_leaf = true;
  }
  for (const std::string& peer : peers) {
    chain.mutable_filter_chain_match()->add_server_names(
        PeeredServiceSni(service, peer, ctx.local));
  }
  *chain.add_filters() =
      TcpProxyFilter(absl::StrCat("mesh_gateway_local_peered.", service), cluster_name);
  unit.chain = std::make_shared<const EncodedChain>(EncodeChain(std::move(chain)));

  cluster::Cluster c = EdsCluster(cluster_name, ConnectTimeout(ctx, service));
  c.mutable_outlier_detection();
  endpoint::ClusterLoadAssignment cla;
  cla.set_cluster_name(cluster_name);
  AddLocalEndpoints(ctx, service, cla.add_endpoints());
  // A service with instances has its local cluster (BuildLocal), whose assignment holds the same
  // endpoints: this cluster names that one (eds_cluster_config.service_name) instead of carrying
  // a copy, one resource fewer per exported service for every gateway to decode and hold. An
  // exported service without instances has no local cluster: its own, empty, assignment.
  const bool shares_local_assignment = ctx.index->instances.contains(service);
  if (shares_local_assignment) {
    c.mutable_eds_cluster_config()->set_service_name(LocalServiceSni(service, ctx.local));
  }
  // service-defaults MaxInboundConnections caps each instance's inbound connections (Consul
  // applies it on the instance's sidecar). This cluster reaches every instance, so its circuit
  // breaker admits MaxInboundConnections × the instances in it, instead of the gateway's default
  // (Envoy's 1,024), which would refuse connections the instances accept. Unset (0), or no
  // instance, keeps the default.
  if (auto sd = ctx.model->Get<ServiceDefaults>(service);
      sd != nullptr && sd->max_inbound_connections > 0 &&
      cla.endpoints(0).lb_endpoints_size() > 0) {
    const uint64_t limit = static_cast<uint64_t>(sd->max_inbound_connections) *
                           static_cast<uint64_t>(cla.endpoints(0).lb_endpoints_size());
    constexpr uint64_t kMaxThreshold = 0xffffffffu;  // max_connections is a UInt32Value
    c.mutable_circuit_breakers()->add_thresholds()->mutable_max_connections()->set_value(
        static_cast<uint32_t>(std::min(limit, kMaxThreshold)));
  }
  unit.resources.push_back(Encode(c));
  if (!shares_local_assignment) unit.resources.push_back(Encode(cla));
  return unit;
}

LocalUnit BuildLocal(const Context& ctx, const std::string& service) {
  LocalUnit unit;
  const std::string name = LocalServiceSni(service, ctx.local);
  cluster::Cluster c = EdsCluster(name, ConnectTimeout(ctx, service));
  c.mutable_outlier_detection();
  endpoint::ClusterLoadAssignment cla;
  cla.set_cluster_name(name);
  AddLocalEndpoints(ctx, service, cla.add_endpoints());
  unit.resources.push_back(Encode(c));
  unit.resources.push_back(Encode(cla));
  return unit;
}

// Imported services reachable through the catch-all (sidecars that send the peered SNI through
// their local gateway, Consul's MeshGateway.Mode = "local"): passed through to the exporter's
// gateways, end-to-end mTLS intact. One cluster per distinct sni[0].
std::vector<xds::ResourcePtr> BuildImportedPassthrough(const Context& ctx) {
  std::vector<xds::ResourcePtr> out;
  std::set<std::string> seen;
  for (const auto& [name, peer] : *ctx.peerings) {
    if (peer.state == PeeringState::kDeleting || peer.state == PeeringState::kTerminated) continue;
    for (const ImportedService& s : peer.imported) {
      if (s.sni.empty() || !seen.insert(s.sni[0]).second) continue;
      cluster::Cluster c = EdsCluster(s.sni[0], kDefaultConnectTimeout);
      c.mutable_outlier_detection();
      endpoint::ClusterLoadAssignment cla;
      cla.set_cluster_name(s.sni[0]);
      AddGatewayEndpoints(s, peer, /*tag_with_peer=*/false, cla.add_endpoints());
      out.push_back(Encode(c));
      out.push_back(Encode(cla));
    }
  }
  return out;
}

// ---- peering control plane ---------------------------------------------------------------------

struct ServerChains {
  std::vector<EncodedChain> chains;  // sorted by name
  std::vector<xds::ResourcePtr> resources;
};

ServerChains BuildServerChains(const Context& ctx) {
  ServerChains out;
  if (!ctx.peer_through_gateways) return out;
  std::map<std::string, std::vector<ServiceAddress>> targets;  // server name → addresses
  std::map<std::string, std::string> stat_prefix;
  const std::string inbound = PeeringServerName(ctx.local);
  for (const ServiceAddress& a : ctx.in->local_servers) {
    if (!IsIpLiteral(a.address) || a.port <= 0 || a.port > 65535) {
      MESHGW_LOG(LogLevel::kWarn, "translate: local server left out (needs an IP address)",
                 {"address", a.address});
      continue;
    }
    targets[inbound].push_back(a);
  }
  targets.try_emplace(inbound);
  stat_prefix[inbound] = "mesh_gateway_local_peering_server";
  for (const auto& [name, peer] : *ctx.peerings) {
    if (peer.peer_server_name.empty() || peer.peer_server_addresses.empty()) continue;
    if (peer.state == PeeringState::kDeleting || peer.state == PeeringState::kTerminated) continue;
    if (peer.peer_server_name == inbound) {
      MESHGW_LOG(LogLevel::kWarn, "translate: peer's server name is our own; left out",
                 {"peer", name}, {"server_name", peer.peer_server_name});
      continue;
    }
    std::vector<ServiceAddress>& addresses = targets[peer.peer_server_name];
    stat_prefix[peer.peer_server_name] = "mesh_gateway_remote_peering_servers";
    for (const std::string& hp : peer.peer_server_addresses) {
      std::optional<ServiceAddress> a = ParseIpPort(hp);
      if (!a.has_value()) {
        MESHGW_LOG(LogLevel::kWarn, "translate: peer server address left out (needs IP:port)",
                   {"peer", name}, {"address", hp});
        continue;
      }
      if (std::find(addresses.begin(), addresses.end(), *a) == addresses.end()) {
        addresses.push_back(*a);
      }
    }
  }
  // std::map: chains come out sorted by name, so the listener does not change when only the order
  // of peerings does.
  for (const auto& [name, addresses] : targets) {
    listener::FilterChain chain;
    chain.set_name(name);
    chain.mutable_filter_chain_match()->add_server_names(name);
    *chain.add_filters() = TcpProxyFilter(absl::StrCat(stat_prefix[name], ".", name), name);
    out.chains.push_back(EncodeChain(std::move(chain)));
    cluster::Cluster c = EdsCluster(name, kDefaultConnectTimeout);
    c.mutable_outlier_detection();
    endpoint::ClusterLoadAssignment cla;
    cla.set_cluster_name(name);
    endpoint::LocalityLbEndpoints* level = cla.add_endpoints();
    for (const ServiceAddress& a : addresses) {
      SetSocketAddress(a, level->add_lb_endpoints()->mutable_endpoint()->mutable_address());
    }
    out.resources.push_back(Encode(c));
    out.resources.push_back(Encode(cla));
  }
  return out;
}

// ---- egress
// --------------------------------------------------------------------------------------

// One target of an egress cluster, in failover order: the local instances (peer empty) or a
// peer's gateways.
struct EgressTarget {
  std::string peer;
};

// The failover order of `service` reached from here with `destination_peer` as the declared
// target: the DefaultForFailover sameness group's members, else the service-resolver's failover
// targets after the local service; the declared peer is always among them.
std::vector<EgressTarget> FailoverOrder(const Context& ctx, std::string_view service,
                                        std::string_view destination_peer) {
  std::vector<EgressTarget> order;
  auto add = [&](std::string_view peer) {
    for (const EgressTarget& t : order) {
      if (t.peer == peer) return;
    }
    order.push_back(EgressTarget{std::string(peer)});
  };
  const SamenessGroup* group = nullptr;
  for (const auto& [name, entry] : ctx.model->Entries(ConfigEntryKind::kSamenessGroup)) {
    const SamenessGroup& g = std::get<SamenessGroup>(*entry);
    if (g.default_for_failover) {
      group = &g;
      break;  // the first by name: Consul allows one per partition
    }
  }
  auto resolver = ctx.model->Get<ServiceResolver>(service);
  const ResolverFailover* failover = nullptr;
  if (resolver != nullptr) {
    auto it = resolver->failover.find("*");
    if (it == resolver->failover.end()) it = resolver->failover.find("");
    if (it != resolver->failover.end()) failover = &it->second;
  }
  auto add_group = [&](const SamenessGroup& g) {
    for (const SamenessMember& m : g.members) {
      if (!m.peer.empty()) {
        add(m.peer);
      } else if (m.partition.empty() || m.partition == Partition(ctx.local)) {
        add("");
      }
    }
  };
  if (failover != nullptr) {
    add("");
    for (const FailoverTarget& t : failover->targets) {
      if (!t.datacenter.empty() || (!t.service.empty() && t.service != service)) continue;
      add(t.peer);
    }
    if (!failover->sameness_group.empty()) {
      if (auto g = ctx.model->Get<SamenessGroup>(failover->sameness_group)) add_group(*g);
    }
  } else if (group != nullptr) {
    add_group(*group);
  }
  add(destination_peer);
  return order;
}

tls::UpstreamTlsContext PeerTlsContext(const Context& ctx, const ImportedService& imported,
                                       const std::string& bundle_secret, std::string_view caller) {
  tls::UpstreamTlsContext context;
  tls::CommonTlsContext* common = context.mutable_common_tls_context();
  if (ctx.outgoing.has_value()) *common->mutable_tls_params() = *ctx.outgoing;
  SetAds(common->add_tls_certificate_sds_secret_configs(), LeafSecretName(caller));
  auto* combined = common->mutable_combined_validation_context();
  for (const std::string& id : imported.spiffe_ids) {
    tls::SubjectAltNameMatcher* san =
        combined->mutable_default_validation_context()->add_match_typed_subject_alt_names();
    san->set_san_type(tls::SubjectAltNameMatcher::URI);
    san->mutable_matcher()->set_exact(id);
  }
  SetAds(combined->mutable_validation_context_sds_secret_config(), bundle_secret);
  context.set_sni(imported.sni.empty() ? "" : imported.sni[0]);
  return context;
}

struct EgressResources {
  std::vector<listener::Listener> listeners;
  std::vector<xds::ResourcePtr> resources;
};

// The egress listeners a gateway holds: with one gateway in the datacenter, every peered upstream;
// with several, those bound to the gateway's own address (a listener on an address the host does
// not have would make the gateway reject the whole configuration).
EgressResources BuildEgress(const Context& ctx, const ServiceDefinition& gateway,
                            bool only_gateway) {
  EgressResources out;
  std::set<std::pair<std::string, int>> bound = {{gateway.address, gateway.port}};
  for (const auto& [id, svc] : ctx.index->callers) {
    const std::string& caller = svc->name;
    for (const ServiceUpstream& up : svc->connect->sidecar_service->proxy.upstreams) {
      if (up.destination_peer.empty()) continue;
      const std::string bind_address =
          up.local_bind_address.empty() ? "127.0.0.1" : up.local_bind_address;
      const std::string where =
          absl::StrCat("service ", svc->EffectiveId(), " upstream ", up.destination_name, " (peer ",
                       up.destination_peer, ")");
      if (!only_gateway && bind_address != gateway.address) continue;
      if (!IsIpLiteral(bind_address) || up.local_bind_port <= 0 || up.local_bind_port > 65535) {
        MESHGW_LOG(LogLevel::kWarn, "translate: egress left out (bind needs an IP and a port)",
                   {"upstream", where});
        continue;
      }
      if (!bound.insert({bind_address, up.local_bind_port}).second) {
        MESHGW_LOG(LogLevel::kWarn, "translate: egress left out (address already bound)",
                   {"upstream", where},
                   {"bind", absl::StrCat(bind_address, ":", up.local_bind_port)});
        continue;
      }
      // Targets with something to reach: local instances, or a peer that imports the service to
      // us with gateways and roots.
      struct Resolved {
        const Peering* peer = nullptr;  // null: local
        const ImportedService* imported = nullptr;
      };
      std::vector<Resolved> targets;
      for (const EgressTarget& t : FailoverOrder(ctx, up.destination_name, up.destination_peer)) {
        if (t.peer.empty()) {
          if (!InstancesOf(ctx, up.destination_name).empty()) targets.push_back(Resolved{});
          continue;
        }
        const Peering* p = ctx.FindPeering(t.peer);
        if (p == nullptr || p->peer_ca_pems.empty()) continue;
        const ImportedService* imported = p->FindImported(up.destination_name);
        if (imported == nullptr || imported->sni.empty() || imported->gateways.empty()) continue;
        targets.push_back(Resolved{p, imported});
      }
      if (targets.empty()) {
        MESHGW_LOG(LogLevel::kWarn, "translate: egress left out (nothing to reach yet)",
                   {"upstream", where});
        continue;
      }
      const bool any_peer = targets.size() > 1 || targets[0].peer != nullptr;
      auto leaf = ctx.ca->service_leaves.find(caller);
      if (any_peer && (leaf == ctx.ca->service_leaves.end() || leaf->second.cert_pem.empty())) {
        MESHGW_LOG(LogLevel::kWarn, "translate: egress left out until the caller's leaf exists",
                   {"upstream", where});
        continue;
      }
      const std::string cluster_name =
          absl::StrCat("egress~", caller, "~", up.destination_name, ".", up.destination_peer);
      cluster::Cluster c = EdsCluster(cluster_name, ConnectTimeout(ctx, up.destination_name));
      c.mutable_outlier_detection();
      endpoint::ClusterLoadAssignment cla;
      cla.set_cluster_name(cluster_name);
      // One peer and nothing else: the cluster's own transport socket, as Consul would send it.
      // Anything mixed: plain TCP by default, and one transport socket match per peer.
      const bool single_peer = targets.size() == 1 && targets[0].peer != nullptr;
      for (size_t priority = 0; priority < targets.size(); ++priority) {
        const Resolved& t = targets[priority];
        endpoint::LocalityLbEndpoints* level = cla.add_endpoints();
        level->set_priority(static_cast<uint32_t>(priority));
        if (t.peer == nullptr) {
          AddLocalEndpoints(ctx, up.destination_name, level);
          continue;
        }
        const std::string bundle = BundleSecretName({t.peer->name});
        std::vector<std::string> included;
        std::optional<tls::Secret> secret = BundleSecret(ctx, {t.peer->name}, &included);
        if (secret.has_value()) out.resources.push_back(Encode(*secret));
        core::TransportSocket socket;
        socket.set_name("envoy.transport_sockets.tls");
        *socket.mutable_typed_config() = Pack(PeerTlsContext(ctx, *t.imported, bundle, caller));
        if (single_peer) {
          *c.mutable_transport_socket() = socket;
        } else {
          cluster::Cluster::TransportSocketMatch* match = c.add_transport_socket_matches();
          match->set_name(absl::StrCat("peer:", t.peer->name));
          (*match->mutable_match()->mutable_fields())["peer"].set_string_value(t.peer->name);
          *match->mutable_transport_socket() = std::move(socket);
        }
        AddGatewayEndpoints(*t.imported, *t.peer, /*tag_with_peer=*/!single_peer, level);
      }
      if (any_peer) {
        out.resources.push_back(Encode(CertificateSecret(LeafSecretName(caller), leaf->second)));
      }
      out.resources.push_back(Encode(c));
      out.resources.push_back(Encode(cla));

      listener::Listener l;
      l.set_name(absl::StrCat("egress:", bind_address, ":", up.local_bind_port));
      SetSocketAddress(ServiceAddress{bind_address, up.local_bind_port}, l.mutable_address());
      l.set_stat_prefix(absl::StrCat("upstream.", up.destination_name, ".", up.destination_peer));
      listener::FilterChain* chain = l.add_filter_chains();
      chain->set_name(cluster_name);
      *chain->add_filters() =
          TcpProxyFilter(absl::StrCat("upstream.", up.destination_name, ".", up.destination_peer),
                         cluster_name, kEgressConnectAttempts);
      out.listeners.push_back(std::move(l));
    }
  }
  return out;
}

// ---- the base: what every gateway of the datacenter shares ------------------------------------

// The catch-all chain: the cluster named by the SNI (local services, imported passthrough).
EncodedChain CatchAllChain() {
  listener::FilterChain catch_all;
  catch_all.set_name("catch-all");
  listener::Filter* sni = catch_all.add_filters();
  sni->set_name("envoy.filters.network.sni_cluster");
  *sni->mutable_typed_config() = Pack(net::sni_cluster::v3::SniCluster());
  *catch_all.add_filters() = TcpProxyFilter("mesh_gateway_local.default", "");
  return EncodeChain(std::move(catch_all));
}

using Resources = std::vector<xds::ResourcePtr>;

// The base snapshot (the resources every gateway's snapshot starts from, sharing its maps), the
// units it is made of and the mesh listener's filter chains in Consul's order. A translation
// derives the next base from the last one: it rebuilds the units a change touches and swaps their
// resources, so that the rest of the base, and the units' maps, are not walked (a change of every
// unit starts from an empty Base instead).
struct Base {
  // Every export candidate (a name an exported-services entry names, or a service with instances;
  // PeersExportedTo decides whether it has a chain), and every service with instances.
  std::map<std::string, std::shared_ptr<const ExportedUnit>, std::less<>> exported;
  std::map<std::string, std::shared_ptr<const LocalUnit>, std::less<>> local;
  std::shared_ptr<const Resources> imported;
  std::shared_ptr<const ServerChains> servers;
  // The gateway leaf's secret, while a terminated chain needs it: `leaf_users` counts those.
  std::shared_ptr<const Resources> gateway_leaf;
  size_t leaf_users = 0;

  // Units share a resource name only for equal content (one consuming peers' bundle), so a name
  // leaves the base with its last provider.
  std::map<std::pair<std::string, std::string>, int> providers;  // (type URL, name) → count
  std::shared_ptr<const xds::ResourceSnapshot> snapshot;

  // The exported services' chains, by name (the name is the key in `exported`, the chain its
  // unit's), patched as units change; then, of the mesh listener's chains in Consul's order, the
  // hash of their hashes.
  struct ChainRef {
    std::string_view name;
    const EncodedChain* chain;
  };
  std::vector<ChainRef> exported_chains;
  uint64_t chains_hash = 0;
  // The chains encoded one after the other: the middle of every gateway's mesh listener, held
  // once for all of them (megabytes at ten thousand services).
  std::shared_ptr<const std::string> chains_payload;

  size_t built = 0;  // units built by the last translation
};

// Swaps one unit's resources in `snap`: `next` in (null: none), then `previous` out (null: none),
// so that a name both hold stays. A resource whose version the base already has is not written:
// the base's map of that type is then not copied.
void SwapResources(const Resources* previous, const Resources* next, xds::ResourceSnapshot* snap,
                   Base* base) {
  if (next != nullptr) {
    for (const xds::ResourcePtr& r : *next) {
      if (r == nullptr) continue;
      ++base->providers[{r->body.type_url(), r->name}];
      const xds::Resource* have = snap->Find(r->body.type_url(), r->name);
      if (have == nullptr || have->version != r->version) snap->Add(r);
    }
  }
  if (previous != nullptr) {
    for (const xds::ResourcePtr& r : *previous) {
      if (r == nullptr) continue;
      auto it = base->providers.find({r->body.type_url(), r->name});
      if (it == base->providers.end() || --it->second > 0) continue;
      snap->Remove(r->body.type_url(), r->name);
      base->providers.erase(it);
    }
  }
}

template <typename Unit>
const Resources* ResourcesOf(const std::shared_ptr<const Unit>& unit) {
  return unit != nullptr ? &unit->resources : nullptr;
}

// Puts `chain` (null: none) in the exported chains as the chain of `name`.
void SetExportedChain(std::string_view name, const EncodedChain* chain, Base* base) {
  std::vector<Base::ChainRef>& refs = base->exported_chains;
  auto it =
      std::lower_bound(refs.begin(), refs.end(), name,
                       [](const Base::ChainRef& r, std::string_view n) { return r.name < n; });
  const bool found = it != refs.end() && it->name == name;
  if (chain == nullptr) {
    if (found) refs.erase(it);
  } else if (found) {
    it->chain = chain;
  } else {
    refs.insert(it, Base::ChainRef{name, chain});
  }
}

// Rebuilds the units of one service. Returns whether its chain changed.
bool RebuildService(const Context& ctx, const std::string& name, xds::ResourceSnapshot* snap,
                    Base* base) {
  const bool has_instances = ctx.index->instances.contains(name);
  auto slot = base->exported.find(name);
  std::shared_ptr<const ExportedUnit> previous;
  if (slot != base->exported.end()) previous = slot->second;
  std::shared_ptr<const ExportedUnit> exported;
  if (has_instances || ctx.index->named_in_exports.contains(name)) {
    ExportedUnit unit = BuildExported(ctx, name);
    if (previous != nullptr && previous->chain != nullptr && unit.chain != nullptr &&
        previous->chain->field == unit.chain->field) {
      unit.chain = previous->chain;
    }
    exported = std::make_shared<const ExportedUnit>(std::move(unit));
    ++base->built;
  }
  // A unit without a chain contributes nothing.
  auto in_base = [](const std::shared_ptr<const ExportedUnit>& u) {
    return u != nullptr && u->chain != nullptr;
  };
  SwapResources(in_base(previous) ? &previous->resources : nullptr,
                in_base(exported) ? &exported->resources : nullptr, snap, base);
  if (in_base(previous) && previous->needs_gateway_leaf) --base->leaf_users;
  if (in_base(exported) && exported->needs_gateway_leaf) ++base->leaf_users;
  const EncodedChain* chain = exported != nullptr ? exported->chain.get() : nullptr;
  const bool chain_changed = chain != (previous != nullptr ? previous->chain.get() : nullptr);
  // The map's node keeps its place while the service has a unit: the chain list names it by it.
  if (exported == nullptr) {
    if (slot != base->exported.end()) {
      SetExportedChain(name, nullptr, base);
      base->exported.erase(slot);
    }
  } else {
    if (slot == base->exported.end()) slot = base->exported.emplace(name, nullptr).first;
    slot->second = std::move(exported);
    if (chain_changed) SetExportedChain(slot->first, chain, base);
  }

  std::shared_ptr<const LocalUnit> local;
  if (has_instances) {
    local = std::make_shared<const LocalUnit>(BuildLocal(ctx, name));
    ++base->built;
  }
  std::shared_ptr<const LocalUnit> previous_local;
  if (auto it = base->local.find(name); it != base->local.end()) {
    previous_local = std::move(it->second);
    base->local.erase(it);
  }
  SwapResources(ResourcesOf(previous_local), ResourcesOf(local), snap, base);
  if (local != nullptr) base->local.emplace(name, std::move(local));
  return chain_changed;
}

void RebuildServers(const Context& ctx, xds::ResourceSnapshot* snap, Base* base) {
  auto next = std::make_shared<const ServerChains>(BuildServerChains(ctx));
  SwapResources(ResourcesOf(base->servers), &next->resources, snap, base);
  base->servers = std::move(next);
}

void RebuildImported(const Context& ctx, xds::ResourceSnapshot* snap, Base* base) {
  auto next = std::make_shared<const Resources>(BuildImportedPassthrough(ctx));
  SwapResources(base->imported.get(), next.get(), snap, base);
  base->imported = std::move(next);
}

// The gateway leaf's secret is in the base while a terminated chain needs it.
void RefreshGatewayLeaf(const Context& ctx, xds::ResourceSnapshot* snap, Base* base) {
  if (base->leaf_users > 0 && base->gateway_leaf == nullptr) {
    base->gateway_leaf = std::make_shared<const Resources>(
        1, Encode(CertificateSecret(kGatewayLeafSecret, ctx.ca->gateway_leaf)));
    SwapResources(nullptr, base->gateway_leaf.get(), snap, base);
  } else if (base->leaf_users == 0 && base->gateway_leaf != nullptr) {
    SwapResources(base->gateway_leaf.get(), nullptr, snap, base);
    base->gateway_leaf = nullptr;
  }
}

const EncodedChain& CatchAll() {
  static const EncodedChain* const catch_all = new EncodedChain(CatchAllChain());
  return *catch_all;
}

// The mesh listener's chains in Consul's order: the exported services' (by name), then the
// peering servers', then the catch-all. Remote-datacenter chains (`*.<dc>.internal.<td>`) would
// come before the peering servers'; they need WAN federation, which the model does not hold.
template <typename F>
void ForEachChain(const Base& base, F f) {
  for (const Base::ChainRef& r : base.exported_chains) f(*r.chain);
  for (const EncodedChain& chain : base.servers->chains) f(chain);
  f(CatchAll());
}

// The chains' hash and payload, from every chain in order (one pass to size, one to join).
void JoinChains(Base* base) {
  size_t count = 0;
  size_t bytes = 0;
  ForEachChain(*base, [&](const EncodedChain& c) {
    ++count;
    bytes += c.field.size();
  });
  std::string hashes;
  hashes.reserve(count * sizeof(uint64_t));
  auto payload = std::make_shared<std::string>();
  payload->reserve(bytes);
  ForEachChain(*base, [&](const EncodedChain& c) {
    hashes.append(reinterpret_cast<const char*>(&c.hash), sizeof(c.hash));
    payload->append(c.field);
  });
  base->chains_hash = xds::ContentHash(hashes);
  base->chains_payload = std::move(payload);
}

// What a change touches: every unit, or the units of `services` (names) and the peering chains.
struct Touched {
  bool all = true;
  std::set<std::string, std::less<>> services;
  bool servers = false;
};

// Derives `base` for `ctx` from what it was for the last input, rebuilding what `touched` says.
void UpdateBase(const Context& ctx, const Touched& touched, Base* base) {
  bool chains_moved = false;
  xds::ResourceSnapshot snap;
  if (touched.all) {
    *base = Base();
  } else {
    snap = *base->snapshot;  // shares its maps; a map is copied when first written
  }
  base->built = 0;
  if (touched.all) {
    std::set<std::string, std::less<>> names = ctx.index->named_in_exports;
    for (const auto& [name, list] : ctx.index->instances) names.insert(name);
    for (const std::string& name : names) RebuildService(ctx, name, &snap, base);
    RebuildImported(ctx, &snap, base);
    chains_moved = true;
  } else {
    for (const std::string& name : touched.services) {
      chains_moved = RebuildService(ctx, name, &snap, base) || chains_moved;
    }
  }
  if (touched.all || touched.servers) {
    RebuildServers(ctx, &snap, base);
    chains_moved = true;
  }
  RefreshGatewayLeaf(ctx, &snap, base);
  base->snapshot = std::make_shared<const xds::ResourceSnapshot>(std::move(snap));
  if (chains_moved) JoinChains(base);
}

// The mesh listener of one gateway: its name and address, the shared chains (held once for every
// gateway: the resource's shared payload), its filters. The
// fields are written in field-number order (name 1, address 2, filter_chains 3, listener_filters
// 9, stat_prefix 28), so the bytes are those of serializing the whole Listener deterministically;
// the version comes from the parts' hashes rather than from hashing megabytes per gateway, and
// the mesh listener of `previous` (the gateway's last snapshot, or null) is returned as it is
// when the version says nothing changed.
xds::ResourcePtr MeshListener(const Base& base, const ServiceDefinition& gateway,
                              const xds::ResourceSnapshot* previous) {
  listener::Listener head;  // the fields before filter_chains
  head.set_name(absl::StrCat("default:", gateway.address, ":", gateway.port));
  SetSocketAddress(ServiceAddress{gateway.address, gateway.port}, head.mutable_address());
  listener::Listener tail;  // the fields after
  tail.set_stat_prefix("mesh_gateway");
  listener::ListenerFilter* inspector = tail.add_listener_filters();
  inspector->set_name("envoy.filters.listener.tls_inspector");
  *inspector->mutable_typed_config() =
      Pack(envoy::extensions::filters::listener::tls_inspector::v3::TlsInspector());
  const std::string head_bytes = xds::SerializeNormalized(head, xds::NestedAnys::kNormalized);
  const std::string tail_bytes = xds::SerializeNormalized(tail, xds::NestedAnys::kNormalized);
  uint64_t hash = xds::ContentHash(xds::kListenerType);
  hash = xds::ContentHash(head_bytes, hash);
  hash = xds::ContentHash(
      absl::string_view(reinterpret_cast<const char*>(&base.chains_hash), sizeof(uint64_t)), hash);
  hash = xds::ContentHash(tail_bytes, hash);
  std::string version = xds::VersionOfHash(hash);
  if (previous != nullptr) {
    xds::ResourceView listeners = previous->Resources(xds::kListenerType);
    if (auto it = listeners.find(head.name());
        it != listeners.end() && it->second->version == version) {
      return it->second;
    }
  }

  google::protobuf::Any own_head;
  own_head.set_type_url(std::string(xds::kListenerType));
  own_head.set_value(head_bytes);
  return xds::MakeResource(head.name(), std::move(own_head), base.chains_payload, tail_bytes,
                           std::move(version));
}

// `previous` is the gateway's last snapshot (null for the first), whose mesh listener is reused
// when it did not change.
absl::StatusOr<std::shared_ptr<const xds::ResourceSnapshot>> AssembleGateway(
    const Context& ctx, const Base& base, const ServiceDefinition& gateway, bool only_gateway,
    const xds::ResourceSnapshot* previous) {
  const std::string where = absl::StrCat("mesh gateway \"", gateway.EffectiveId(), "\"");
  if (!IsIpLiteral(gateway.address)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": address \"", gateway.address,
                     "\" is not an IP address (the gateway binds its listener to it)"));
  }
  if (gateway.port <= 0 || gateway.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": port ", gateway.port, " is invalid"));
  }
  // On top of the shared resources, without copying them: what only this gateway has (its
  // listeners, its egress) goes to a layer of its own.
  xds::ResourceSnapshot snap = xds::ResourceSnapshot::Over(*base.snapshot);
  snap.Add(MeshListener(base, gateway, previous));
  EgressResources egress = BuildEgress(ctx, gateway, only_gateway);
  for (const xds::ResourcePtr& r : egress.resources) {
    if (r != nullptr) snap.Add(r);
  }
  for (const listener::Listener& e : egress.listeners) {
    if (xds::ResourcePtr r = Encode(e); r != nullptr) snap.Add(r);
  }
  return std::make_shared<const xds::ResourceSnapshot>(std::move(snap));
}

bool SameCert(const IssuedCert& a, const IssuedCert& b) {
  return a.cert_pem == b.cert_pem && a.private_key_pem == b.private_key_pem;
}

}  // namespace

bool operator==(const CaMaterial& a, const CaMaterial& b) {
  if (a.root_pems != b.root_pems || !SameCert(a.gateway_leaf, b.gateway_leaf) ||
      a.service_leaves.size() != b.service_leaves.size()) {
    return false;
  }
  for (auto i = a.service_leaves.begin(), j = b.service_leaves.begin(); i != a.service_leaves.end();
       ++i, ++j) {
    if (i->first != j->first || !SameCert(i->second, j->second)) return false;
  }
  return true;
}

std::string LocalServiceSni(std::string_view service, const LocalSettings& local) {
  return absl::StrCat(Sv(service), ".default.", local.datacenter, ".internal.",
                      local.TrustDomain());
}

std::string ExportedClusterName(std::string_view service, const LocalSettings& local) {
  return absl::StrCat("exported~", LocalServiceSni(service, local));
}

std::string PeeredServiceSni(std::string_view service, std::string_view peer,
                             const LocalSettings& local) {
  return absl::StrCat(Sv(service), ".default.", Partition(local), ".", Sv(peer), ".external.",
                      local.TrustDomain());
}

std::string IntentionsConfigName(std::string_view service) {
  return absl::StrCat("intentions~", Sv(service));
}

std::string PeeringServerName(const LocalSettings& local) {
  return absl::StrCat("server.", local.datacenter, ".peering.", local.TrustDomain());
}

absl::StatusOr<std::shared_ptr<const xds::ResourceSnapshot>> TranslateGateway(
    const TranslateInput& input, std::string_view gateway_id) {
  auto gateway = input.model.FindService(gateway_id);
  if (gateway == nullptr || gateway->kind != "mesh-gateway") {
    return absl::NotFoundError(
        absl::StrCat("no mesh-gateway service with ID \"", Sv(gateway_id), "\" in the model"));
  }
  ServiceIndex index = IndexModel(input.model);
  absl::StatusOr<Context> ctx = MakeContext(input, &index);
  if (!ctx.ok()) return ctx.status();
  Base base;
  UpdateBase(*ctx, Touched{}, &base);
  return AssembleGateway(*ctx, base, *gateway, index.gateways.size() == 1, /*previous=*/nullptr);
}

// ---- GatewayTranslator -------------------------------------------------------------------------

struct GatewayTranslator::State {
  std::optional<TranslateInput> last;
  std::optional<ServiceIndex> index;  // of last->model, while `base` is built from it
  Base base;                          // built from `last`; empty when it failed
  std::map<std::string, std::shared_ptr<const xds::ResourceSnapshot>> snapshots;
  std::map<std::string, absl::Status> errors;
};
GatewayTranslator::GatewayTranslator() : state_(std::make_unique<State>()) {}
GatewayTranslator::~GatewayTranslator() = default;

const std::map<std::string, std::shared_ptr<const xds::ResourceSnapshot>>&
GatewayTranslator::snapshots() const {
  return state_->snapshots;
}

const std::map<std::string, absl::Status>& GatewayTranslator::errors() const {
  return state_->errors;
}

size_t GatewayTranslator::last_built_units() const { return state_->base.built; }

namespace {

bool SamePeerings(const PeeringSetPtr& a, const PeeringSetPtr& b) {
  if (a == b) return true;
  const PeeringSet& x = a != nullptr ? *a : EmptyPeerings();
  const PeeringSet& y = b != nullptr ? *b : EmptyPeerings();
  return x == y;
}

bool SameCa(const std::shared_ptr<const CaMaterial>& a,
            const std::shared_ptr<const CaMaterial>& b) {
  if (a == b) return true;
  return (a != nullptr ? *a : EmptyCa()) == (b != nullptr ? *b : EmptyCa());
}

// What the change from `before` to `after` touches; `service_ids` gets the IDs of the service
// definitions added, changed or removed. Kinds that shape every service's chain (exports, mesh,
// defaults, sameness groups, "*" entries) touch every unit; entries and instances of one service
// touch that service's units.
Touched WhatChanged(const TranslateInput& before, const TranslateInput& after,
                    std::vector<std::string>* service_ids) {
  const bool peerings_changed = !SamePeerings(before.peerings, after.peerings);
  const bool ca_changed = !SameCa(before.ca, after.ca);
  ModelDiff diff = DiffModels(before.model, after.model);
  Touched touched;
  touched.all = diff.local_changed || peerings_changed || ca_changed;
  // Passthrough clusters of imported services depend on peerings alone; the peering chains on
  // peerings, the mesh entry and the local servers.
  touched.servers = before.local_servers != after.local_servers;
  auto entry_touch = [&](const EntryKey& key) {
    switch (key.kind) {
      case ConfigEntryKind::kServiceIntentions:
      case ConfigEntryKind::kServiceResolver:
      case ConfigEntryKind::kServiceDefaults:
        if (key.name == "*") {
          touched.all = true;
        } else {
          touched.services.insert(key.name);
        }
        break;
      case ConfigEntryKind::kApiGateway:
      case ConfigEntryKind::kHttpRoute:
        break;  // not part of a mesh gateway's configuration
      case ConfigEntryKind::kSamenessGroup:
      case ConfigEntryKind::kExportedServices:
      case ConfigEntryKind::kProxyDefaults:
      case ConfigEntryKind::kMesh:
        touched.all = true;
        break;
    }
  };
  for (const auto* keys : {&diff.added, &diff.changed, &diff.removed}) {
    for (const EntryKey& k : *keys) entry_touch(k);
  }
  for (const auto* ids : {&diff.services_added, &diff.services_changed, &diff.services_removed}) {
    for (const std::string& id : *ids) {
      service_ids->push_back(id);
      for (const Model* m : {&before.model, &after.model}) {
        if (auto s = m->FindService(id)) touched.services.insert(s->name);
      }
    }
  }
  return touched;
}

}  // namespace

std::map<std::string, std::shared_ptr<const xds::ResourceSnapshot>> GatewayTranslator::Update(
    const TranslateInput& input) {
  std::map<std::string, std::shared_ptr<const xds::ResourceSnapshot>> changed;
  State& st = *state_;
  Touched touched;  // everything, unless derived from the last translation
  std::vector<std::string> service_ids;
  std::optional<Model> before;
  if (st.last.has_value() && st.index.has_value() && st.base.snapshot != nullptr) {
    touched = WhatChanged(*st.last, input, &service_ids);
    before = st.last->model;
  }
  st.last = input;
  if (touched.all) {
    st.index = IndexModel(input.model);
  } else {
    ReindexServices(*before, input.model, service_ids, &*st.index);
  }

  const auto& gateways = st.index->gateways;
  for (auto it = st.snapshots.begin(); it != st.snapshots.end();) {
    if (!gateways.contains(it->first)) {
      changed[it->first] = nullptr;
      it = st.snapshots.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = st.errors.begin(); it != st.errors.end();) {
    it = !gateways.contains(it->first) ? st.errors.erase(it) : std::next(it);
  }

  absl::StatusOr<Context> ctx = MakeContext(*st.last, &*st.index);
  if (!ctx.ok()) {
    for (const auto& [id, g] : gateways) st.errors[id] = ctx.status();
    st.base = Base();  // nothing was built from this input: the next translation starts over
    return changed;
  }
  UpdateBase(*ctx, touched, &st.base);
  for (const auto& [id, g] : gateways) {
    auto prev = st.snapshots.find(id);
    absl::StatusOr<std::shared_ptr<const xds::ResourceSnapshot>> snap =
        AssembleGateway(*ctx, st.base, *g, gateways.size() == 1,
                        prev != st.snapshots.end() ? prev->second.get() : nullptr);
    if (!snap.ok()) {
      st.errors[id] = snap.status();
      continue;
    }
    st.errors.erase(id);
    if (prev != st.snapshots.end() && prev->second->Version() == (*snap)->Version()) continue;
    st.snapshots[id] = *snap;
    changed[id] = *snap;
  }
  return changed;
}

}  // namespace meshgw::control
