#include "gateway/proxy/config_dump.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace meshgw::gateway::proxy {
namespace {

using Json = nlohmann::ordered_json;

std::string Duration(absl::Duration d) { return absl::FormatDuration(d); }

std::string_view VersionName(config::TlsVersion v) {
  switch (v) {
    case config::TlsVersion::kAuto:
      return "TLS_AUTO";
    case config::TlsVersion::kTls1_0:
      return "TLSv1_0";
    case config::TlsVersion::kTls1_1:
      return "TLSv1_1";
    case config::TlsVersion::kTls1_2:
      return "TLSv1_2";
    case config::TlsVersion::kTls1_3:
      return "TLSv1_3";
  }
  return "?";
}

Json Params(const config::TlsParameters& p) {
  return Json{{"min_version", VersionName(p.min_version)},
              {"max_version", VersionName(p.max_version)},
              {"cipher_suites", p.cipher_suites},
              {"ecdh_curves", p.ecdh_curves}};
}

Json Certificate(const config::CertificateKeyPair& c) {
  return Json{{"name", c.name},
              {"certificate_chain", c.certificate_chain_pem},
              {"private_key", "[redacted]"}};
}

Json Trust(const config::TrustBundle& t) {
  Json sans = Json::array();
  for (const config::SanMatcher& m : t.match_sans) {
    sans.push_back(absl::StrCat(m.type == config::SanMatcher::Type::kUri ? "URI " : "DNS ",
                                m.matcher.DebugString()));
  }
  return Json{{"name", t.name},
              {"trusted_ca", t.trusted_ca_pem},
              {"match_sans", sans},
              {"accept_untrusted", t.accept_untrusted},
              {"version", absl::StrCat(t.version)}};
}

Json Principal(const config::RbacPrincipal& p) {
  using Kind = config::RbacPrincipal::Kind;
  switch (p.kind) {
    case Kind::kAny:
      return Json{{"any", true}};
    case Kind::kAuthenticated:
      return Json{{"authenticated", p.principal_name.DebugString()}};
    case Kind::kAnd:
    case Kind::kOr: {
      Json ids = Json::array();
      for (const auto& id : p.ids) ids.push_back(Principal(id));
      return Json{{p.kind == Kind::kAnd ? "and_ids" : "or_ids", ids}};
    }
    case Kind::kNot:
      return Json{{"not_id", p.ids.empty() ? Json() : Principal(p.ids[0])}};
  }
  return Json();
}

Json Permission(const config::RbacPermission& p) {
  using Kind = config::RbacPermission::Kind;
  switch (p.kind) {
    case Kind::kAny:
      return Json{{"any", true}};
    case Kind::kRequestedServerName:
      return Json{{"requested_server_name", p.server_name.DebugString()}};
    case Kind::kAnd:
    case Kind::kOr: {
      Json rules = Json::array();
      for (const auto& r : p.rules) rules.push_back(Permission(r));
      return Json{{p.kind == Kind::kAnd ? "and_rules" : "or_rules", rules}};
    }
    case Kind::kNot:
      return Json{{"not_rule", p.rules.empty() ? Json() : Permission(p.rules[0])}};
  }
  return Json();
}

Json Rbac(const config::RbacFilter& rbac) {
  Json policies = Json::array();
  for (const config::RbacPolicy& p : rbac.policies) {
    Json principals = Json::array(), permissions = Json::array();
    for (const auto& x : p.principals) principals.push_back(Principal(x));
    for (const auto& x : p.permissions) permissions.push_back(Permission(x));
    policies.push_back(
        Json{{"name", p.name}, {"permissions", permissions}, {"principals", principals}});
  }
  Json j{{"action", rbac.action == config::RbacFilter::Action::kAllow ? "ALLOW" : "DENY"},
         {"policies", policies}};
  if (!rbac.config_name.empty()) {
    // Over ECDS: which configuration, and whether it is there (absent: every connection denied).
    j["config_discovery"] = Json{{"name", rbac.config_name}, {"missing", rbac.config_missing}};
  }
  return j;
}

// A chain's filter; an RBAC filter shows the configuration that decides its connections (the ECDS
// one of its name when that has arrived).
Json Filter(const config::Snapshot& snapshot, const config::FilterChain& chain,
            const config::NetworkFilter& f) {
  if (std::holds_alternative<config::RbacFilter>(f)) {
    return Json{{"rbac", Rbac(*snapshot.RbacFor(chain))}};
  }
  if (const auto* limit = std::get_if<config::ConnectionLimitFilter>(&f)) {
    return Json{{"connection_limit", {{"max_connections", limit->max_connections}}}};
  }
  if (std::holds_alternative<config::SniClusterFilter>(f)) return Json{{"sni_cluster", true}};
  const auto& proxy = std::get<config::TcpProxyFilter>(f);
  return Json{{"tcp_proxy",
               {{"cluster", proxy.cluster},
                {"max_connect_attempts", proxy.max_connect_attempts},
                {"idle_timeout", Duration(proxy.idle_timeout)}}}};
}

Json Chain(const config::Snapshot& snapshot, const config::FilterChain& c) {
  Json j{{"name", c.name},
         {"server_names", c.match.server_names},
         {"transport_protocol", c.match.transport_protocol},
         {"application_protocols", c.match.application_protocols}};
  if (c.tls.has_value()) {
    const config::DownstreamTls& t = *c.tls;
    j["tls"] = Json{{"certificate", Certificate(t.certificate)},
                    {"trust", t.trust.has_value() ? Trust(*t.trust) : Json()},
                    {"require_client_certificate", t.require_client_certificate},
                    {"params", Params(t.params)},
                    {"alpn", t.alpn},
                    {"session_tickets", t.session_tickets}};
  }
  Json filters = Json::array();
  for (const auto& f : c.filters) filters.push_back(Filter(snapshot, c, f));
  j["filters"] = filters;
  return j;
}

std::string_view LbName(config::LbPolicy p) {
  switch (p) {
    case config::LbPolicy::kRoundRobin:
      return "ROUND_ROBIN";
    case config::LbPolicy::kLeastRequest:
      return "LEAST_REQUEST";
    case config::LbPolicy::kRandom:
      return "RANDOM";
  }
  return "?";
}

Json Cluster(const config::Cluster& c) {
  Json priorities = Json::array();
  for (const config::PriorityLevel& level : c.priorities) {
    Json endpoints = Json::array();
    for (const config::Endpoint& e : level.endpoints) {
      endpoints.push_back(Json{{"address", e.address.ToString()},
                               {"hostname", e.hostname},
                               {"health", config::HealthStatusName(e.health)},
                               {"weight", e.weight}});
    }
    priorities.push_back(Json{{"priority", level.priority}, {"endpoints", endpoints}});
  }
  Json j{{"name", c.name},
         {"lb_policy", LbName(c.lb_policy)},
         {"connect_timeout", Duration(c.connect_timeout)},
         {"max_connections", c.max_connections},
         {"eds", c.eds},
         {"eds_service_name", c.eds_service_name},
         {"outlier_detection",
          {{"enabled", c.outlier.enabled},
           {"consecutive_failures", c.outlier.consecutive_failures},
           {"interval", Duration(c.outlier.interval)},
           {"base_ejection_time", Duration(c.outlier.base_ejection_time)},
           {"max_ejection_time", Duration(c.outlier.max_ejection_time)},
           {"max_ejection_percent", c.outlier.max_ejection_percent}}},
         {"priorities", priorities}};
  if (c.tls.has_value()) {
    const config::UpstreamTls& t = *c.tls;
    j["tls"] =
        Json{{"certificate", t.certificate.has_value() ? Certificate(*t.certificate) : Json()},
             {"trust", t.trust.has_value() ? Trust(*t.trust) : Json()},
             {"sni", t.sni},
             {"params", Params(t.params)},
             {"alpn", t.alpn}};
  }
  return j;
}

}  // namespace

