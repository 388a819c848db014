// The bootstrap file as hcl/decode reads it: structs that keep where each checked attribute was
// written (`Located<T>`), and their schemas. bootstrap.cc checks them and builds the public
// `Bootstrap` and the static section's xDS resources. Not a public header.
//
// Thread-safety: the schemas are immutable and may be shared; the structs are plain data.
#ifndef MESHGW_GATEWAY_CONFIG_BOOTSTRAP_SCHEMA_H_
#define MESHGW_GATEWAY_CONFIG_BOOTSTRAP_SCHEMA_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "hcl/decode/decode.h"
#include "hcl/source.h"

namespace meshgw::gateway::config::bootstrap_internal {

// An attribute's value and where it was written; `set` is false when the attribute is absent (the
// value is then the default it was initialized with).
template <typename T>
struct Located {
  T value{};
  hcl::Range range;
  bool set = false;
};

template <typename T>
Located<T> Default(T value) {
  return Located<T>{std::move(value), {}, false};
}

}  // namespace meshgw::gateway::config::bootstrap_internal

// hcl/decode converts attribute values through ValueCodec<F>; this one delegates to T's codec and
// records the value's range, so that a check made after decoding can still point at the value.
namespace meshgw::hcl::decode::decode_internal {
template <typename X>
struct ValueCodec<gateway::config::bootstrap_internal::Located<X>, void> {
  static std::string Name() { return ValueCodec<X>::Name(); }
  static bool Decode(const Node& n, std::string_view a, Env& e,
                     gateway::config::bootstrap_internal::Located<X>* out) {
    X x{};
    if (!ValueCodec<X>::Decode(n, a, e, &x)) return false;
    out->value = std::move(x);
    out->range = n.range;
    out->set = true;
    return true;
  }
};
}  // namespace meshgw::hcl::decode::decode_internal

namespace meshgw::gateway::config::bootstrap_internal {

using Strings = Located<std::vector<Located<std::string>>>;

struct RawNode {
  Located<std::string> id;
  std::string cluster = "mesh-gateway";
  std::string datacenter;
};

struct RawXdsTls {
  Located<std::string> ca_file, cert_file, key_file;
  std::string server_name;
};

struct RawXds {
  Located<std::string> address;
  Located<std::string> token;
  Located<std::string> token_file;
  std::optional<RawXdsTls> tls;
};

struct RawAddress {
  Located<std::string> address;
};

struct RawLimits {
  Located<uint32_t> max_connections = Default<uint32_t>(10000);
  Located<uint32_t> max_hello_size = Default<uint32_t>(16384);
  Located<uint32_t> buffer_size = Default<uint32_t>(65536);
};

struct RawTimeouts {
  Located<absl::Duration> hello = Default(absl::Seconds(5));
  Located<absl::Duration> connect = Default(absl::Seconds(5));
  Located<absl::Duration> idle = Default(absl::Hours(1));
  Located<absl::Duration> drain = Default(absl::Seconds(30));
};

struct RawLog {
  Located<std::string> level = Default<std::string>("info");
  bool json = false;
  Located<std::string> access_log = Default<std::string>("stderr");
};

struct RawSecret {
  std::string name;
  Located<std::string> certificate_chain, certificate_chain_file;
  Located<std::string> private_key, private_key_file;
  Located<std::string> trusted_ca, trusted_ca_file;
};

struct RawPolicy {
  std::string name;
  Strings principals;
  Strings principal_regex;
};

struct RawRbac {
  Located<std::string> action = Default<std::string>("ALLOW");
  std::map<std::string, RawPolicy> policies;
};

struct RawDownstreamTls {
  Located<std::string> certificate;
  Located<std::string> trust;
  Located<bool> require_client_certificate;
  Strings match_san;
  Located<std::string> min_version, max_version;
  std::vector<std::string> cipher_suites;
  std::vector<std::string> alpn;
};

struct RawTcpProxy {
  Located<std::string> cluster;
  Located<absl::Duration> idle_timeout;
  Located<uint32_t> max_connect_attempts;
};

struct RawChain {
  std::string name;
  Located<std::vector<std::string>> server_names;
  Located<std::string> transport_protocol;
  Located<std::vector<std::string>> alpn;
  std::optional<RawDownstreamTls> tls;
  std::optional<RawRbac> rbac;
  Located<uint64_t> connection_limit;
  bool sni_cluster = false;
  RawTcpProxy tcp_proxy;
};

struct RawListener {
  std::string name;
  Located<std::string> address;
  bool tls_inspector = true;
  Located<absl::Duration> hello_timeout;
  std::vector<RawChain> chains;
};

struct RawOutlier {
  Located<uint32_t> consecutive_failures;
  Located<absl::Duration> interval, base_ejection_time, max_ejection_time;
  Located<uint32_t> max_ejection_percent;
};

struct RawUpstreamTls {
  Located<std::string> certificate;
  Located<std::string> trust;
  std::string sni;
  Strings match_san;
  Located<std::string> min_version, max_version;
  std::vector<std::string> cipher_suites;
  std::vector<std::string> alpn;
};

struct RawEndpoint {
  Located<std::string> address;
  uint32_t priority = 0;
  Located<std::string> health;
  Located<uint32_t> weight;
};

struct RawCluster {
  std::string name;
  Located<absl::Duration> connect_timeout;
  Located<std::string> lb_policy;
  Located<uint32_t> max_connections;
  std::optional<RawOutlier> outlier_detection;
  std::optional<RawUpstreamTls> tls;
  std::vector<RawEndpoint> endpoints;
};

struct RawStatic {
  std::map<std::string, RawSecret> secrets;
  std::map<std::string, RawListener> listeners;
  std::map<std::string, RawCluster> clusters;
};

struct RawBootstrap {
  RawNode node;
  std::optional<RawXds> xds;
  RawAddress admin{Default<std::string>("127.0.0.1:19000")};
  RawAddress metrics{Default<std::string>("0.0.0.0:9102")};
  Located<uint32_t> workers;
  RawLimits limits;
  RawTimeouts timeouts;
  RawLog log;
  std::optional<RawStatic> static_section;
};

// The schema of the whole file.
const hcl::decode::Schema<RawBootstrap>& BootstrapSchema();

}  // namespace meshgw::gateway::config::bootstrap_internal

#endif  // MESHGW_GATEWAY_CONFIG_BOOTSTRAP_SCHEMA_H_
