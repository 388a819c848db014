// Consul's config entries as typed values: the kinds the control component mirrors and
// translates for mesh gateways (facts: reference/consul.md §2.7, Consul's api/config_entry*.go).
//
// Each kind is a plain struct whose fields carry Consul's names in snake_case (`Sources`,
// `SamenessGroup` -> `sources`, `sameness_group`); an empty string means "not set", as in
// Consul's JSON where these fields are `omitempty`. `ConfigEntry` is the variant of all kinds.
// Sources (HCL files, Consul's HTTP API) fill these structs; `ValidateConfigEntry`
// (model/validate.h) applies Consul's write-time rules; `Model` (model/model.h) holds them.
//
//   ServiceIntentions si;
//   si.name = "private-api";
//   si.sources.push_back(IntentionSource{.name = "front-service", .peer = "gcp-dc1-default",
//                                        .action = IntentionAction::kAllow});
//   ConfigEntry e = si;
//   ConfigEntryKindName(KindOf(e)) == "service-intentions"; EntryName(e) == "private-api"
//
// Opaque maps (`proxy-defaults` `Config`, upstream `Config`) stay as written, keys untranslated,
// as JSON values. Thread-safety: plain values; functions are pure.
#ifndef MESHGW_CONTROL_MODEL_CONFIG_ENTRY_H_
#define MESHGW_CONTROL_MODEL_CONFIG_ENTRY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace meshgw::control {

enum class ConfigEntryKind : uint8_t {
  kExportedServices,
  kServiceIntentions,
  kSamenessGroup,
  kServiceResolver,
  kServiceDefaults,
  kProxyDefaults,
  kMesh,
  kApiGateway,
  kHttpRoute,
};
inline constexpr int kNumConfigEntryKinds = 9;

// ConfigEntryKindName(kServiceIntentions) == "service-intentions" (Consul's `Kind` value).
std::string_view ConfigEntryKindName(ConfigEntryKind kind);
// ParseConfigEntryKind("service-intentions") == kServiceIntentions; Consul's kind names are
// lowercase, and so is the match. nullopt for an unknown kind.
std::optional<ConfigEntryKind> ParseConfigEntryKind(std::string_view name);
// Every kind name, in enum order (for "did you mean" suggestions).
const std::vector<std::string>& ConfigEntryKindNames();

// Every entry also has `partition` (Enterprise; "" is the default partition), `ns` (Consul's
// `Namespace`; "" is "default"), `meta`, and `origin`: where the entry was read
// ("configs/consul/mesh.hcl:2:1" for a file, a URL path for Consul). `origin` is not Consul data;
// it is compared like the other fields, so an entry moved to another line counts as changed.

// ---- exported-services ---------------------------------------------------------------------

// Exactly one of the three is set (validated).
struct ExportedConsumer {
  std::string peer;  // alias peer_name
  std::string partition;
  std::string sameness_group;

  friend bool operator==(const ExportedConsumer&, const ExportedConsumer&) = default;
};

struct ExportedService {
  std::string name;  // "*" exports every service of the namespace
  std::string ns;
  std::vector<ExportedConsumer> consumers;

  friend bool operator==(const ExportedService&, const ExportedService&) = default;
};

struct ExportedServices {
  static constexpr ConfigEntryKind kKind = ConfigEntryKind::kExportedServices;
  std::string name;  // the partition it exports from: "default" in Consul CE
  std::string partition;
  std::string ns;
  std::map<std::string, std::string> meta;
  std::string origin;
  std::vector<ExportedService> services;

  friend bool operator==(const ExportedServices&, const ExportedServices&) = default;
};

// ---- service-intentions --------------------------------------------------------------------

enum class IntentionAction : uint8_t { kUnset, kAllow, kDeny };
// IntentionActionName(kAllow) == "allow"; kUnset is "".
std::string_view IntentionActionName(IntentionAction action);

// One header condition of an L7 permission: exactly one of present/exact/prefix/suffix/contains/
// regex is set (validated).
struct IntentionHeaderMatch {
  std::string name;
  bool present = false;
  std::string exact;
  std::string prefix;
  std::string suffix;
  std::string contains;
  std::string regex;
  bool invert = false;
  bool ignore_case = false;

