#include "xds/validate.h"

#include <google/protobuf/arena.h>
#include <re2/re2.h>

#include <memory>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/connection_limit/v3/connection_limit.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/sni_cluster/v3/sni_cluster.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "xds/internal/regex_syntax.h"
#include "xds/resource.h"

namespace meshgw::xds {
namespace {

namespace cluster = envoy::config::cluster::v3;
namespace core = envoy::config::core::v3;
namespace endpoint = envoy::config::endpoint::v3;
namespace listener = envoy::config::listener::v3;
namespace rbac = envoy::config::rbac::v3;
namespace tls = envoy::extensions::transport_sockets::tls::v3;
namespace matcher = envoy::type::matcher::v3;

constexpr absl::string_view kPrefix = "type.googleapis.com/";

std::string TypeUrlOf(const google::protobuf::Message& message) {
  return absl::StrCat(kPrefix, message.GetDescriptor()->full_name());
}

absl::Status Invalid(absl::string_view path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
}

template <typename T>
absl::Status Unpack(const google::protobuf::Any& any, absl::string_view path, T* out) {
  if (!any.UnpackTo(out)) {
    return Invalid(path, absl::StrCat("cannot decode as ", T::descriptor()->full_name()));
  }
  return absl::OkStatus();
}

// What one validator (one gateway's client) keeps between calls. Each MeshGatewayValidator() has
// its own: nothing learnt validating one gateway's resources is reused for another's.
// Its fields are used with `mu` held, by the call that set current_memory.
struct ValidatorMemory {
  absl::Mutex mu;
  // Regexes already compiled successfully: a listener re-pushed repeats the patterns of the last
  // one, and compiling one costs microseconds. Bounded (forgotten all at once when full).
  absl::flat_hash_set<std::string> known_regexes;
  // The first block of every decoding arena, reused: most resources decode within it, without
  // asking malloc for arena blocks (and giving them back) once per resource.
  std::unique_ptr<char[]> arena_block;
};
constexpr size_t kMaxKnownRegexes = 4096;
constexpr size_t kArenaBlockBytes = 64 * 1024;

// The memory of the validator whose call is running on this thread; null for a plain
// ValidateMeshGatewayResource, which keeps nothing.
thread_local ValidatorMemory* current_memory = nullptr;

absl::Status CheckStringMatcher(const matcher::StringMatcher& m, absl::string_view path) {
  switch (m.match_pattern_case()) {
    case matcher::StringMatcher::kExact:
      return absl::OkStatus();
    case matcher::StringMatcher::kPrefix:
    case matcher::StringMatcher::kSuffix:
    case matcher::StringMatcher::kContains:
      return absl::OkStatus();
    case matcher::StringMatcher::kSafeRegex: {
      const std::string& regex = m.safe_regex().regex();
      // Consul's principal patterns are plain: valid by their shape, no compiling needed.
      if (internal::IsPlainRe2Pattern(regex)) return absl::OkStatus();
      ValidatorMemory* memory = current_memory;  // its mu is held by the running call
      if (memory != nullptr && memory->known_regexes.contains(regex)) return absl::OkStatus();
      RE2 re(regex, RE2::Quiet);
      if (!re.ok()) {
        return Invalid(absl::StrCat(path, ".safe_regex.regex"),
                       absl::StrCat("invalid RE2 regex: ", re.error()));
      }
      if (memory != nullptr) {
        if (memory->known_regexes.size() >= kMaxKnownRegexes) memory->known_regexes.clear();
        memory->known_regexes.insert(regex);
      }
      return absl::OkStatus();
    }
    case matcher::StringMatcher::MATCH_PATTERN_NOT_SET:
      return Invalid(path, "no exact, prefix, suffix, contains or safe_regex pattern");
  }
  return absl::OkStatus();
}

absl::Status CheckPrincipal(const rbac::Principal& p, absl::string_view path) {
  switch (p.identifier_case()) {
    case rbac::Principal::kAny:
      return absl::OkStatus();
    case rbac::Principal::kAuthenticated:
      return CheckStringMatcher(p.authenticated().principal_name(),
                                absl::StrCat(path, ".authenticated.principal_name"));
    case rbac::Principal::kAndIds:
    case rbac::Principal::kOrIds: {
      const auto& set = p.has_and_ids() ? p.and_ids() : p.or_ids();
      const char* field = p.has_and_ids() ? ".and_ids" : ".or_ids";
      for (int i = 0; i < set.ids_size(); ++i) {
        absl::Status s = CheckPrincipal(set.ids(i), absl::StrCat(path, field, ".ids[", i, "]"));
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    }
    case rbac::Principal::kNotId:
      return CheckPrincipal(p.not_id(), absl::StrCat(path, ".not_id"));
    case rbac::Principal::IDENTIFIER_NOT_SET:
      return Invalid(path,
                     "unsupported principal (only any, authenticated, and_ids, or_ids, "
                     "not_id)");
  }
  return absl::OkStatus();
}

absl::Status CheckPermission(const rbac::Permission& p, absl::string_view path) {
  switch (p.rule_case()) {
    case rbac::Permission::kAny:
      return absl::OkStatus();
    case rbac::Permission::kRequestedServerName:
      return CheckStringMatcher(p.requested_server_name(),
                                absl::StrCat(path, ".requested_server_name"));
    case rbac::Permission::kAndRules:
    case rbac::Permission::kOrRules: {
      const auto& set = p.has_and_rules() ? p.and_rules() : p.or_rules();
      const char* field = p.has_and_rules() ? ".and_rules" : ".or_rules";
      for (int i = 0; i < set.rules_size(); ++i) {
        absl::Status s =
            CheckPermission(set.rules(i), absl::StrCat(path, field, ".rules[", i, "]"));
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    }
    case rbac::Permission::kNotRule:
      return CheckPermission(p.not_rule(), absl::StrCat(path, ".not_rule"));
    case rbac::Permission::RULE_NOT_SET:
      return Invalid(path,
                     "unsupported permission (only any, requested_server_name, and_rules, "
                     "or_rules, not_rule)");
  }
  return absl::OkStatus();
}

absl::Status CheckRbac(const rbac::RBAC& rules, absl::string_view path) {
  for (const auto& [name, policy] : rules.policies()) {
    const std::string policy_path = absl::StrCat(path, ".policies[\"", name, "\"]");
    for (int i = 0; i < policy.permissions_size(); ++i) {
      absl::Status s = CheckPermission(policy.permissions(i),
                                       absl::StrCat(policy_path, ".permissions[", i, "]"));
      if (!s.ok()) return s;
    }
    for (int i = 0; i < policy.principals_size(); ++i) {
      absl::Status s =
          CheckPrincipal(policy.principals(i), absl::StrCat(policy_path, ".principals[", i, "]"));
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDataSource(const core::DataSource& source, absl::string_view path) {
  if (source.specifier_case() == core::DataSource::SPECIFIER_NOT_SET) {
    return Invalid(path,
                   "empty (no filename, inline_bytes, inline_string or environment_variable)");
  }
  return absl::OkStatus();
}

absl::Status CheckCommonTls(const tls::CommonTlsContext& common, absl::string_view path) {
  for (int i = 0; i < common.tls_certificates_size(); ++i) {
    const auto& cert = common.tls_certificates(i);
    const std::string cert_path = absl::StrCat(path, ".tls_certificates[", i, "]");
    if (absl::Status s = CheckDataSource(cert.certificate_chain(),
                                         absl::StrCat(cert_path, ".certificate_chain"));
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            CheckDataSource(cert.private_key(), absl::StrCat(cert_path, ".private_key"));
        !s.ok()) {
      return s;
    }
  }
  const tls::CertificateValidationContext* validation = nullptr;
  std::string validation_path;
  if (common.has_validation_context()) {
    validation = &common.validation_context();
    validation_path = absl::StrCat(path, ".validation_context");
  } else if (common.has_combined_validation_context()) {
    validation = &common.combined_validation_context().default_validation_context();
    validation_path = absl::StrCat(path, ".combined_validation_context.default_validation_context");
  }
  if (validation != nullptr) {
    for (int i = 0; i < validation->match_typed_subject_alt_names_size(); ++i) {
      absl::Status s = CheckStringMatcher(
          validation->match_typed_subject_alt_names(i).matcher(),
          absl::StrCat(validation_path, ".match_typed_subject_alt_names[", i, "].matcher"));
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

template <typename Context>
absl::Status CheckTransportSocket(const core::TransportSocket& socket, absl::string_view path) {
  Context context;
  const std::string want = TypeUrlOf(context);
  if (!socket.has_typed_config()) return Invalid(path, "no typed_config");
  if (socket.typed_config().type_url() != want) {
    return Invalid(absl::StrCat(path, ".typed_config"),
                   absl::StrCat("unsupported transport socket \"", socket.name(), "\" (",
                                socket.typed_config().type_url(), "); want ", want));
  }
  if (absl::Status s = Unpack(socket.typed_config(), absl::StrCat(path, ".typed_config"), &context);
      !s.ok()) {
    return s;
  }
  return CheckCommonTls(context.common_tls_context(),
                        absl::StrCat(path, ".typed_config.common_tls_context"));
}

absl::Status CheckSocketAddress(const core::Address& address, absl::string_view path) {
  if (!address.has_socket_address()) return Invalid(path, "no socket_address");
  const auto& socket = address.socket_address();
  if (socket.address().empty()) {
    return Invalid(absl::StrCat(path, ".socket_address.address"), "empty");
  }
  if (socket.protocol() != core::SocketAddress::TCP) {
    return Invalid(absl::StrCat(path, ".socket_address.protocol"), "only TCP is supported");
  }
  if (socket.port_specifier_case() != core::SocketAddress::kPortValue) {
    return Invalid(absl::StrCat(path, ".socket_address"), "no port_value");
  }
  if (socket.port_value() > 65535) {
    return Invalid(absl::StrCat(path, ".socket_address.port_value"),
                   absl::StrCat(socket.port_value(), " is not a port"));
  }
  return absl::OkStatus();
}

absl::Status CheckCluster(const cluster::Cluster& c) {
  switch (c.type()) {
    case cluster::Cluster::EDS:
      if (c.has_eds_cluster_config() && c.eds_cluster_config().has_eds_config() &&
          !c.eds_cluster_config().eds_config().has_ads()) {
        return Invalid("eds_cluster_config.eds_config",
                       "only ads (the aggregated stream) is "
                       "supported");
      }
      break;
    case cluster::Cluster::STATIC:
      break;
    default:
      return Invalid("type", absl::StrCat(cluster::Cluster::DiscoveryType_Name(c.type()),
                                          " is not supported (EDS or STATIC)"));
  }
  switch (c.lb_policy()) {
    case cluster::Cluster::ROUND_ROBIN:
    case cluster::Cluster::LEAST_REQUEST:
    case cluster::Cluster::RANDOM:
      break;
    default:
      return Invalid("lb_policy", absl::StrCat(cluster::Cluster::LbPolicy_Name(c.lb_policy()),
                                               " is not supported"));
  }
  if (c.has_transport_socket()) {
    absl::Status s =
        CheckTransportSocket<tls::UpstreamTlsContext>(c.transport_socket(), "transport_socket");
    if (!s.ok()) return s;
  }
  for (int i = 0; i < c.transport_socket_matches_size(); ++i) {
    const auto& match = c.transport_socket_matches(i);
    const std::string path = absl::StrCat("transport_socket_matches[", i, "]");
    if (match.name().empty()) return Invalid(absl::StrCat(path, ".name"), "empty");
    if (match.has_transport_socket()) {
      absl::Status s = CheckTransportSocket<tls::UpstreamTlsContext>(
          match.transport_socket(), absl::StrCat(path, ".transport_socket"));
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckEndpoints(const endpoint::ClusterLoadAssignment& cla) {
  for (int i = 0; i < cla.endpoints_size(); ++i) {
    const auto& locality = cla.endpoints(i);
    for (int j = 0; j < locality.lb_endpoints_size(); ++j) {
      const auto& lb = locality.lb_endpoints(j);
      const std::string path = absl::StrCat("endpoints[", i, "].lb_endpoints[", j, "]");
      if (!lb.has_endpoint()) return Invalid(path, "no endpoint");
      absl::Status s =
          CheckSocketAddress(lb.endpoint().address(), absl::StrCat(path, ".endpoint.address"));
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckServerName(absl::string_view name, absl::string_view path) {
  if (name.empty()) return Invalid(path, "empty server name");
  size_t star = name.find('*');
  if (star == absl::string_view::npos) return absl::OkStatus();
  if (star != 0 || !absl::StartsWith(name, "*.") || name.size() < 3 ||
      name.find('*', 1) != absl::string_view::npos) {
    return Invalid(path,
                   absl::StrCat("\"", name, "\": only a leading \"*.\" wildcard is supported"));
  }
  return absl::OkStatus();
}

namespace net = envoy::extensions::filters::network;

// The error for a filter other than tcp_proxy at the end of its chain.
absl::Status LastIsNotTcpProxy(const listener::Filter& filter, absl::string_view path) {
  return Invalid(path, absl::StrCat("the last filter of a chain must be "
                                    "envoy.filters.network.tcp_proxy, not \"",
                                    filter.name(), "\""));
}

// A network RBAC filter's configuration, inline or delivered over ECDS.
absl::Status CheckRbacFilterConfig(const google::protobuf::Any& config,
                                   absl::string_view config_path) {
  net::rbac::v3::RBAC filter_rbac;
  if (absl::Status s = Unpack(config, config_path, &filter_rbac); !s.ok()) return s;
  if (filter_rbac.rules().action() == rbac::RBAC::LOG) {
    return Invalid(absl::StrCat(config_path, ".rules.action"), "LOG is not supported");
  }
  return CheckRbac(filter_rbac.rules(), absl::StrCat(config_path, ".rules"));
}

}  // namespace

absl::Status CheckConfigDiscovery(const listener::Filter& filter, absl::string_view path,
                                  bool last) {
  const std::string rbac_type = TypeUrlOf(net::rbac::v3::RBAC());
  const core::ExtensionConfigSource& source = filter.config_discovery();
  const std::string source_path = absl::StrCat(path, ".config_discovery");
  if (filter.name().empty()) {
    return Invalid(absl::StrCat(path, ".name"), "empty (it names the extension configuration)");
  }
  if (last) return LastIsNotTcpProxy(filter, path);
  if (!source.config_source().has_ads()) {
    return Invalid(absl::StrCat(source_path, ".config_source"),
                   "only ads (the aggregated stream) is supported");
  }
  if (source.type_urls().empty()) return Invalid(absl::StrCat(source_path, ".type_urls"), "empty");
  for (int i = 0; i < source.type_urls_size(); ++i) {
    if (source.type_urls(i) != rbac_type) {
      return Invalid(absl::StrCat(source_path, ".type_urls[", i, "]"),
                     absl::StrCat("\"", source.type_urls(i),
                                  "\": only the network RBAC filter is supported over ECDS"));
    }
  }
  if (source.has_default_config() && source.default_config().type_url() != rbac_type) {
    return Invalid(
        absl::StrCat(source_path, ".default_config"),
        absl::StrCat("type \"", source.default_config().type_url(), "\" is not among type_urls"));
  }
  return absl::OkStatus();
}

namespace {

// A filter whose configuration comes over ECDS: its settings, and its default configuration
// decoded and checked like an inline RBAC filter.
absl::Status CheckDiscoveredFilter(const listener::Filter& filter, absl::string_view path,
                                   bool last) {
  if (absl::Status s = CheckConfigDiscovery(filter, path, last); !s.ok()) return s;
  const core::ExtensionConfigSource& source = filter.config_discovery();
  if (!source.has_default_config()) return absl::OkStatus();
  return CheckRbacFilterConfig(source.default_config(),
                               absl::StrCat(path, ".config_discovery.default_config"));
}

absl::Status CheckNetworkFilter(const listener::Filter& filter, absl::string_view path, bool last) {
  if (filter.has_config_discovery()) return CheckDiscoveredFilter(filter, path, last);
  if (!filter.has_typed_config()) {
    return Invalid(path, absl::StrCat("network filter \"", filter.name(),
                                      "\" has neither typed_config nor config_discovery"));
  }
  const google::protobuf::Any& config = filter.typed_config();
  const std::string config_path = absl::StrCat(path, ".typed_config");
  if (!config.Is<net::tcp_proxy::v3::TcpProxy>() &&
      !config.Is<net::sni_cluster::v3::SniCluster>() &&
      !config.Is<net::connection_limit::v3::ConnectionLimit>() &&
      !config.Is<net::rbac::v3::RBAC>()) {
    return Invalid(path, absl::StrCat("unsupported network filter \"", filter.name(), "\" (",
                                      config.type_url(), ")"));
  }
  if (config.Is<net::tcp_proxy::v3::TcpProxy>()) {
    net::tcp_proxy::v3::TcpProxy proxy;
    if (absl::Status s = Unpack(config, config_path, &proxy); !s.ok()) return s;
    if (!last) return Invalid(path, "tcp_proxy must be the last filter of its chain");
    if (proxy.has_weighted_clusters()) {
      for (int i = 0; i < proxy.weighted_clusters().clusters_size(); ++i) {
        if (proxy.weighted_clusters().clusters(i).name().empty()) {
          return Invalid(absl::StrCat(config_path, ".weighted_clusters.clusters[", i, "].name"),
                         "empty");
        }
      }
    }
    return absl::OkStatus();
  }
  if (last) return LastIsNotTcpProxy(filter, path);
  if (config.Is<net::sni_cluster::v3::SniCluster>()) return absl::OkStatus();
  if (config.Is<net::connection_limit::v3::ConnectionLimit>()) {
    net::connection_limit::v3::ConnectionLimit limit;
    if (absl::Status s = Unpack(config, config_path, &limit); !s.ok()) return s;
    if (!limit.has_max_connections() || limit.max_connections().value() == 0) {
      return Invalid(absl::StrCat(config_path, ".max_connections"), "must be at least 1");
    }
    return absl::OkStatus();
  }
  if (config.Is<net::rbac::v3::RBAC>()) return CheckRbacFilterConfig(config, config_path);
  return Invalid(path, absl::StrCat("unsupported network filter \"", filter.name(), "\" (",
                                    config.type_url(), ")"));
}

absl::Status CheckFilterChain(const listener::FilterChain& chain, absl::string_view path) {
  for (int i = 0; i < chain.filter_chain_match().server_names_size(); ++i) {
    const std::string& name = chain.filter_chain_match().server_names(i);
    if (!name.empty() && name.find('*') == std::string::npos) continue;  // the common case
    absl::Status s =
        CheckServerName(name, absl::StrCat(path, ".filter_chain_match.server_names[", i, "]"));
    if (!s.ok()) return s;
  }
  const auto& protocol = chain.filter_chain_match().transport_protocol();
  if (!protocol.empty() && protocol != "tls" && protocol != "raw_buffer") {
    return Invalid(absl::StrCat(path, ".filter_chain_match.transport_protocol"),
                   absl::StrCat("\"", protocol, "\" is not supported (tls or raw_buffer)"));
  }
  if (chain.filters_size() == 0) return Invalid(absl::StrCat(path, ".filters"), "no filters");
  for (int i = 0; i < chain.filters_size(); ++i) {
    absl::Status s = CheckNetworkFilter(chain.filters(i), absl::StrCat(path, ".filters[", i, "]"),
                                        i + 1 == chain.filters_size());
    if (!s.ok()) return s;
  }
  if (chain.has_transport_socket()) {
    return CheckTransportSocket<tls::DownstreamTlsContext>(chain.transport_socket(),
                                                           absl::StrCat(path, ".transport_socket"));
  }
  return absl::OkStatus();
}

absl::Status CheckListener(const listener::Listener& l) {
  if (absl::Status s = CheckSocketAddress(l.address(), "address"); !s.ok()) return s;
  for (int i = 0; i < l.listener_filters_size(); ++i) {
    const auto& filter = l.listener_filters(i);
    const std::string path = absl::StrCat("listener_filters[", i, "]");
    using envoy::extensions::filters::listener::tls_inspector::v3::TlsInspector;
    const bool by_type = filter.has_typed_config() && filter.typed_config().Is<TlsInspector>();
    const bool by_name =
        !filter.has_typed_config() && filter.name() == "envoy.filters.listener.tls_inspector";
    if (!by_type && !by_name) {
      return Invalid(path, absl::StrCat("unsupported listener filter \"", filter.name(), "\" (",
                                        filter.typed_config().type_url(), ")"));
    }
  }
  if (l.filter_chains_size() == 0 && !l.has_default_filter_chain()) {
    return Invalid("filter_chains", "no filter chains");
  }
  for (int i = 0; i < l.filter_chains_size(); ++i) {
    absl::Status s = CheckFilterChain(l.filter_chains(i), absl::StrCat("filter_chains[", i, "]"));
    if (!s.ok()) return s;
  }
  if (l.has_default_filter_chain()) {
    return CheckFilterChain(l.default_filter_chain(), "default_filter_chain");
  }
  return absl::OkStatus();
}

absl::Status CheckSecret(const tls::Secret& secret) {
  switch (secret.type_case()) {
    case tls::Secret::kTlsCertificate: {
      const auto& cert = secret.tls_certificate();
      if (absl::Status s =
              CheckDataSource(cert.certificate_chain(), "tls_certificate.certificate_chain");
          !s.ok()) {
        return s;
      }
      return CheckDataSource(cert.private_key(), "tls_certificate.private_key");
    }
    case tls::Secret::kValidationContext:
      return CheckDataSource(secret.validation_context().trusted_ca(),
                             "validation_context.trusted_ca");
    case tls::Secret::TYPE_NOT_SET:
      return Invalid("type", "no tls_certificate or validation_context (the only supported kinds)");
  }
  return absl::OkStatus();
}

// An ECDS resource: the configuration of the filters named like it (network RBAC only).
absl::Status CheckExtensionConfig(const core::TypedExtensionConfig& config) {
  if (!config.has_typed_config()) return Invalid("typed_config", "missing");
  if (!config.typed_config().Is<net::rbac::v3::RBAC>()) {
    return Invalid("typed_config",
                   absl::StrCat("unsupported extension \"", config.typed_config().type_url(),
                                "\" (only the network RBAC filter)"));
  }
  return CheckRbacFilterConfig(config.typed_config(), "typed_config");
}

template <typename T>
absl::Status DecodeAndCheck(const google::protobuf::Any& resource, absl::string_view name,
                            absl::Status (*check)(const T&), std::string (*name_of)(const T&)) {
  // On an arena: a listener of ten thousand chains is hundreds of thousands of small objects,
  // allocated by bumping a pointer and freed at once.
  google::protobuf::ArenaOptions options;
  if (current_memory != nullptr) {
    options.initial_block = current_memory->arena_block.get();
    options.initial_block_size = kArenaBlockBytes;
  }
  options.max_block_size = 1 << 20;  // the large listener: fewer, larger blocks
  google::protobuf::Arena arena(options);
  T& message = *google::protobuf::Arena::CreateMessage<T>(&arena);
  if (absl::Status s = Unpack(resource, "resource", &message); !s.ok()) return s;
  if (name_of(message) != name) {
    return Invalid("name",
                   absl::StrCat("\"", name_of(message), "\" differs from the resource name"));
  }
  return check(message);
}

}  // namespace

absl::Status ValidateMeshGatewayResource(absl::string_view type_url, absl::string_view name,
                                         const google::protobuf::Any& resource) {
  if (type_url == kClusterType) {
    return DecodeAndCheck<cluster::Cluster>(resource, name, &CheckCluster,
                                            [](const cluster::Cluster& c) { return c.name(); });
  }
  if (type_url == kEndpointType) {
    return DecodeAndCheck<endpoint::ClusterLoadAssignment>(
        resource, name, &CheckEndpoints,
        [](const endpoint::ClusterLoadAssignment& c) { return c.cluster_name(); });
  }
  if (type_url == kListenerType) {
    return DecodeAndCheck<listener::Listener>(resource, name, &CheckListener,
                                              [](const listener::Listener& l) { return l.name(); });
  }
  if (type_url == kSecretType) {
    return DecodeAndCheck<tls::Secret>(resource, name, &CheckSecret,
                                       [](const tls::Secret& s) { return s.name(); });
  }
  if (type_url == kExtensionConfigType) {
    return DecodeAndCheck<core::TypedExtensionConfig>(
        resource, name, &CheckExtensionConfig,
        [](const core::TypedExtensionConfig& c) { return c.name(); });
  }
  return absl::InvalidArgumentError(absl::StrCat("unsupported resource type ", type_url));
}

ResourceValidator MeshGatewayValidator() {
  auto memory = std::make_shared<ValidatorMemory>();
  memory->arena_block = std::make_unique<char[]>(kArenaBlockBytes);
  return [memory](absl::string_view type_url, absl::string_view name,
                  const google::protobuf::Any& resource) {
    absl::MutexLock lock(&memory->mu);
    ValidatorMemory* const outer = current_memory;
    current_memory = memory.get();
    absl::Status status = ValidateMeshGatewayResource(type_url, name, resource);
    current_memory = outer;
    return status;
  };
}

}  // namespace meshgw::xds
