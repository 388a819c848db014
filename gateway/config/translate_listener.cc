// Listener → config::Listener: filter chains, their network filters (rbac, inline or over ECDS,
// connection_limit, sni_cluster, tcp_proxy), their TLS contexts and the SNI route table.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/connection_limit/v3/connection_limit.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/sni_cluster/v3/sni_cluster.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "gateway/config/translate_internal.h"
#include "gateway/route/sni_route_table.h"
#include "xds/validate.h"

namespace meshgw::gateway::config::translate_internal {
namespace {

namespace core = envoy::config::core::v3;
namespace listener = envoy::config::listener::v3;
namespace rbac = envoy::config::rbac::v3;
namespace net = envoy::extensions::filters::network;

// A protobuf Duration as absl::Duration; negative or absurd values are errors.
absl::StatusOr<absl::Duration> ToDuration(const google::protobuf::Duration& d,
                                          absl::string_view path) {
  if (d.seconds() < 0 || d.nanos() < 0 || d.nanos() > 999999999 || d.seconds() > 315576000000LL) {
    return Invalid(path, "not a valid non-negative duration");
  }
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

absl::StatusOr<RbacPrincipal> TranslatePrincipal(const rbac::Principal& p, absl::string_view path,
                                                 int depth) {
  if (depth > 32) return Invalid(path, "nested more than 32 levels deep");
  RbacPrincipal out;
  switch (p.identifier_case()) {
    case rbac::Principal::kAny:
      out.kind = RbacPrincipal::Kind::kAny;
      return out;
    case rbac::Principal::kAuthenticated: {
      out.kind = RbacPrincipal::Kind::kAuthenticated;
      absl::StatusOr<StringMatcher> m = TranslateStringMatcher(
          p.authenticated().principal_name(), absl::StrCat(path, ".authenticated.principal_name"));
      if (!m.ok()) return m.status();
      out.principal_name = std::move(*m);
      return out;
    }
    case rbac::Principal::kAndIds:
    case rbac::Principal::kOrIds: {
      const bool is_and = p.has_and_ids();
      out.kind = is_and ? RbacPrincipal::Kind::kAnd : RbacPrincipal::Kind::kOr;
      const rbac::Principal::Set& set = is_and ? p.and_ids() : p.or_ids();
      const char* field = is_and ? ".and_ids" : ".or_ids";
      if (set.ids_size() == 0) return Invalid(absl::StrCat(path, field, ".ids"), "empty");
      for (int i = 0; i < set.ids_size(); ++i) {
        absl::StatusOr<RbacPrincipal> id =
            TranslatePrincipal(set.ids(i), absl::StrCat(path, field, ".ids[", i, "]"), depth + 1);
        if (!id.ok()) return id.status();
        out.ids.push_back(std::move(*id));
      }
      return out;
    }
    case rbac::Principal::kNotId: {
      out.kind = RbacPrincipal::Kind::kNot;
      absl::StatusOr<RbacPrincipal> id =
          TranslatePrincipal(p.not_id(), absl::StrCat(path, ".not_id"), depth + 1);
      if (!id.ok()) return id.status();
      out.ids.push_back(std::move(*id));
      return out;
    }
    case rbac::Principal::IDENTIFIER_NOT_SET:
      break;
  }
  return Invalid(path, "unsupported principal (only any, authenticated, and_ids, or_ids, not_id)");
}

absl::StatusOr<RbacPermission> TranslatePermission(const rbac::Permission& p,
                                                   absl::string_view path, int depth) {
  if (depth > 32) return Invalid(path, "nested more than 32 levels deep");
  RbacPermission out;
  switch (p.rule_case()) {
    case rbac::Permission::kAny:
      out.kind = RbacPermission::Kind::kAny;
      return out;
    case rbac::Permission::kRequestedServerName: {
      out.kind = RbacPermission::Kind::kRequestedServerName;
      absl::StatusOr<StringMatcher> m = TranslateStringMatcher(
          p.requested_server_name(), absl::StrCat(path, ".requested_server_name"));
      if (!m.ok()) return m.status();
      out.server_name = std::move(*m);
      return out;
    }
    case rbac::Permission::kAndRules:
    case rbac::Permission::kOrRules: {
      const bool is_and = p.has_and_rules();
      out.kind = is_and ? RbacPermission::Kind::kAnd : RbacPermission::Kind::kOr;
      const rbac::Permission::Set& set = is_and ? p.and_rules() : p.or_rules();
      const char* field = is_and ? ".and_rules" : ".or_rules";
      if (set.rules_size() == 0) return Invalid(absl::StrCat(path, field, ".rules"), "empty");
      for (int i = 0; i < set.rules_size(); ++i) {
        absl::StatusOr<RbacPermission> rule = TranslatePermission(
            set.rules(i), absl::StrCat(path, field, ".rules[", i, "]"), depth + 1);
        if (!rule.ok()) return rule.status();
        out.rules.push_back(std::move(*rule));
      }
      return out;
    }
    case rbac::Permission::kNotRule: {
      out.kind = RbacPermission::Kind::kNot;
      absl::StatusOr<RbacPermission> rule =
          TranslatePermission(p.not_rule(), absl::StrCat(path, ".not_rule"), depth + 1);
      if (!rule.ok()) return rule.status();
      out.rules.push_back(std::move(*rule));
      return out;
    }
    case rbac::Permission::RULE_NOT_SET:
      break;
  }
  return Invalid(path,
                 "unsupported permission (only any, requested_server_name, and_rules, or_rules, "
                 "not_rule)");
}

absl::StatusOr<RbacFilter> TranslateRbac(const net::rbac::v3::RBAC& proto, absl::string_view path) {
  RbacFilter out;
  out.stat_prefix = proto.stat_prefix();
  const rbac::RBAC& rules = proto.rules();
  switch (rules.action()) {
    case rbac::RBAC::ALLOW:
      out.action = RbacFilter::Action::kAllow;
      break;
    case rbac::RBAC::DENY:
      out.action = RbacFilter::Action::kDeny;
      break;
    default:
      return Invalid(absl::StrCat(path, ".rules.action"),
                     absl::StrCat(rbac::RBAC::Action_Name(rules.action()).empty()
                                      ? std::to_string(static_cast<int>(rules.action()))
                                      : rbac::RBAC::Action_Name(rules.action()),
                                  " is not supported (ALLOW or DENY)"));
  }
  // Protobuf maps have no order: policies are kept in key order, which is what the snapshot
  // promises and what makes two encodings of the same RBAC translate alike.
  std::vector<std::string> names;
  names.reserve(rules.policies_size());
  for (const auto& [name, policy] : rules.policies()) names.push_back(name);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const rbac::Policy& policy = rules.policies().at(name);
    const std::string policy_path = absl::StrCat(path, ".rules.policies[\"", name, "\"]");
    RbacPolicy p;
    p.name = name;
    if (policy.permissions_size() == 0) {
      return Invalid(absl::StrCat(policy_path, ".permissions"),
                     "empty (a policy needs at least one permission; use any: true)");
    }
    if (policy.principals_size() == 0) {
      return Invalid(absl::StrCat(policy_path, ".principals"),
                     "empty (a policy needs at least one principal; use any: true)");
    }
    for (int i = 0; i < policy.permissions_size(); ++i) {
      absl::StatusOr<RbacPermission> perm = TranslatePermission(
          policy.permissions(i), absl::StrCat(policy_path, ".permissions[", i, "]"), 0);
      if (!perm.ok()) return perm.status();
      p.permissions.push_back(std::move(*perm));
    }
    for (int i = 0; i < policy.principals_size(); ++i) {
      absl::StatusOr<RbacPrincipal> principal = TranslatePrincipal(
          policy.principals(i), absl::StrCat(policy_path, ".principals[", i, "]"), 0);
      if (!principal.ok()) return principal.status();
      p.principals.push_back(std::move(*principal));
    }
    out.policies.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<TcpProxyFilter> TranslateTcpProxy(const net::tcp_proxy::v3::TcpProxy& proto,
                                                 absl::string_view path) {
  TcpProxyFilter out;
  out.stat_prefix = proto.stat_prefix();
  switch (proto.cluster_specifier_case()) {
    case net::tcp_proxy::v3::TcpProxy::kCluster:
      out.cluster = proto.cluster();
      break;
    case net::tcp_proxy::v3::TcpProxy::kWeightedClusters: {
      const auto& weighted = proto.weighted_clusters();
      // A split over several clusters has no meaning for a gateway that forwards to one: only
      // the one-cluster form (some control planes always use it) is accepted.
      if (weighted.clusters_size() != 1) {
        return Invalid(absl::StrCat(path, ".weighted_clusters.clusters"),
                       absl::StrCat(weighted.clusters_size(),
                                    " clusters; only a single weighted cluster is supported"));
      }
      out.cluster = weighted.clusters(0).name();
      break;
    }
    case net::tcp_proxy::v3::TcpProxy::CLUSTER_SPECIFIER_NOT_SET:
      break;
  }
  if (proto.has_max_connect_attempts()) {
    if (proto.max_connect_attempts().value() < 1) {
      return Invalid(absl::StrCat(path, ".max_connect_attempts"), "must be at least 1");
    }
    out.max_connect_attempts = proto.max_connect_attempts().value();
  }
  if (proto.has_idle_timeout()) {
    absl::StatusOr<absl::Duration> d =
        ToDuration(proto.idle_timeout(), absl::StrCat(path, ".idle_timeout"));
    if (!d.ok()) return d.status();
    out.idle_timeout = *d;
  }
  return out;
}

template <typename T>
absl::StatusOr<T> UnpackFilter(const google::protobuf::Any& any, absl::string_view path) {
  T message;
  if (!any.UnpackTo(&message)) {
    return Invalid(path, absl::StrCat("cannot decode as ", T::descriptor()->full_name()));
  }
  return message;
}

// The chain label in errors and `missing` ("chain \"x\"").
std::string ChainLabel(const FilterChain& chain) {
  return absl::StrCat("chain \"", chain.name, "\"");
}

// Where a chain's discovered filters record what they need.
struct DiscoveryContext {
  TranslatedListener* out = nullptr;
  const FilterChain* chain = nullptr;  // the chain being built (its name is set)
};

// A filter with config_discovery: the network RBAC filter configured by the TypedExtensionConfig
// of the filter's name (Envoy's rule), looked up by name for each connection
// (Snapshot::RbacFor). The filter itself holds what stands in while that configuration is absent:
// its default_config, or without one nothing (config_missing: every connection is denied, and the
// snapshot is incomplete): a chain must never forward without an authorization decision.
absl::StatusOr<RbacFilter> TranslateDiscoveredRbac(const listener::Filter& filter,
                                                   absl::string_view path, bool last,
                                                   const DiscoveryContext& context) {
  // The settings as the xDS validator checks them (static resources do not go through it).
  if (absl::Status s = xds::CheckConfigDiscovery(filter, path, last); !s.ok()) return s;
  const core::ExtensionConfigSource& source = filter.config_discovery();
  const std::string default_path = absl::StrCat(path, ".config_discovery.default_config");
  RbacFilter rbac;
  if (source.has_default_config()) {
    auto proto = UnpackFilter<net::rbac::v3::RBAC>(source.default_config(), default_path);
    if (!proto.ok()) return proto.status();
    absl::StatusOr<RbacFilter> f = TranslateRbac(*proto, default_path);
    if (!f.ok()) return f.status();
    rbac = std::move(*f);
  } else {
    rbac.action = RbacFilter::Action::kAllow;  // with no policies: deny all
    rbac.config_missing = true;
    context.out->required_extension_configs.emplace_back(filter.name(), ChainLabel(*context.chain));
  }
  rbac.config_name = filter.name();
  rbac.discovered = true;
  return rbac;
}

absl::StatusOr<NetworkFilter> TranslateFilter(const listener::Filter& filter,
                                              absl::string_view path, bool last,
                                              const DiscoveryContext& context) {
  if (filter.has_config_discovery()) {
    absl::StatusOr<RbacFilter> f = TranslateDiscoveredRbac(filter, path, last, context);
    if (!f.ok()) return f.status();
    return NetworkFilter(std::move(*f));
  }
  if (!filter.has_typed_config()) {
    return Invalid(path, absl::StrCat("network filter \"", filter.name(),
                                      "\" has neither typed_config nor config_discovery"));
  }
  const google::protobuf::Any& config = filter.typed_config();
  const std::string config_path = absl::StrCat(path, ".typed_config");
  const bool is_tcp_proxy = config.Is<net::tcp_proxy::v3::TcpProxy>();
  if (is_tcp_proxy != last) {
    if (last) {
      return Invalid(path, absl::StrCat("the last filter of a chain must be "
                                        "envoy.filters.network.tcp_proxy, not \"",
                                        filter.name(), "\""));
    }
    return Invalid(path, "tcp_proxy must be the last filter of its chain");
  }
  if (is_tcp_proxy) {
    auto proto = UnpackFilter<net::tcp_proxy::v3::TcpProxy>(config, config_path);
    if (!proto.ok()) return proto.status();
    absl::StatusOr<TcpProxyFilter> f = TranslateTcpProxy(*proto, config_path);
    if (!f.ok()) return f.status();
    return NetworkFilter(std::move(*f));
  }
  if (config.Is<net::rbac::v3::RBAC>()) {
    auto proto = UnpackFilter<net::rbac::v3::RBAC>(config, config_path);
    if (!proto.ok()) return proto.status();
    absl::StatusOr<RbacFilter> f = TranslateRbac(*proto, config_path);
    if (!f.ok()) return f.status();
    return NetworkFilter(std::move(*f));
  }
  if (config.Is<net::connection_limit::v3::ConnectionLimit>()) {
    auto proto = UnpackFilter<net::connection_limit::v3::ConnectionLimit>(config, config_path);
    if (!proto.ok()) return proto.status();
    if (!proto->has_max_connections() || proto->max_connections().value() == 0) {
      return Invalid(absl::StrCat(config_path, ".max_connections"), "must be at least 1");
    }
    return NetworkFilter(ConnectionLimitFilter{.max_connections = proto->max_connections().value(),
                                               .stat_prefix = proto->stat_prefix()});
  }
  if (config.Is<net::sni_cluster::v3::SniCluster>()) {
    net::sni_cluster::v3::SniCluster sni;
    if (!config.UnpackTo(&sni)) {
      return Invalid(config_path,
                     "cannot decode as envoy.extensions.filters.network.sni_cluster."
                     "v3.SniCluster");
    }
    return NetworkFilter(SniClusterFilter{});
  }
  return Invalid(path, absl::StrCat("unsupported network filter \"", filter.name(), "\" (",
                                    config.type_url(), ")"));
}

absl::StatusOr<FilterChain> TranslateChain(const listener::FilterChain& proto,
                                           absl::string_view path, SecretResolver* secrets,
                                           TranslatedListener* out) {
  FilterChain chain;
  chain.name = proto.name().empty() ? std::string(path) : proto.name();
  const listener::FilterChainMatch& match = proto.filter_chain_match();
  chain.match.name = chain.name;
  chain.match.server_names.assign(match.server_names().begin(), match.server_names().end());
  chain.match.transport_protocol = match.transport_protocol();
  chain.match.application_protocols.assign(match.application_protocols().begin(),
                                           match.application_protocols().end());
  if (proto.filters_size() == 0) return Invalid(absl::StrCat(path, ".filters"), "no filters");
  const DiscoveryContext context{.out = out, .chain = &chain};
  for (int i = 0; i < proto.filters_size(); ++i) {
    absl::StatusOr<NetworkFilter> f =
        TranslateFilter(proto.filters(i), absl::StrCat(path, ".filters[", i, "]"),
                        i + 1 == proto.filters_size(), context);
    if (!f.ok()) return f.status();
    chain.filters.push_back(std::move(*f));
  }
  if (chain.tcp_proxy().cluster.empty() && !chain.sni_cluster()) {
    return Invalid(
        absl::StrCat(path, ".filters[", proto.filters_size() - 1, "].typed_config.cluster"),
        "empty, and the chain has no sni_cluster filter to name the cluster");
  }
  if (proto.has_transport_socket()) {
    SecretDeps deps;
    absl::StatusOr<DownstreamTls> tls = TranslateDownstreamTls(
        proto.transport_socket(), absl::StrCat(path, ".transport_socket"), secrets, &deps);
    if (!tls.ok()) return tls.status();
    chain.tls = std::move(*tls);
    for (const std::string& name : deps.missing) {
      out->missing.push_back(
          absl::StrCat("Secret \"", name, "\" referenced by ", ChainLabel(chain)));
    }
    for (auto& used : deps.used) out->deps.used.push_back(std::move(used));
    for (auto& name : deps.missing) out->deps.missing.push_back(std::move(name));
  }
  return chain;
}

}  // namespace

absl::StatusOr<RbacFilter> TranslateExtensionConfig(const core::TypedExtensionConfig& config) {
  if (!config.has_typed_config()) return Invalid("typed_config", "missing");
  if (!config.typed_config().Is<net::rbac::v3::RBAC>()) {
    return Invalid("typed_config",
                   absl::StrCat("unsupported extension \"", config.typed_config().type_url(),
                                "\" (only the network RBAC filter)"));
  }
  auto proto = UnpackFilter<net::rbac::v3::RBAC>(config.typed_config(), "typed_config");
  if (!proto.ok()) return proto.status();
  return TranslateRbac(*proto, "typed_config");
}

absl::StatusOr<TranslatedListener> TranslateListener(const listener::Listener& proto,
                                                     SecretResolver* secrets) {
  TranslatedListener out;
  Listener& l = out.listener;
  l.name = proto.name();
  l.stat_prefix = proto.stat_prefix().empty() ? proto.name() : proto.stat_prefix();
  if (!proto.address().has_socket_address()) return Invalid("address", "no socket_address");
  const core::SocketAddress& sa = proto.address().socket_address();
  if (sa.protocol() != core::SocketAddress::TCP) {
    return Invalid("address.socket_address.protocol", "only TCP is supported");
  }
  if (sa.port_specifier_case() != core::SocketAddress::kPortValue) {
    return Invalid("address.socket_address", "no port_value");
  }
  absl::StatusOr<SocketAddress> address = ParseSocketAddress(sa.address(), sa.port_value());
  if (!address.ok()) {
    return Invalid(sa.port_value() > 65535 ? "address.socket_address.port_value"
                                           : "address.socket_address.address",
                   address.status().message());
  }
  l.address = std::move(*address);
  for (int i = 0; i < proto.listener_filters_size(); ++i) {
    const listener::ListenerFilter& filter = proto.listener_filters(i);
    using envoy::extensions::filters::listener::tls_inspector::v3::TlsInspector;
    const bool by_type = filter.has_typed_config() && filter.typed_config().Is<TlsInspector>();
    const bool by_name =
        !filter.has_typed_config() && filter.name() == "envoy.filters.listener.tls_inspector";
    if (!by_type && !by_name) {
      return Invalid(absl::StrCat("listener_filters[", i, "]"),
                     absl::StrCat("unsupported listener filter \"", filter.name(), "\" (",
                                  filter.typed_config().type_url(), ")"));
    }
    l.inspect_tls = true;
  }
  if (proto.has_listener_filters_timeout()) {
    absl::StatusOr<absl::Duration> d =
        ToDuration(proto.listener_filters_timeout(), "listener_filters_timeout");
    if (!d.ok()) return d.status();
    if (*d > absl::ZeroDuration()) l.hello_timeout = *d;
  }
  if (proto.has_per_connection_buffer_limit_bytes()) {
    if (proto.per_connection_buffer_limit_bytes().value() < 1024) {
      return Invalid("per_connection_buffer_limit_bytes", "must be at least 1024");
    }
    l.buffer_limit = proto.per_connection_buffer_limit_bytes().value();
  }
  if (proto.filter_chains_size() == 0 && !proto.has_default_filter_chain()) {
    return Invalid("filter_chains", "no filter chains");
  }
  std::vector<route::FilterChainSpec> specs;
  for (int i = 0; i < proto.filter_chains_size(); ++i) {
    const listener::FilterChain& chain_proto = proto.filter_chains(i);
    const std::string path = absl::StrCat("filter_chains[", i, "]");
    // A chain for another destination port never matches connections to this listener (Envoy
    // matches destination_port against the socket's local port): leave it out.
    if (chain_proto.filter_chain_match().has_destination_port() &&
        chain_proto.filter_chain_match().destination_port().value() != l.address.port) {
      continue;
    }
    absl::StatusOr<FilterChain> chain = TranslateChain(chain_proto, path, secrets, &out);
    if (!chain.ok()) return chain.status();
    specs.push_back(chain->match);
    l.chains.push_back(std::move(*chain));
  }
  if (proto.has_default_filter_chain()) {
    absl::StatusOr<FilterChain> chain =
        TranslateChain(proto.default_filter_chain(), "default_filter_chain", secrets, &out);
    if (!chain.ok()) return chain.status();
    l.default_chain = std::move(*chain);
  }
  absl::StatusOr<std::shared_ptr<const route::SniRouteTable>> routes =
      route::SniRouteTable::Build(std::move(specs));
  if (!routes.ok()) return Invalid("filter_chains", routes.status().message());
  l.routes = std::move(*routes);
  return out;
}

}  // namespace meshgw::gateway::config::translate_internal