  friend bool operator==(const IntentionHeaderMatch&, const IntentionHeaderMatch&) = default;
};

struct IntentionHttpMatch {
  std::string path_exact;  // at most one of the three paths (validated)
  std::string path_prefix;
  std::string path_regex;
  std::vector<IntentionHeaderMatch> header;  // Consul's field is `Header`
  std::vector<std::string> methods;          // upper case, e.g. "GET"

  friend bool operator==(const IntentionHttpMatch&, const IntentionHttpMatch&) = default;
};

struct IntentionPermission {
  IntentionAction action = IntentionAction::kUnset;
  std::optional<IntentionHttpMatch> http;

  friend bool operator==(const IntentionPermission&, const IntentionPermission&) = default;
};

// A source: a local service (`name`, `ns`, `partition`), a service of a peer (`peer`) or of a
// sameness group. At most one of peer, partition and sameness_group (validated). Either an L4
// `action` or L7 `permissions`, never both.
struct IntentionSource {
  std::string name;  // "*" for any
  std::string ns;
  std::string partition;
  std::string peer;
  std::string sameness_group;
  IntentionAction action = IntentionAction::kUnset;
  std::vector<IntentionPermission> permissions;
  // Consul computes it (read-only on write); the model fills it with IntentionPrecedence.
  int precedence = 0;
  std::string type = "consul";
  std::string description;

  friend bool operator==(const IntentionSource&, const IntentionSource&) = default;
};

struct ServiceIntentions {
  static constexpr ConfigEntryKind kKind = ConfigEntryKind::kServiceIntentions;
  std::string name;  // the destination service, "*" for any
  std::string partition;
  std::string ns;
  std::map<std::string, std::string> meta;
  std::string origin;
  std::vector<IntentionSource> sources;

  friend bool operator==(const ServiceIntentions&, const ServiceIntentions&) = default;
};

// IntentionPrecedence: Consul's precedence of an intention (9 highest .. 1) from whether the
// source and destination name and namespace are exact or "*":
//   exact source, exact destination -> 9; "*" source name -> 8; "*" source ns and name -> 7;
//   "*" destination name: 6, 5, 4; "*" destination ns and name: 3, 2, 1.
int IntentionPrecedence(const IntentionSource& source, const ServiceIntentions& destination);

// ---- sameness-group ------------------------------------------------------------------------

// Exactly one of partition and peer (validated). Member order is the failover order.
struct SamenessMember {
  std::string partition;
  std::string peer;

  friend bool operator==(const SamenessMember&, const SamenessMember&) = default;
};

struct SamenessGroup {
  static constexpr ConfigEntryKind kKind = ConfigEntryKind::kSamenessGroup;
  std::string name;
  std::string partition;
  std::string ns;
  std::map<std::string, std::string> meta;
  std::string origin;
  bool default_for_failover = false;
  bool include_local = false;
  std::vector<SamenessMember> members;

  friend bool operator==(const SamenessGroup&, const SamenessGroup&) = default;
};

// ---- service-resolver ----------------------------------------------------------------------

struct ResolverSubset {
  std::string filter;  // a bexpr over the service instance, e.g. "Service.Meta.version == v2"
  bool only_passing = false;

  friend bool operator==(const ResolverSubset&, const ResolverSubset&) = default;
};

struct ResolverRedirect {
  std::string service;
  std::string service_subset;
  std::string ns;
  std::string partition;
  std::string datacenter;
  std::string peer;
  std::string sameness_group;

  friend bool operator==(const ResolverRedirect&, const ResolverRedirect&) = default;
};

struct FailoverTarget {
  std::string service;
  std::string service_subset;
  std::string partition;
  std::string ns;
  std::string datacenter;
  std::string peer;

  friend bool operator==(const FailoverTarget&, const FailoverTarget&) = default;
};

struct FailoverPolicy {
  std::string mode;  // "", "default", "order-by-locality"
  std::vector<std::string> regions;

