#include "control/model/validate.h"

#include <algorithm>
#include <initializer_list>
#include <set>
#include <string_view>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "control/model/internal/cat.h"

namespace meshgw::control {

namespace {

// Collects errors under a path prefix.
class Errors {
 public:
  explicit Errors(std::vector<ValidationError>* out) : out_(out) {}

  void Add(std::string path, std::string message) {
    out_->push_back({std::move(path), std::move(message)});
  }

 private:
  std::vector<ValidationError>* out_;
};

std::string Join(std::string_view prefix, std::string_view field) {
  if (prefix.empty()) return std::string(field);
  return internal::Cat(prefix, ".", field);
}

std::string Index(std::string_view prefix, std::string_view field, size_t i) {
  return internal::Cat(Join(prefix, field), "[", i, "]");
}

std::string Quoted(std::string_view s) { return internal::Cat("\"", s, "\""); }

// "one of \"a\", \"b\""
std::string OneOf(const std::vector<std::string_view>& allowed) {
  std::vector<std::string> q;
  for (std::string_view a : allowed) q.push_back(Quoted(a));
  return internal::Cat("one of ", absl::StrJoin(q, ", "));
}

void CheckEnum(Errors& e, const std::string& path, std::string_view field, const std::string& v,
               const std::vector<std::string_view>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return;
  e.Add(path, internal::Cat(field, " must be ", OneOf(allowed), ", not ", Quoted(v)));
}

void CheckPort(Errors& e, const std::string& path, std::string_view field, int port,
               bool required) {
  if (port == 0 && !required) return;
  if (port < 1 || port > 65535) {
    e.Add(path, internal::Cat(field, " must be a port number from 1 to 65535, not ", port));
  }
}

void CheckRequired(Errors& e, const std::string& path, std::string_view field,
                   const std::string& v) {
  if (v.empty()) e.Add(path, internal::Cat(field, " is required"));
}

// How many of the named fields are set; "Peer, Partition" lists the names for messages.
struct Exclusive {
  std::vector<std::string> set;
  std::string names;
};
Exclusive SetFields(std::initializer_list<std::pair<std::string_view, bool>> fields) {
  Exclusive x;
  std::vector<std::string> all;
  for (const auto& [name, is_set] : fields) {
    all.emplace_back(name);
    if (is_set) x.set.emplace_back(name);
  }
  x.names = absl::StrJoin(all, ", ");
  return x;
}

const std::vector<std::string_view> kProtocols = {"tcp", "http", "http2", "grpc"};
const std::vector<std::string_view> kMeshGatewayModes = {"", "none", "local", "remote"};
const std::vector<std::string_view> kProxyModes = {"", "direct", "transparent"};
const std::vector<std::string_view> kMutualTlsModes = {"", "strict", "permissive"};
const std::vector<std::string_view> kTlsVersions = {"",        "TLS_AUTO", "TLSv1_0",
                                                    "TLSv1_1", "TLSv1_2",  "TLSv1_3"};
const std::vector<std::string_view> kHttpMethods = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                    "CONNECT", "OPTIONS", "TRACE", "PATCH"};

// ---- exported-services ---------------------------------------------------------------------

void ValidateExports(const ExportedServices& x, Errors& e) {
  CheckRequired(e, "Name", "Name", x.name);
  for (size_t i = 0; i < x.services.size(); ++i) {
    const ExportedService& s = x.services[i];
    std::string p = Index("", "Services", i);
    CheckRequired(e, p, "Name", s.name);
    if (s.consumers.empty()) e.Add(p, "Consumers must list at least one consumer");
    for (size_t j = 0; j < s.consumers.size(); ++j) {
      const ExportedConsumer& c = s.consumers[j];
      std::string cp = Index(p, "Consumers", j);
      Exclusive ex = SetFields({{"Peer", !c.peer.empty()},
                                {"Partition", !c.partition.empty()},
                                {"SamenessGroup", !c.sameness_group.empty()}});
      if (ex.set.size() != 1) {
        e.Add(cp, internal::Cat("a consumer sets exactly one of ", ex.names, "; this one sets ",
                                ex.set.empty() ? "none" : absl::StrJoin(ex.set, " and ")));
      }
      if (c.peer == "*") {
        e.Add(Join(cp, "Peer"), "a consumer peer cannot be a wildcard (\"*\"); name one peer");
      }
    }
  }
}

// ---- service-intentions --------------------------------------------------------------------

void ValidateHttpMatch(const IntentionHttpMatch& h, const std::string& p, Errors& e) {
  Exclusive paths = SetFields({{"PathExact", !h.path_exact.empty()},
                               {"PathPrefix", !h.path_prefix.empty()},
                               {"PathRegex", !h.path_regex.empty()}});
  if (paths.set.size() > 1) {
    e.Add(p, internal::Cat("at most one of ", paths.names, " may be set; this sets ",
                           absl::StrJoin(paths.set, " and ")));
  }
  if (!h.path_exact.empty() && h.path_exact[0] != '/') {
    e.Add(Join(p, "PathExact"),
          internal::Cat("PathExact must start with \"/\", not ", Quoted(h.path_exact)));
  }
  if (!h.path_prefix.empty() && h.path_prefix[0] != '/') {
    e.Add(Join(p, "PathPrefix"),
          internal::Cat("PathPrefix must start with \"/\", not ", Quoted(h.path_prefix)));
  }
  for (size_t i = 0; i < h.header.size(); ++i) {
    const IntentionHeaderMatch& m = h.header[i];
    std::string hp = Index(p, "Header", i);
    CheckRequired(e, hp, "Name", m.name);
    Exclusive kinds = SetFields({{"Present", m.present},
                                 {"Exact", !m.exact.empty()},
                                 {"Prefix", !m.prefix.empty()},
                                 {"Suffix", !m.suffix.empty()},
                                 {"Contains", !m.contains.empty()},
                                 {"Regex", !m.regex.empty()}});
    if (kinds.set.size() != 1) {
      e.Add(hp,
            internal::Cat("a header match sets exactly one of ", kinds.names, "; this one sets ",
                          kinds.set.empty() ? "none" : absl::StrJoin(kinds.set, " and ")));
    }
  }
  for (size_t i = 0; i < h.methods.size(); ++i) {
    CheckEnum(e, Index(p, "Methods", i), "a method", h.methods[i], kHttpMethods);
  }
  if (h.path_exact.empty() && h.path_prefix.empty() && h.path_regex.empty() && h.header.empty() &&
      h.methods.empty()) {
    e.Add(p, "HTTP must set at least one of PathExact, PathPrefix, PathRegex, Header, Methods");
  }
}

void ValidateIntentions(const ServiceIntentions& x, Errors& e) {
  CheckRequired(e, "Name", "Name", x.name);
  std::set<std::tuple<std::string, std::string, std::string, std::string, std::string>> seen;
  for (size_t i = 0; i < x.sources.size(); ++i) {
    const IntentionSource& s = x.sources[i];
    std::string p = Index("", "Sources", i);
    CheckRequired(e, p, "Name", s.name);
    Exclusive where = SetFields({{"Peer", !s.peer.empty()},
                                 {"Partition", !s.partition.empty()},
                                 {"SamenessGroup", !s.sameness_group.empty()}});
    if (where.set.size() > 1) {
      e.Add(p, internal::Cat("a source sets at most one of ", where.names, "; this one sets ",
                             absl::StrJoin(where.set, " and ")));
    }
    if (s.peer == "*") {
      e.Add(Join(p, "Peer"), "a peer cannot be a wildcard (\"*\"); name one peer");
    }
    bool has_action = s.action != IntentionAction::kUnset;
    if (has_action == !s.permissions.empty()) {
      e.Add(p, has_action ? "Action and Permissions are mutually exclusive; set one"
                          : "a source needs an Action (\"allow\" or \"deny\") or Permissions");
    }
    for (size_t j = 0; j < s.permissions.size(); ++j) {
      const IntentionPermission& perm = s.permissions[j];
      std::string pp = Index(p, "Permissions", j);
      if (perm.action == IntentionAction::kUnset) {
        e.Add(pp, "a permission needs an Action (\"allow\" or \"deny\")");
      }
      if (!perm.http.has_value()) {
        e.Add(pp, "a permission needs an HTTP match");
      } else {
        ValidateHttpMatch(*perm.http, Join(pp, "HTTP"), e);
      }
    }
    auto key = std::make_tuple(s.name, s.ns, s.partition, s.peer, s.sameness_group);
    if (!seen.insert(key).second) {
      e.Add(p, internal::Cat("source ", Quoted(s.name),
                             s.peer.empty() ? "" : internal::Cat(" of peer ", Quoted(s.peer)),
                             s.sameness_group.empty()
                                 ? ""
                                 : internal::Cat(" of sameness group ", Quoted(s.sameness_group)),
                             " is listed more than once"));
    }
  }
}

// ---- sameness-group ------------------------------------------------------------------------

void ValidateSameness(const SamenessGroup& x, Errors& e) {
  CheckRequired(e, "Name", "Name", x.name);
  for (size_t i = 0; i < x.members.size(); ++i) {
    const SamenessMember& m = x.members[i];
    std::string p = Index("", "Members", i);
    Exclusive ex = SetFields({{"Partition", !m.partition.empty()}, {"Peer", !m.peer.empty()}});
    if (ex.set.size() != 1) {
      e.Add(p, internal::Cat("a member sets exactly one of ", ex.names, "; this one sets ",
                             ex.set.empty() ? "none" : absl::StrJoin(ex.set, " and ")));
    }
  }
}

// ---- service-resolver ----------------------------------------------------------------------

void ValidateResolver(const ServiceResolver& x, Errors& e) {
  CheckRequired(e, "Name", "Name", x.name);
  if (x.connect_timeout < absl::ZeroDuration()) {
    e.Add("ConnectTimeout", "ConnectTimeout must not be negative");
  }
  if (x.request_timeout < absl::ZeroDuration()) {
    e.Add("RequestTimeout", "RequestTimeout must not be negative");
  }
  if (!x.default_subset.empty() && !x.subsets.contains(x.default_subset)) {
    e.Add("DefaultSubset",
          internal::Cat("DefaultSubset ", Quoted(x.default_subset), " is not a declared subset"));
  }
  if (x.redirect.has_value() && !x.failover.empty()) {
    e.Add("Redirect", "Redirect and Failover are mutually exclusive");
  }
  if (x.redirect.has_value()) {
    const ResolverRedirect& r = *x.redirect;
    if (!r.peer.empty() && !r.datacenter.empty()) {
      e.Add("Redirect", "Redirect sets Peer and Datacenter; a peer has its own datacenter");
    }
    if (!r.sameness_group.empty() && !r.peer.empty()) {
      e.Add("Redirect", "Redirect sets Peer and SamenessGroup; set one");
    }
  }
  for (const auto& [key, f] : x.failover) {
    std::string p = internal::Cat("Failover[\"", key, "\"]");
    if (key != "*" && !x.subsets.contains(key)) {
      e.Add(p, internal::Cat("Failover key ", Quoted(key),
                             " is neither \"*\" nor a subset declared in Subsets"));
    }
    bool legacy =
        !f.service.empty() || !f.service_subset.empty() || !f.ns.empty() || !f.datacenters.empty();
    Exclusive ex = SetFields({{"Targets", !f.targets.empty()},
                              {"SamenessGroup", !f.sameness_group.empty()},
                              {"Service/ServiceSubset/Namespace/Datacenters", legacy}});
    if (ex.set.size() != 1) {
      e.Add(p, internal::Cat("a failover sets exactly one of ", ex.names, "; this one sets ",
                             ex.set.empty() ? "none" : absl::StrJoin(ex.set, " and ")));
    }
    for (size_t i = 0; i < f.targets.size(); ++i) {
      const FailoverTarget& t = f.targets[i];
      if (!t.peer.empty() && !t.datacenter.empty()) {
        e.Add(Index(p, "Targets", i),
              "a target sets Peer and Datacenter; a peer has its own datacenter");
      }
    }
    if (f.policy.has_value()) {
      CheckEnum(e, Join(p, "Policy.Mode"), "Policy.Mode", f.policy->mode,
                {"", "default", "order-by-locality"});
    }
  }
  if (x.load_balancer.has_value()) {
    CheckEnum(e, "LoadBalancer.Policy", "LoadBalancer.Policy", x.load_balancer->policy,
              {"", "random", "round_robin", "least_request", "ring_hash", "maglev"});
  }
}

// ---- service-defaults, proxy-defaults, mesh ------------------------------------------------

void ValidateUpstreamConfig(const UpstreamConfig& u, const std::string& p, bool is_override,
                            Errors& e) {
  if (is_override) CheckRequired(e, p, "Name", u.name);
  if (!u.protocol.empty()) CheckEnum(e, Join(p, "Protocol"), "Protocol", u.protocol, kProtocols);
  CheckEnum(e, Join(p, "MeshGateway.Mode"), "MeshGateway.Mode", u.mesh_gateway.mode,
            kMeshGatewayModes);
  if (u.connect_timeout_ms < 0) {
    e.Add(Join(p, "ConnectTimeoutMs"), "ConnectTimeoutMs must not be negative");
  }
}

void ValidateServiceDefaults(const ServiceDefaults& x, Errors& e) {
  CheckRequired(e, "Name", "Name", x.name);
  if (!x.protocol.empty()) CheckEnum(e, "Protocol", "Protocol", x.protocol, kProtocols);
  CheckEnum(e, "Mode", "Mode", x.mode, kProxyModes);
  CheckEnum(e, "MutualTLSMode", "MutualTLSMode", x.mutual_tls_mode, kMutualTlsModes);
  CheckEnum(e, "MeshGateway.Mode", "MeshGateway.Mode", x.mesh_gateway.mode, kMeshGatewayModes);
  if (x.max_inbound_connections < 0) {
    e.Add("MaxInboundConnections",
          internal::Cat("MaxInboundConnections must be 0 (no limit) or more, not ",
                        x.max_inbound_connections));
  }
  if (x.destination.has_value()) {
    if (x.destination->addresses.empty()) {
      e.Add("Destination.Addresses", "Destination.Addresses must list at least one address");
    }
    for (size_t i = 0; i < x.destination->addresses.size(); ++i) {
      if (x.destination->addresses[i].empty()) {
        e.Add(Index("Destination", "Addresses", i), "a destination address cannot be empty");
      }
    }
    CheckPort(e, "Destination.Port", "Destination.Port", x.destination->port, true);
  }
  if (x.upstream_config.has_value()) {
    for (size_t i = 0; i < x.upstream_config->overrides.size(); ++i) {
      ValidateUpstreamConfig(x.upstream_config->overrides[i],
                             Index("UpstreamConfig", "Overrides", i), true, e);
    }
    if (x.upstream_config->defaults.has_value()) {
      ValidateUpstreamConfig(*x.upstream_config->defaults, "UpstreamConfig.Defaults", false, e);
    }
  }
}

void ValidateProxyDefaults(const ProxyDefaults& x, Errors& e) {
  if (x.name != "global") {
    e.Add("Name",
          internal::Cat("a proxy-defaults entry must be named \"global\", not ", Quoted(x.name)));
  }
  if (!x.config.is_object()) e.Add("Config", "Config must be an object");
  auto proto = x.config.find("protocol");
  if (x.config.is_object() && proto != x.config.end()) {
    if (!proto->is_string()) {
      e.Add("Config.protocol", "Config.protocol must be a string");
    } else {
      CheckEnum(e, "Config.protocol", "Config.protocol", proto->get<std::string>(), kProtocols);
    }
  }
  CheckEnum(e, "Mode", "Mode", x.mode, kProxyModes);
  CheckEnum(e, "MutualTLSMode", "MutualTLSMode", x.mutual_tls_mode, kMutualTlsModes);
  CheckEnum(e, "MeshGateway.Mode", "MeshGateway.Mode", x.mesh_gateway.mode, kMeshGatewayModes);
  if (x.access_logs.has_value()) {
    const AccessLogsConfig& a = *x.access_logs;
    CheckEnum(e, "AccessLogs.Type", "AccessLogs.Type", a.type, {"", "file", "stderr", "stdout"});
    if (a.type == "file" && a.path.empty()) {
      e.Add("AccessLogs", "AccessLogs of Type \"file\" need a Path");
    }
    if (a.type != "file" && !a.path.empty()) {
      e.Add("AccessLogs.Path", "AccessLogs.Path is only for Type \"file\"");
    }
    if (!a.json_format.empty() && !a.text_format.empty()) {
      e.Add("AccessLogs", "AccessLogs sets JSONFormat and TextFormat; set one");
    }
  }
}

void ValidateMeshTls(const MeshDirectionalTls& t, const std::string& p, Errors& e) {
  CheckEnum(e, Join(p, "TLSMinVersion"), "TLSMinVersion", t.tls_min_version, kTlsVersions);
  CheckEnum(e, Join(p, "TLSMaxVersion"), "TLSMaxVersion", t.tls_max_version, kTlsVersions);
  auto rank = [](const std::string& v) {
    int r = 0;
    for (std::string_view x : kTlsVersions) {
      if (x == v) return r;
      ++r;
    }
    return -1;
  };
  int lo = rank(t.tls_min_version), hi = rank(t.tls_max_version);
  if (lo > 1 && hi > 1 && lo > hi) {
    e.Add(p, internal::Cat("TLSMinVersion ", t.tls_min_version, " is above TLSMaxVersion ",
                           t.tls_max_version));
  }
  if (!t.cipher_suites.empty() && t.tls_min_version == "TLSv1_3") {
    e.Add(Join(p, "CipherSuites"),
          "CipherSuites cannot be set with TLSMinVersion TLSv1_3 (TLS 1.3 suites are fixed)");
  }
  for (size_t i = 0; i < t.cipher_suites.size(); ++i) {
    if (!t.cipher_suites[i].starts_with("TLS_")) {
      e.Add(Index(p, "CipherSuites", i),
            internal::Cat("a cipher suite is named like TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "
                          "not ",
                          Quoted(t.cipher_suites[i])));
    }
  }
}

void ValidateMesh(const Mesh& x, Errors& e) {
  if (x.name != "mesh") {
    e.Add("Name", internal::Cat("the mesh entry must be named \"mesh\", not ", Quoted(x.name)));
  }
  if (x.tls.has_value()) {
    if (x.tls->incoming.has_value()) ValidateMeshTls(*x.tls->incoming, "TLS.Incoming", e);
    if (x.tls->outgoing.has_value()) ValidateMeshTls(*x.tls->outgoing, "TLS.Outgoing", e);
  }
}

// ---- api-gateway, http-route ---------------------------------------------------------------

void ValidateApiGateway(const ApiGateway& x, Errors& e) {
  CheckRequired(e, "Name", "Name", x.name);
  std::set<std::string> names;
  for (size_t i = 0; i < x.listeners.size(); ++i) {
    const ApiGatewayListener& l = x.listeners[i];
    std::string p = Index("", "Listeners", i);
    CheckRequired(e, p, "Name", l.name);
    CheckPort(e, Join(p, "Port"), "Port", l.port, true);
    CheckEnum(e, Join(p, "Protocol"), "Protocol", l.protocol, {"http", "tcp"});
    if (!l.name.empty() && !names.insert(l.name).second) {
      e.Add(Join(p, "Name"), internal::Cat("listener name ", Quoted(l.name), " is used twice"));
    }
  }
}

void ValidateHttpRoute(const HttpRoute& x, Errors& e) {
  CheckRequired(e, "Name", "Name", x.name);
  if (x.parents.empty()) e.Add("Parents", "Parents must name at least one api-gateway");
  for (size_t i = 0; i < x.parents.size(); ++i) {
    std::string p = Index("", "Parents", i);
    CheckEnum(e, Join(p, "Kind"), "Kind", x.parents[i].kind, {"api-gateway"});
    CheckRequired(e, p, "Name", x.parents[i].name);
  }
  for (size_t r = 0; r < x.rules.size(); ++r) {
    const HttpRouteRule& rule = x.rules[r];
    std::string rp = Index("", "Rules", r);
    for (size_t m = 0; m < rule.matches.size(); ++m) {
      const HttpMatch& match = rule.matches[m];
      std::string mp = Index(rp, "Matches", m);
      if (match.path.has_value()) {
        CheckEnum(e, Join(mp, "Path.Match"), "Path.Match", match.path->match,
                  {"exact", "prefix", "regex"});
        if (match.path->match != "regex" && !match.path->value.starts_with("/")) {
          e.Add(Join(mp, "Path.Value"),
                internal::Cat("Path.Value must start with \"/\", not ", Quoted(match.path->value)));
        }
      }
      for (size_t h = 0; h < match.headers.size(); ++h) {
        CheckEnum(e, Join(Index(mp, "Headers", h), "Match"), "Match", match.headers[h].match,
                  {"exact", "prefix", "suffix", "present", "regex"});
      }
      if (!match.method.empty()) {
        CheckEnum(e, Join(mp, "Method"), "Method", match.method, kHttpMethods);
      }
    }
    if (rule.services.empty()) e.Add(rp, "a rule must route to at least one service");
    for (size_t s = 0; s < rule.services.size(); ++s) {
      CheckRequired(e, Index(rp, "Services", s), "Name", rule.services[s].name);
      if (rule.services[s].weight < 0) {
        e.Add(Join(Index(rp, "Services", s), "Weight"), "Weight must not be negative");
      }
    }
  }
}

}  // namespace

