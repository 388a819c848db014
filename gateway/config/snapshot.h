// The gateway's configuration as the data path sees it: one immutable `Snapshot`.
//
// Every source of configuration (the xDS stream, the `static` section of the bootstrap file) goes
// through the same translation (config/translate.h) into a Snapshot; nothing else in the gateway
// sees protobuf or HCL. A new Snapshot is swapped in atomically as a `shared_ptr<const Snapshot>`;
// a connection keeps the snapshot (and so the listener, chain and cluster objects) it started with
// for its whole life, which is why a config change never resets an established connection.
//
//   std::shared_ptr<const Snapshot> snap = current.load();
//   const Listener* mesh = snap->FindListener("mesh");
//   int chain = mesh->routes->LookupIndex(sni, alpn);          // -1: unknown SNI, close + count
//   const FilterChain& fc = chain >= 0 ? mesh->chains[chain] : *mesh->default_chain;
//   const Cluster* cluster = snap->FindCluster(fc.tcp_proxy().cluster);
//
// Everything here is plain data, already validated and resolved: addresses are parsed, SDS secrets
// are inlined into the TLS configs that name them, durations have their defaults, regexes are
// compiled. Thread-safety: immutable once built; safe to read from any number of threads.
#ifndef MESHGW_GATEWAY_CONFIG_SNAPSHOT_H_
#define MESHGW_GATEWAY_CONFIG_SNAPSHOT_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "common/shared_map.h"
#include "gateway/config/string_matcher.h"
#include "gateway/route/sni_route_table.h"

namespace meshgw::gateway::config {

// An IP literal and port, parsed once so that connect/bind need no resolver on the data path.
struct SocketAddress {
  std::string host;  // "127.0.0.1", "::1" (no brackets), "0.0.0.0"
  uint16_t port = 0;
  sockaddr_storage storage = {};
  socklen_t length = 0;

  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&storage); }
  std::string ToString() const;  // "127.0.0.1:8443", "[::1]:8443"
};

// ParseSocketAddress("127.0.0.1", 8443) fills every field; a host that is not an IPv4/IPv6 literal
// is InvalidArgument ("address \"db.local\" is not an IP literal").
absl::StatusOr<SocketAddress> ParseSocketAddress(std::string_view host, uint32_t port);
// ParseHostPort("127.0.0.1:8443") / ParseHostPort("[::1]:8443") splits and parses.
absl::StatusOr<SocketAddress> ParseHostPort(std::string_view host_port);

// ---- TLS -------------------------------------------------------------------------------------

enum class TlsVersion : uint8_t { kAuto, kTls1_0, kTls1_1, kTls1_2, kTls1_3 };

// TlsParameters of Envoy: kAuto minimum means TLS 1.2, kAuto maximum means TLS 1.3.
struct TlsParameters {
  TlsVersion min_version = TlsVersion::kAuto;
  TlsVersion max_version = TlsVersion::kAuto;
  std::vector<std::string> cipher_suites;  // OpenSSL names; empty = library defaults
  std::vector<std::string> ecdh_curves;    // empty = library defaults
};

// A certificate chain and its private key, PEM (leaf first). `name` is the SDS secret's name, or
// the resource path for inline material; /config_dump prints the name and never the key.
struct CertificateKeyPair {
  std::string name;
  std::string certificate_chain_pem;
  std::string private_key_pem;
};

// Which SAN a peer's certificate must carry (one of the list, like Envoy's
// match_typed_subject_alt_names). Consul pins SPIFFE URIs this way.
struct SanMatcher {
  enum class Type : uint8_t { kUri, kDns };
  Type type = Type::kUri;
  StringMatcher matcher;
};

// The CAs a peer's chain must lead to: for the mesh listener, the local CA plus the CAs of the
// peers that consume the chain's service. `version` changes whenever the CA set changes: the
// verified-chain cache keys on it so that a removed CA is never trusted from the cache.
struct TrustBundle {
  std::string name;            // SDS secret name or resource path
  std::string trusted_ca_pem;  // one or more certificates, concatenated
  std::vector<SanMatcher> match_sans;
  bool accept_untrusted = false;  // ACCEPT_UNTRUSTED: no chain verification (tests only)
  uint64_t version = 0;           // hash of trusted_ca_pem
};

// Terminating TLS on a filter chain (DownstreamTlsContext).
struct DownstreamTls {
  CertificateKeyPair certificate;
  std::optional<TrustBundle> trust;  // absent: client certificates are not verified
  bool require_client_certificate = false;
  TlsParameters params;
  std::vector<std::string> alpn;  // offered in this order
  bool session_tickets = true;    // !disable_stateless_session_resumption
  absl::Duration session_timeout = absl::Hours(2);
};

// Originating TLS to a cluster's endpoints (UpstreamTlsContext).
struct UpstreamTls {
  std::optional<CertificateKeyPair> certificate;  // client certificate, if any
  std::optional<TrustBundle> trust;  // server verification; match_sans pin its SPIFFE ID
  std::string sni;                   // sent in the ClientHello; empty: none
  TlsParameters params;
  std::vector<std::string> alpn;
};