  friend bool operator==(const FailoverPolicy&, const FailoverPolicy&) = default;
};

// Either the legacy form (service, service_subset, ns, datacenters), or `targets`, or a
// `sameness_group` (validated).
struct ResolverFailover {
  std::string service;
  std::string service_subset;
  std::string ns;
  std::vector<std::string> datacenters;
  std::vector<FailoverTarget> targets;
  std::optional<FailoverPolicy> policy;
  std::string sameness_group;

  friend bool operator==(const ResolverFailover&, const ResolverFailover&) = default;
};

struct RingHashConfig {
  uint64_t minimum_ring_size = 0;
  uint64_t maximum_ring_size = 0;

  friend bool operator==(const RingHashConfig&, const RingHashConfig&) = default;
};

struct LeastRequestConfig {
  uint32_t choice_count = 0;

  friend bool operator==(const LeastRequestConfig&, const LeastRequestConfig&) = default;
};

// Consul's HashPolicies are not read (a mesh gateway does not decrypt, so they never apply).
struct ResolverLoadBalancer {
  std::string policy;  // "", "random", "round_robin", "least_request", "ring_hash", "maglev"
  std::optional<RingHashConfig> ring_hash_config;
  std::optional<LeastRequestConfig> least_request_config;

  friend bool operator==(const ResolverLoadBalancer&, const ResolverLoadBalancer&) = default;
};

struct ServiceResolver {
  static constexpr ConfigEntryKind kKind = ConfigEntryKind::kServiceResolver;
  std::string name;
  std::string partition;
  std::string ns;
  std::map<std::string, std::string> meta;
  std::string origin;
  absl::Duration connect_timeout = absl::ZeroDuration();  // zero: the proxy's default
  absl::Duration request_timeout = absl::ZeroDuration();
  std::string default_subset;
  std::map<std::string, ResolverSubset> subsets;
  std::optional<ResolverRedirect> redirect;
  std::map<std::string, ResolverFailover> failover;  // by subset name, or "*"
  std::optional<ResolverLoadBalancer> load_balancer;

  friend bool operator==(const ServiceResolver&, const ServiceResolver&) = default;
};

// ---- service-defaults and proxy-defaults ---------------------------------------------------

struct MeshGatewayConfig {
  std::string mode;  // "", "none", "local", "remote"

  friend bool operator==(const MeshGatewayConfig&, const MeshGatewayConfig&) = default;
};

struct TransparentProxyConfig {
  int outbound_listener_port = 0;
  bool dialed_directly = false;

  friend bool operator==(const TransparentProxyConfig&, const TransparentProxyConfig&) = default;
};

struct DestinationConfig {
  std::vector<std::string> addresses;  // IPs or host names
  int port = 0;

  friend bool operator==(const DestinationConfig&, const DestinationConfig&) = default;
};

struct UpstreamLimits {
  std::optional<int> max_connections;
  std::optional<int> max_pending_requests;
  std::optional<int> max_concurrent_requests;

  friend bool operator==(const UpstreamLimits&, const UpstreamLimits&) = default;
};

struct PassiveHealthCheck {
  absl::Duration interval = absl::ZeroDuration();
  uint32_t max_failures = 0;
  std::optional<uint32_t> enforcing_consecutive_5xx;
  std::optional<uint32_t> max_ejection_percent;
  std::optional<absl::Duration> base_ejection_time;

  friend bool operator==(const PassiveHealthCheck&, const PassiveHealthCheck&) = default;
};

// One of `UpstreamConfig.Overrides` (names the upstream) or `UpstreamConfig.Defaults`.
struct UpstreamConfig {
  std::string name;
  std::string ns;
  std::string partition;
  std::string peer;
  std::string protocol;
  int connect_timeout_ms = 0;
  std::optional<UpstreamLimits> limits;
  std::optional<PassiveHealthCheck> passive_health_check;
  MeshGatewayConfig mesh_gateway;
  std::string balance_outbound_connections;