void NormalizeConfigEntry(ConfigEntry* entry) {
  if (auto* si = std::get_if<ServiceIntentions>(entry)) {
    for (IntentionSource& s : si->sources) {
      s.precedence = IntentionPrecedence(s, *si);
      if (s.type.empty()) s.type = "consul";
      for (IntentionPermission& p : s.permissions) {
        if (!p.http.has_value()) continue;
        for (std::string& m : p.http->methods) absl::AsciiStrToUpper(&m);
      }
    }
  } else if (auto* mesh = std::get_if<Mesh>(entry)) {
    if (mesh->name.empty()) mesh->name = "mesh";
  }
}

std::vector<ValidationError> ValidateConfigEntry(const ConfigEntry& entry) {
  std::vector<ValidationError> out;
  Errors e(&out);
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, ExportedServices>) ValidateExports(x, e);
        if constexpr (std::is_same_v<T, ServiceIntentions>) ValidateIntentions(x, e);
        if constexpr (std::is_same_v<T, SamenessGroup>) ValidateSameness(x, e);
        if constexpr (std::is_same_v<T, ServiceResolver>) ValidateResolver(x, e);
        if constexpr (std::is_same_v<T, ServiceDefaults>) ValidateServiceDefaults(x, e);
        if constexpr (std::is_same_v<T, ProxyDefaults>) ValidateProxyDefaults(x, e);
        if constexpr (std::is_same_v<T, Mesh>) ValidateMesh(x, e);
        if constexpr (std::is_same_v<T, ApiGateway>) ValidateApiGateway(x, e);
        if constexpr (std::is_same_v<T, HttpRoute>) ValidateHttpRoute(x, e);
      },
      entry);
  return out;
}