std::string ConfigDumpJson(const config::Snapshot& snapshot) {
  Json listeners = Json::array();
  for (const auto& [name, listener] : snapshot.listeners) {
    const config::Listener& l = *listener;
    Json chains = Json::array();
    for (const auto& c : l.chains) chains.push_back(Chain(snapshot, c));
    listeners.push_back(
        Json{{"name", name},
             {"address", l.address.ToString()},
             {"inspect_tls", l.inspect_tls},
             {"hello_timeout", Duration(l.hello_timeout)},
             {"filter_chains", chains},
             {"default_filter_chain",
              l.default_chain.has_value() ? Chain(snapshot, *l.default_chain) : Json()}});
  }
  Json clusters = Json::array();
  for (const auto* entry : snapshot.clusters.Sorted()) clusters.push_back(Cluster(*entry->second));
  Json extension_configs = Json::array();
  for (const auto* entry : snapshot.extension_configs.Sorted()) {
    extension_configs.push_back(Json{{"name", entry->first}, {"rbac", Rbac(*entry->second)}});
  }
  Json resource_versions = Json::object();
  for (const auto* entry : snapshot.resource_versions.Sorted()) {
    resource_versions[entry->first] = entry->second;
  }
  Json j{{"version", snapshot.version},
         {"complete", snapshot.complete},
         {"missing", snapshot.missing},
         {"resource_versions", resource_versions},
         {"listeners", listeners},
         {"clusters", clusters},
         {"extension_configs", extension_configs}};
  return j.dump(2) + "\n";
}

std::string ListenersPage(const config::Snapshot& snapshot, bool json) {
  if (json) {
    Json list = Json::array();
    for (const auto& [name, l] : snapshot.listeners) {
      list.push_back(Json{{"name", name}, {"address", l->address.ToString()}});
    }
    return Json{{"listener_statuses", list}}.dump(2) + "\n";
  }
  std::string out;
  for (const auto& [name, l] : snapshot.listeners) {
    absl::StrAppend(&out, name, "::", l->address.ToString(), "\n");
  }
  return out;
}

}  // namespace meshgw::gateway::proxy