// ---- Network filters ---------------------------------------------------------------------------

// RBAC (envoy.filters.network.rbac), evaluated once per connection after the TLS handshake.
struct RbacPrincipal {
  enum class Kind : uint8_t { kAny, kAuthenticated, kAnd, kOr, kNot };
  Kind kind = Kind::kAny;
  StringMatcher principal_name;    // kAuthenticated: matched against URI SANs, then the subject
  std::vector<RbacPrincipal> ids;  // kAnd, kOr; kNot has exactly one
};

struct RbacPermission {
  enum class Kind : uint8_t { kAny, kAnd, kOr, kNot, kRequestedServerName };
  Kind kind = Kind::kAny;
  StringMatcher server_name;          // kRequestedServerName
  std::vector<RbacPermission> rules;  // kAnd, kOr; kNot has exactly one
};

struct RbacPolicy {
  std::string name;
  std::vector<RbacPermission> permissions;  // any one must match
  std::vector<RbacPrincipal> principals;    // any one must match
};

struct RbacFilter {
  enum class Action : uint8_t { kAllow, kDeny };
  // kAllow: a connection is allowed only when some policy matches (no policies: deny all, which
  // is Consul's default-deny). kDeny: denied when some policy matches.
  Action action = Action::kAllow;
  std::vector<RbacPolicy> policies;  // in the resource's order (map key order)
  std::string stat_prefix;
  // The TypedExtensionConfig (ECDS) this configuration comes from when the filter has
  // config_discovery; empty for an inline one.
  std::string config_name;
  // A chain's filter with config_discovery: its configuration is Snapshot::extension_configs'
  // entry of `config_name`, looked up for each connection (Snapshot::RbacFor), and what this
  // filter holds stands in while that entry is absent: its default_config's policies, or none.
  bool discovered = false;
  // No default_config: while the configuration is absent the filter stands as ALLOW with no
  // policies, so every connection through the chain is denied (fail closed) until it arrives.
  bool config_missing = false;
};

// envoy.filters.network.connection_limit: at most max_connections at once through the chain.
struct ConnectionLimitFilter {
  uint64_t max_connections = 0;
  std::string stat_prefix;
};

// envoy.filters.network.sni_cluster: the tcp_proxy's cluster becomes the connection's SNI.
struct SniClusterFilter {};

// envoy.filters.network.tcp_proxy: always the last filter of a chain.
struct TcpProxyFilter {
  std::string stat_prefix;
  std::string cluster;  // ignored when the chain has a SniClusterFilter
  uint32_t max_connect_attempts = 1;
  absl::Duration idle_timeout = absl::Hours(1);  // zero: no idle timeout
};

using NetworkFilter =
    std::variant<RbacFilter, ConnectionLimitFilter, SniClusterFilter, TcpProxyFilter>;

// One filter chain of a listener. `filters` keeps the resource's order (a list of stages, so an
// HTTP stage can join later) and always ends with a TcpProxyFilter.
struct FilterChain {
  std::string name;
  route::FilterChainSpec match;
  std::optional<DownstreamTls> tls;  // present: terminate; absent: pass the TLS bytes through
  std::vector<NetworkFilter> filters;

  const TcpProxyFilter& tcp_proxy() const { return std::get<TcpProxyFilter>(filters.back()); }
  const RbacFilter* rbac() const;  // nullptr without one
  const ConnectionLimitFilter* connection_limit() const;
  bool sni_cluster() const;  // has a SniClusterFilter
};

struct Listener {
  std::string name;
  SocketAddress address;
  // tls_inspector listener filter present: read the ClientHello and route on SNI/ALPN. Without
  // it (an egress listener for local workloads), every connection takes the first chain without
  // server names, or the default chain.
  bool inspect_tls = false;
  absl::Duration hello_timeout = absl::Seconds(5);  // listener_filters_timeout, 0 = default 5 s
  uint32_t buffer_limit = 1 << 20;                  // per_connection_buffer_limit_bytes
  std::vector<FilterChain> chains;
  std::optional<FilterChain> default_chain;
  std::shared_ptr<const route::SniRouteTable> routes;  // built from chains[i].match, same indexes
  std::string stat_prefix;

  // ChainFor returns the chain for a connection (routes lookup, then default_chain), or nullptr.
  const FilterChain* ChainFor(std::string_view sni, absl::Span<const std::string_view> alpn,
                              route::TransportProtocol transport) const;
};

// ---- Clusters ----------------------------------------------------------------------------------

enum class HealthStatus : uint8_t {
  kUnknown,
  kHealthy,
  kUnhealthy,
  kDraining,
  kTimeout,
  kDegraded
};
// Only kUnknown and kHealthy endpoints get traffic (Envoy also counts kDegraded as a last resort;
// we do not).
inline bool ReceivesTraffic(HealthStatus s) {
  return s == HealthStatus::kUnknown || s == HealthStatus::kHealthy;
}
std::string_view HealthStatusName(HealthStatus s);  // "HEALTHY", ... as in Envoy