std::vector<ValidationError> ValidateServiceDefinition(const ServiceDefinition& s) {
  std::vector<ValidationError> out;
  Errors e(&out);
  CheckRequired(e, "Name", "Name", s.name);
  CheckEnum(e, "Kind", "Kind", s.kind,
            {"", "connect-proxy", "mesh-gateway", "terminating-gateway", "ingress-gateway",
             "api-gateway"});
  CheckPort(e, "Port", "Port", s.port, s.kind == "mesh-gateway");
  for (const auto& [tag, addr] : s.tagged_addresses) {
    std::string p = internal::Cat("TaggedAddresses.", tag);
    CheckRequired(e, p, "Address", addr.address);
    CheckPort(e, Join(p, "Port"), "Port", addr.port, false);
  }
  if (s.connect.has_value() && s.connect->sidecar_service.has_value()) {
    const SidecarService& sc = *s.connect->sidecar_service;
    CheckPort(e, "Connect.SidecarService.Port", "Port", sc.port, false);
    for (size_t i = 0; i < sc.proxy.upstreams.size(); ++i) {
      const ServiceUpstream& u = sc.proxy.upstreams[i];
      std::string p = Index("Connect.SidecarService.Proxy", "Upstreams", i);
      CheckRequired(e, p, "DestinationName", u.destination_name);
      CheckPort(e, Join(p, "LocalBindPort"), "LocalBindPort", u.local_bind_port, true);
      CheckEnum(e, Join(p, "MeshGateway.Mode"), "MeshGateway.Mode", u.mesh_gateway.mode,
                kMeshGatewayModes);
      if (!u.destination_peer.empty() && !u.datacenter.empty()) {
        e.Add(p, "an upstream sets DestinationPeer and Datacenter; a peer has its own datacenter");
      }
    }
  }
  return out;
}

}  // namespace meshgw::control
