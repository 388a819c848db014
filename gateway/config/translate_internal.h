// The parts of translate.h's translation, one resource kind at a time (translate_tls.cc,
// translate_listener.cc, translate_cluster.cc); translate.cc assembles them into a Snapshot.
// Not a public header: only gateway/config's own files and tests include it.
//
// Every function returns InvalidArgument "<field path>: <problem>" with the path from the
// resource's root; the caller adds the resource's type and name. Thread-safety: stateless
// functions; a SecretResolver is used by one translation at a time.
#ifndef MESHGW_GATEWAY_CONFIG_TRANSLATE_INTERNAL_H_
#define MESHGW_GATEWAY_CONFIG_TRANSLATE_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/core/v3/core.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "envoy/type/matcher/v3/string.pb.h"
#include "gateway/config/snapshot.h"

namespace meshgw::gateway::config::translate_internal {

// Hash64 is 64-bit FNV-1a: TrustBundle::version and the content versions of resolved secrets.
uint64_t Hash64(absl::string_view bytes);

absl::Status Invalid(absl::string_view path, absl::string_view problem);
// Prefix(status, "filter_chains[2]") turns "x: y" into "filter_chains[2].x: y" (kept message
// otherwise); used where a helper reports paths relative to a sub-message.
absl::Status Prefix(const absl::Status& status, absl::string_view path);

// What a Secret resource resolves to: exactly one of the two.
struct ResolvedSecret {
  std::optional<CertificateKeyPair> certificate;
  std::optional<TrustBundle> trust;
  uint64_t content_hash = 0;  // of the resolved PEM: changes when a file's content changes
};

// TranslateSecret resolves a Secret's DataSources (files are read now).
absl::StatusOr<ResolvedSecret> TranslateSecret(
    const envoy::extensions::transport_sockets::tls::v3::Secret& secret);

// SDS names seen while translating one resource, and which of them were absent.
struct SecretDeps {
  std::vector<std::pair<std::string, uint64_t>> used;  // name, content hash (0: missing)
  std::vector<std::string> missing;
};

// Looks SDS secrets up by name for one translation. Find returns nullptr for a secret that is not
// there (recorded as missing in `deps`), or the error of a secret that does not translate.
class SecretResolver {
 public:
  virtual ~SecretResolver() = default;
  virtual absl::StatusOr<const ResolvedSecret*> Find(const std::string& name) = 0;
};

// ReadConfigFile reads a certificate, key or token file: a regular file of at most 1 MiB (a FIFO
// or a device such as /dev/zero named by mistake must not hang or exhaust the gateway). The error
// is "cannot read \"<path>\": <reason>".
absl::StatusOr<std::string> ReadConfigFile(const std::string& path);

// ReadDataSource returns the bytes of a DataSource: inline_string/inline_bytes, a file read now,
// or an environment variable. `path` names the DataSource field.
absl::StatusOr<std::string> ReadDataSource(const envoy::config::core::v3::DataSource& source,
                                           absl::string_view path);

// TranslateStringMatcher compiles a StringMatcher (safe_regex with RE2).
absl::StatusOr<StringMatcher> TranslateStringMatcher(
    const envoy::type::matcher::v3::StringMatcher& m, absl::string_view path);

// Transport sockets of listener chains (DownstreamTlsContext) and clusters (UpstreamTlsContext).
// `path` names the transport_socket field. Absent SDS secrets leave the material empty and are
// listed in deps->missing.
absl::StatusOr<DownstreamTls> TranslateDownstreamTls(
    const envoy::config::core::v3::TransportSocket& socket, absl::string_view path,
    SecretResolver* secrets, SecretDeps* deps);
absl::StatusOr<UpstreamTls> TranslateUpstreamTls(
    const envoy::config::core::v3::TransportSocket& socket, absl::string_view path,
    SecretResolver* secrets, SecretDeps* deps);

// TranslateExtensionConfig translates a TypedExtensionConfig's typed_config exactly as an inline
// RBAC filter's typed_config (paths start with "typed_config").
absl::StatusOr<RbacFilter> TranslateExtensionConfig(
    const envoy::config::core::v3::TypedExtensionConfig& config);

// A listener and the SDS secrets its chains named, with which chain named each missing one. A
// filter with config_discovery names its ECDS configuration (Snapshot::RbacFor looks it up per
// connection), so a listener's translation does not depend on any configuration's content: a
// changed intention never re-translates the listener.
struct TranslatedListener {
  Listener listener;
  SecretDeps deps;
  // The ECDS configurations without a default_config, and the chain label of each user: absent
  // from the snapshot, they make it incomplete.
  std::vector<std::pair<std::string, std::string>> required_extension_configs;
  std::vector<std::string> missing;  // "Secret \"x\" referenced by chain \"y\""
};
absl::StatusOr<TranslatedListener> TranslateListener(
    const envoy::config::listener::v3::Listener& proto, SecretResolver* secrets);

// The endpoints of an assignment, grouped by priority (ascending). `path` ("" or
// "load_assignment.") is prepended to every field path. Each endpoint's transport socket is
// resolved against the cluster's `matches` (its metadata's "envoy.transport_socket_match").
absl::StatusOr<std::vector<PriorityLevel>> TranslateEndpoints(
    const envoy::config::endpoint::v3::ClusterLoadAssignment& cla, absl::string_view path,
    absl::Span<const TransportSocketMatch> matches = {});

// A cluster without its EDS endpoints (a STATIC cluster gets its load_assignment's).
absl::StatusOr<Cluster> TranslateCluster(const envoy::config::cluster::v3::Cluster& proto,
                                         SecretResolver* secrets, SecretDeps* deps);

}  // namespace meshgw::gateway::config::translate_internal

#endif  // MESHGW_GATEWAY_CONFIG_TRANSLATE_INTERNAL_H_