struct Endpoint {
  SocketAddress address;
  std::string hostname;  // informational
  HealthStatus health = HealthStatus::kUnknown;
  uint32_t weight = 1;
  // Which transport socket the connection to this endpoint uses: -1 the cluster's `tls` (or
  // plain TCP without one), else an index into Cluster::transport_socket_matches (the first entry
  // the endpoint's metadata matched). A failover cluster mixes plain local instances and a peer's
  // gateways reached over mTLS this way.
  int32_t transport_socket_match = -1;
};

// Endpoints of one priority; failover goes to the next priority when this one has no endpoint
// that receives traffic (or all of them are ejected).
struct PriorityLevel {
  uint32_t priority = 0;
  std::vector<Endpoint> endpoints;
};

enum class LbPolicy : uint8_t { kRoundRobin, kLeastRequest, kRandom };

// Passive outlier detection on connect failures (Envoy's consecutive_local_origin_failure /
// consecutive_gateway_failure: for a TCP proxy both mean the connect failed or timed out).
struct OutlierDetection {
  bool enabled = false;
  uint32_t consecutive_failures = 5;
  absl::Duration interval = absl::Seconds(10);
  absl::Duration base_ejection_time = absl::Seconds(30);  // times the ejection count
  absl::Duration max_ejection_time = absl::Seconds(300);
  uint32_t max_ejection_percent = 10;  // of the cluster's endpoints; at least one may be ejected
};

// One of Envoy's Cluster.transport_socket_matches, resolved: the endpoints whose
// filter_metadata["envoy.transport_socket_match"] carry every (field, value) of `criteria` use
// `tls` (absent: plain TCP).
struct TransportSocketMatch {
  std::string name;
  // (field, value) pairs, sorted by field; a value is its JSON text ("true", "\"a\"", "1").
  std::vector<std::pair<std::string, std::string>> criteria;
  std::optional<UpstreamTls> tls;
};

struct Cluster {
  std::string name;
  LbPolicy lb_policy = LbPolicy::kRoundRobin;
  absl::Duration connect_timeout = absl::Seconds(5);
  uint32_t max_connections = 1024;  // circuit breaker (DEFAULT priority threshold)
  uint32_t buffer_limit = 1 << 20;
  OutlierDetection outlier;
  std::optional<UpstreamTls> tls;  // present: originate TLS to the endpoints
  // Per-endpoint transport sockets (Endpoint::transport_socket_match indexes them).
  std::vector<TransportSocketMatch> transport_socket_matches;
  std::vector<PriorityLevel> priorities;  // sorted by priority, ascending; may be empty
  bool eds = false;                       // endpoints come from a ClusterLoadAssignment
  std::string eds_service_name;           // the ClusterLoadAssignment's name (default: name)

  // TlsFor(endpoint) is the TLS to originate to `endpoint`: its transport socket match's, else
  // the cluster's; nullptr for plain TCP.
  const UpstreamTls* TlsFor(const Endpoint& endpoint) const;
};

// ---- The snapshot ------------------------------------------------------------------------------

struct Snapshot {
  // Increases by one with every snapshot this process installs (the first is 1).
  uint64_t version = 0;
  // The xDS version of each resource that went into it ("static" for the bootstrap's section),
  // by "<type short name>/<resource name>", e.g. "Listener/mesh", for /config_dump.
  // A SharedMap (common/shared_map.h), as are the clusters and extension configurations: the
  // next snapshot starts as a copy of this one's shards and changes only what its update
  // changed, so a gateway holding 20,000 clusters does not rebuild maps of 20,000 entries per
  // update. Iteration order is unspecified (`Sorted()` for output).
  SharedMap<std::string> resource_versions;

  // Shared, immutable: an update that leaves a listener as it was hands the next snapshot the
  // same object (a mesh listener with 10,000 chains is not copied for a changed assignment).
  std::map<std::string, std::shared_ptr<const Listener>, std::less<>> listeners;
  SharedMap<std::shared_ptr<const Cluster>> clusters;
  // The ECDS configurations received (TypedExtensionConfig by name), translated; a chain's
  // discovered RBAC filter names one (RbacFor).
  SharedMap<std::shared_ptr<const RbacFilter>> extension_configs;

  // Complete when every cluster a chain names exists, every EDS cluster has its assignment, every
  // SDS secret named is present and every ECDS configuration a filter needs (one without a
  // default_config) is present. /ready answers 200 only for a complete snapshot. `missing`
  // lists what is not there yet ("Cluster \"api\" referenced by Listener \"mesh\" chain 2").
  bool complete = true;
  std::vector<std::string> missing;

  const Listener* FindListener(std::string_view name) const;
  const Cluster* FindCluster(std::string_view name) const;
  // RbacFor(chain) is the RBAC configuration that decides a connection through `chain`: its
  // filter's, or for a discovered filter the ECDS configuration of its name, else the filter's
  // stand-in (default_config, or config_missing); nullptr when the chain has no RBAC filter.
  const RbacFilter* RbacFor(const FilterChain& chain) const;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace meshgw::gateway::config

#endif  // MESHGW_GATEWAY_CONFIG_SNAPSHOT_H_