  friend bool operator==(const UpstreamConfig&, const UpstreamConfig&) = default;
};

struct UpstreamConfiguration {
  std::vector<UpstreamConfig> overrides;
  std::optional<UpstreamConfig> defaults;

  friend bool operator==(const UpstreamConfiguration&, const UpstreamConfiguration&) = default;
};

struct ServiceDefaults {
  static constexpr ConfigEntryKind kKind = ConfigEntryKind::kServiceDefaults;
  std::string name;
  std::string partition;
  std::string ns;
  std::map<std::string, std::string> meta;
  std::string origin;
  std::string protocol;         // "", "tcp", "http", "http2", "grpc"
  std::string mode;             // "", "direct", "transparent"
  std::string mutual_tls_mode;  // "", "strict", "permissive"
  std::optional<TransparentProxyConfig> transparent_proxy;
  MeshGatewayConfig mesh_gateway;
  std::string external_sni;
  std::optional<DestinationConfig> destination;
  std::optional<UpstreamConfiguration> upstream_config;
  int max_inbound_connections = 0;
  int local_connect_timeout_ms = 0;
  int local_request_timeout_ms = 0;
  std::string balance_inbound_connections;

  friend bool operator==(const ServiceDefaults&, const ServiceDefaults&) = default;
};

struct AccessLogsConfig {
  bool enabled = false;
  bool disable_listener_logs = false;
  std::string type;  // "", "file", "stderr", "stdout"
  std::string path;
  std::string json_format;
  std::string text_format;

  friend bool operator==(const AccessLogsConfig&, const AccessLogsConfig&) = default;
};

struct ProxyDefaults {
  static constexpr ConfigEntryKind kKind = ConfigEntryKind::kProxyDefaults;
  std::string name;  // always "global"
  std::string partition;
  std::string ns;
  std::map<std::string, std::string> meta;
  std::string origin;
  nlohmann::json config = nlohmann::json::object();  // opaque, keys as written
  std::string mode;
  std::optional<TransparentProxyConfig> transparent_proxy;
  std::string mutual_tls_mode;
  MeshGatewayConfig mesh_gateway;
  std::optional<AccessLogsConfig> access_logs;

  // The `protocol` key of `config` when it is a string ("http"), else "".
  std::string Protocol() const;

  friend bool operator==(const ProxyDefaults&, const ProxyDefaults&) = default;
};

// ---- mesh ----------------------------------------------------------------------------------

struct MeshDirectionalTls {
  std::string tls_min_version;  // "", "TLS_AUTO", "TLSv1_0" .. "TLSv1_3"
  std::string tls_max_version;
  std::vector<std::string> cipher_suites;

  friend bool operator==(const MeshDirectionalTls&, const MeshDirectionalTls&) = default;
};

struct MeshTls {
  std::optional<MeshDirectionalTls> incoming;
  std::optional<MeshDirectionalTls> outgoing;

  friend bool operator==(const MeshTls&, const MeshTls&) = default;
};

struct MeshTransparentProxy {
  bool mesh_destinations_only = false;

  friend bool operator==(const MeshTransparentProxy&, const MeshTransparentProxy&) = default;
};

struct MeshHttp {
  bool sanitize_x_forwarded_client_cert = false;

  friend bool operator==(const MeshHttp&, const MeshHttp&) = default;
};

struct MeshPeering {
  // Peering control-plane traffic (server.<dc>.peering.<td>) goes through the mesh gateways.
  bool peer_through_mesh_gateways = false;

  friend bool operator==(const MeshPeering&, const MeshPeering&) = default;
};

struct Mesh {
  static constexpr ConfigEntryKind kKind = ConfigEntryKind::kMesh;
  std::string name = "mesh";  // fixed
  std::string partition;
  std::string ns;
  std::map<std::string, std::string> meta;
  std::string origin;
  MeshTransparentProxy transparent_proxy;
  bool allow_enabling_permissive_mutual_tls = false;
  bool validate_clusters = false;
  std::optional<MeshTls> tls;
  MeshHttp http;
  MeshPeering peering;

  friend bool operator==(const Mesh&, const Mesh&) = default;
};

// ---- api-gateway and http-route ------------------------------------------------------------

struct GatewayCertificateRef {
  std::string kind;  // "file-system-certificate", "inline-certificate"
  std::string name;
  std::string ns;
  std::string partition;

  friend bool operator==(const GatewayCertificateRef&, const GatewayCertificateRef&) = default;
};

struct ApiGatewayTls {
  std::vector<GatewayCertificateRef> certificates;
  std::string min_version;
  std::string max_version;
  std::vector<std::string> cipher_suites;

  friend bool operator==(const ApiGatewayTls&, const ApiGatewayTls&) = default;
};

struct ApiGatewayListener {
  std::string name;
  std::string hostname;
  int port = 0;
  std::string protocol;  // "http" or "tcp"
  std::optional<ApiGatewayTls> tls;

  friend bool operator==(const ApiGatewayListener&, const ApiGatewayListener&) = default;
};

struct ApiGateway {
  static constexpr ConfigEntryKind kKind = ConfigEntryKind::kApiGateway;
  std::string name;
  std::string partition;
  std::string ns;
  std::map<std::string, std::string> meta;
  std::string origin;
  std::vector<ApiGatewayListener> listeners;

  friend bool operator==(const ApiGateway&, const ApiGateway&) = default;
};

struct RouteParent {
  std::string kind;  // "api-gateway"
  std::string name;
  std::string section_name;  // a listener of that gateway
  std::string ns;
  std::string partition;

  friend bool operator==(const RouteParent&, const RouteParent&) = default;
};

struct HttpPathMatch {
  std::string match;  // "exact", "prefix", "regex"
  std::string value;

  friend bool operator==(const HttpPathMatch&, const HttpPathMatch&) = default;
};

// A header or query condition: match is "exact", "prefix", "suffix", "present", "regex".
struct HttpValueMatch {
  std::string match;
  std::string name;
  std::string value;

  friend bool operator==(const HttpValueMatch&, const HttpValueMatch&) = default;
};

struct HttpMatch {
  std::optional<HttpPathMatch> path;
  std::vector<HttpValueMatch> headers;
  std::string method;
  std::vector<HttpValueMatch> query;

  friend bool operator==(const HttpMatch&, const HttpMatch&) = default;
};

struct HttpRouteService {
  std::string name;
  std::string ns;
  std::string partition;
  int weight = 0;  // 0: Consul's default of 1

  friend bool operator==(const HttpRouteService&, const HttpRouteService&) = default;
};

struct HttpRouteRule {
  std::vector<HttpMatch> matches;
  std::vector<HttpRouteService> services;

  friend bool operator==(const HttpRouteRule&, const HttpRouteRule&) = default;
};

struct HttpRoute {
  static constexpr ConfigEntryKind kKind = ConfigEntryKind::kHttpRoute;
  std::string name;
  std::string partition;
  std::string ns;
  std::map<std::string, std::string> meta;
  std::string origin;
  std::vector<RouteParent> parents;
  std::vector<std::string> hostnames;
  std::vector<HttpRouteRule> rules;

  friend bool operator==(const HttpRoute&, const HttpRoute&) = default;
};

// ---- the variant ---------------------------------------------------------------------------

// Alternatives in ConfigEntryKind order: `index()` == static_cast<size_t>(kind).
using ConfigEntry =
    std::variant<ExportedServices, ServiceIntentions, SamenessGroup, ServiceResolver,
                 ServiceDefaults, ProxyDefaults, Mesh, ApiGateway, HttpRoute>;

inline ConfigEntryKind KindOf(const ConfigEntry& e) {
  return static_cast<ConfigEntryKind>(e.index());
}
// EntryName(e) is the entry's `Name`.
const std::string& EntryName(const ConfigEntry& e);
// EntryOrigin(e) is where the entry was read ("" when unknown).
const std::string& EntryOrigin(const ConfigEntry& e);
void SetEntryOrigin(ConfigEntry& e, std::string origin);

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_MODEL_CONFIG_ENTRY_H_
