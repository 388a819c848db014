// Bootstrap file: decode (bootstrap_schema.h), check each value where it was written, and turn
// the static section into xDS resources for the one translation (translate.h).
#include "gateway/config/bootstrap.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/connection_limit/v3/connection_limit.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/sni_cluster/v3/sni_cluster.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "gateway/config/bootstrap_schema.h"
#include "gateway/config/string_matcher.h"
#include "gateway/config/translate_internal.h"
#include "gateway/route/sni_route_table.h"
#include "hcl/eval/eval.h"

namespace meshgw::gateway::config {
namespace {

namespace bi = bootstrap_internal;
namespace cluster_pb = envoy::config::cluster::v3;
namespace core_pb = envoy::config::core::v3;
namespace endpoint_pb = envoy::config::endpoint::v3;
namespace listener_pb = envoy::config::listener::v3;
namespace rbac_pb = envoy::config::rbac::v3;
namespace net_pb = envoy::extensions::filters::network;
namespace tls_pb = envoy::extensions::transport_sockets::tls::v3;

using bi::Located;

// Where the blocks of the static section were declared ("listener/mesh" → range), found by
// walking the syntax with the same content API the decoder uses. Blocks written in the attribute
// form (`listener = { ... }`) are not found and fall back to the static section's position.
class BlockOrigins {
 public:
  void Collect(const hcl::SyntaxBody& top) {
    hcl::Diagnostics ignored;
    hcl::BodyContent content =
        top.PartialContent({.attributes = {}, .blocks = {{"static", {}}}}, nullptr, &ignored);
    for (const hcl::ContentBlock& st : content.blocks) {
      static_range_ = st.def_range;
      hcl::BodyContent items = st.body->PartialContent(
          {.attributes = {},
           .blocks = {{"secret", {"name"}}, {"listener", {"name"}}, {"cluster", {"name"}}}},
          nullptr, &ignored);
      for (const hcl::ContentBlock& b : items.blocks) {
        if (b.labels.size() != 1) continue;
        const std::string key = absl::StrCat(b.type, "/", b.labels[0]);
        ranges_.try_emplace(key, b.def_range);
        if (b.type != "listener") continue;
        hcl::BodyContent chains = b.body->PartialContent(
            {.attributes = {}, .blocks = {{"filter_chain", {"name"}}}}, nullptr, &ignored);
        for (const hcl::ContentBlock& c : chains.blocks) {
          if (c.labels.size() == 1) {
            ranges_.try_emplace(absl::StrCat(key, "/filter_chain/", c.labels[0]), c.def_range);
          }
        }
      }
    }
  }
  hcl::Range Find(const std::string& key) const {
    auto it = ranges_.find(key);
    return it == ranges_.end() ? static_range_ : it->second;
  }

 private:
  std::map<std::string, hcl::Range> ranges_;
  hcl::Range static_range_;
};

// Collects errors as hcl diagnostics: "file:line:col: field: problem".
class Checker {
 public:
  Checker(std::string dir, const std::string& filename, bool read_files)
      : dir_(std::move(dir)), read_files_(read_files) {
    file_range_.filename = hcl::InternFilename(filename);
  }

  void Error(const hcl::Range& where, absl::string_view field, absl::string_view problem) {
    const hcl::Range& at = where.filename.empty() ? file_range_ : where;
    errors_.emplace_back(at, absl::StrCat(field, ": ", problem));
  }
  template <typename T>
  void Error(const Located<T>& at, absl::string_view field, absl::string_view problem) {
    Error(at.range, field, problem);
  }

  // A file name as written, resolved against the bootstrap file's folder.
  std::string Resolve(const std::string& name) const {
    if (name.empty() || name.front() == '/') return name;
    return (std::filesystem::path(dir_) / name).lexically_normal().string();
  }

  // Reads a file named by an attribute; an error at the attribute when it cannot.
  std::optional<std::string> ReadFile(const Located<std::string>& attr, absl::string_view field) {
    if (attr.value.empty()) {
      Error(attr, field, "empty file name");
      return std::nullopt;
    }
    if (!read_files_) {
      Error(attr, field, "files are not read here (read_files is off)");
      return std::nullopt;
    }
    absl::StatusOr<std::string> data = translate_internal::ReadConfigFile(Resolve(attr.value));
    if (!data.ok()) {
      Error(attr, field, data.status().message());
      return std::nullopt;
    }
    return std::move(*data);
  }

  // The errors in the order of the file (checks run section by section, not line by line).
  absl::Status ToStatus() const {
    std::vector<std::pair<hcl::Range, std::string>> sorted = errors_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.first.start.byte < b.first.start.byte;
    });
    hcl::Diagnostics diags;
    for (auto& [range, message] : sorted) diags.AddError(std::move(message), "", range);
    return diags.ToStatus();
  }
  const hcl::Range& file_range() const { return file_range_; }

 private:
  std::string dir_;
  bool read_files_;
  hcl::Range file_range_;
  std::vector<std::pair<hcl::Range, std::string>> errors_;
};

google::protobuf::Duration ToProto(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return out;
}

// A duration attribute: `positive` rejects zero; negative ones are always rejected.
void CheckDuration(Checker& c, const Located<absl::Duration>& d, absl::string_view field,
                   bool positive) {
  if (!d.set) return;
  if (d.value < absl::ZeroDuration() || (positive && d.value == absl::ZeroDuration())) {
    c.Error(d, field,
            absl::StrCat("must be ", positive ? "above zero" : "zero or more", ", not ",
                         absl::FormatDuration(d.value)));
  }
}

void CheckRange(Checker& c, const Located<uint32_t>& v, absl::string_view field, uint32_t min,
                uint32_t max) {
  if (v.set && (v.value < min || v.value > max)) {
    c.Error(v, field, absl::StrCat("must be between ", min, " and ", max, ", not ", v.value));
  }
}

std::optional<SocketAddress> CheckHostPort(Checker& c, const Located<std::string>& a,
                                           absl::string_view field) {
  absl::StatusOr<SocketAddress> parsed =
      ParseHostPort(std::string_view(a.value.data(), a.value.size()));
  if (!parsed.ok()) {
    c.Error(a, field, parsed.status().message());
    return std::nullopt;
  }
  return *parsed;
}

// ---- Secrets -----------------------------------------------------------------------------------

enum class SecretKind { kCertificate, kTrust, kInvalid };

// One PEM value: inline, or a file (read now to report a missing file at its attribute; the
// resource names the file so that Translate reads it again, as it would for xDS).
bool PemSource(Checker& c, const Located<std::string>& inline_value,
               const Located<std::string>& file, absl::string_view inline_name,
               absl::string_view file_name, core_pb::DataSource* out) {
  if (inline_value.set && file.set) {
    c.Error(file, file_name, absl::StrCat("set together with ", inline_name, "; use one"));
    return false;
  }
  if (inline_value.set) {
    if (inline_value.value.empty()) {
      c.Error(inline_value, inline_name, "empty");
      return false;
    }
    out->set_inline_string(inline_value.value);
    return true;
  }
  if (!c.ReadFile(file, file_name)) return false;
  out->set_filename(c.Resolve(file.value));
  return true;
}

SecretKind BuildSecret(Checker& c, const bi::RawSecret& raw, const hcl::Range& where,
                       tls_pb::Secret* out) {
  out->set_name(raw.name);
  const bool cert = raw.certificate_chain.set || raw.certificate_chain_file.set ||
                    raw.private_key.set || raw.private_key_file.set;
  const bool trust = raw.trusted_ca.set || raw.trusted_ca_file.set;
  if (cert && trust) {
    c.Error(raw.trusted_ca.set ? raw.trusted_ca.range : raw.trusted_ca_file.range,
            raw.trusted_ca.set ? "trusted_ca" : "trusted_ca_file",
            absl::StrCat("secret \"", raw.name,
                         "\" is a certificate; declare a trust bundle as its own secret"));
    return SecretKind::kInvalid;
  }
  if (trust) {
    return PemSource(c, raw.trusted_ca, raw.trusted_ca_file, "trusted_ca", "trusted_ca_file",
                     out->mutable_validation_context()->mutable_trusted_ca())
               ? SecretKind::kTrust
               : SecretKind::kInvalid;
  }
  if (!cert) {
    c.Error(where, absl::StrCat("secret \"", raw.name, "\""),
            "empty: set certificate_chain(_file) and private_key(_file), or trusted_ca(_file)");
    return SecretKind::kInvalid;
  }
  bool ok = true;
  if (!raw.certificate_chain.set && !raw.certificate_chain_file.set) {
    c.Error(where, absl::StrCat("secret \"", raw.name, "\""),
            "private_key without certificate_chain or certificate_chain_file");
    ok = false;
  } else {
    ok = PemSource(c, raw.certificate_chain, raw.certificate_chain_file, "certificate_chain",
                   "certificate_chain_file",
                   out->mutable_tls_certificate()->mutable_certificate_chain());
  }
  if (!raw.private_key.set && !raw.private_key_file.set) {
    c.Error(where, absl::StrCat("secret \"", raw.name, "\""),
            "certificate_chain without private_key or private_key_file");
    ok = false;
  } else {
    ok = PemSource(c, raw.private_key, raw.private_key_file, "private_key", "private_key_file",
                   out->mutable_tls_certificate()->mutable_private_key()) &&
         ok;
  }
  return ok ? SecretKind::kCertificate : SecretKind::kInvalid;
}

// ---- TLS contexts ------------------------------------------------------------------------------

struct StaticContext {
  Checker* c;
  std::map<std::string, SecretKind> secrets;
  std::set<std::string> clusters;
};

// A secret reference: it must be declared, and of the right kind.
bool CheckSecretRef(StaticContext& ctx, const Located<std::string>& ref, absl::string_view field,
                    SecretKind want) {
  auto it = ctx.secrets.find(ref.value);
  if (it == ctx.secrets.end()) {
    ctx.c->Error(ref, field, absl::StrCat("secret \"", ref.value, "\" is not declared"));
    return false;
  }
  if (it->second != SecretKind::kInvalid && it->second != want) {
    ctx.c->Error(
        ref, field,
        absl::StrCat(
            "secret \"", ref.value, "\" is ",
            it->second == SecretKind::kTrust ? "a trust bundle (trusted_ca)" : "a certificate",
            ", not ", want == SecretKind::kTrust ? "a trust bundle" : "a certificate"));
    return false;
  }
  return true;
}

bool TlsVersionField(Checker& c, const Located<std::string>& v, absl::string_view field,
                     tls_pb::TlsParameters::TlsProtocol* out) {
  if (!v.set) return true;
  if (!tls_pb::TlsParameters::TlsProtocol_Parse(v.value, out)) {
    c.Error(
        v, field,
        absl::StrCat("\"", v.value, "\" is not TLS_AUTO, TLSv1_0, TLSv1_1, TLSv1_2 or TLSv1_3"));
    return false;
  }
  return true;
}

// The parts both TLS blocks share: certificate, trust with pinned URI SANs, versions, ciphers.
template <typename Raw>
void BuildCommonTls(StaticContext& ctx, const Raw& raw, tls_pb::CommonTlsContext* out) {
  Checker& c = *ctx.c;
  if (raw.certificate.set &&
      CheckSecretRef(ctx, raw.certificate, "tls.certificate", SecretKind::kCertificate)) {
    auto* sds = out->add_tls_certificate_sds_secret_configs();
    sds->set_name(raw.certificate.value);
    sds->mutable_sds_config()->mutable_ads();
  }
  tls_pb::SdsSecretConfig* trust_sds = nullptr;
  if (raw.match_san.set && !raw.match_san.value.empty()) {
    if (!raw.trust.set) {
      c.Error(raw.match_san, "tls.match_san", "pins peer SANs but no trust bundle is set (trust)");
    }
    auto* combined = out->mutable_combined_validation_context();
    for (const Located<std::string>& san : raw.match_san.value) {
      if (san.value.empty()) {
        c.Error(san, "tls.match_san", "empty SAN");
        continue;
      }
      auto* m = combined->mutable_default_validation_context()->add_match_typed_subject_alt_names();
      m->set_san_type(tls_pb::SubjectAltNameMatcher::URI);
      m->mutable_matcher()->set_exact(san.value);
    }
    trust_sds = combined->mutable_validation_context_sds_secret_config();
  } else if (raw.trust.set) {
    trust_sds = out->mutable_validation_context_sds_secret_config();
  }
  if (raw.trust.set && CheckSecretRef(ctx, raw.trust, "tls.trust", SecretKind::kTrust)) {
    trust_sds->set_name(raw.trust.value);
    trust_sds->mutable_sds_config()->mutable_ads();
  }
  tls_pb::TlsParameters::TlsProtocol min = tls_pb::TlsParameters::TLS_AUTO;
  tls_pb::TlsParameters::TlsProtocol max = tls_pb::TlsParameters::TLS_AUTO;
  const bool versions_ok = TlsVersionField(c, raw.min_version, "tls.min_version", &min) &&
                           TlsVersionField(c, raw.max_version, "tls.max_version", &max);
  if (versions_ok && min != tls_pb::TlsParameters::TLS_AUTO &&
      max != tls_pb::TlsParameters::TLS_AUTO && min > max) {
    c.Error(raw.max_version, "tls.max_version",
            absl::StrCat(raw.max_version.value, " is below min_version ", raw.min_version.value));
  }
  if (min != tls_pb::TlsParameters::TLS_AUTO || max != tls_pb::TlsParameters::TLS_AUTO ||
      !raw.cipher_suites.empty()) {
    auto* params = out->mutable_tls_params();
    params->set_tls_minimum_protocol_version(min);
    params->set_tls_maximum_protocol_version(max);
    for (const std::string& s : raw.cipher_suites) params->add_cipher_suites(s);
  }
  for (const std::string& a : raw.alpn) out->add_alpn_protocols(a);
}

template <typename Context>
void PackTransportSocket(const Context& context, core_pb::TransportSocket* out) {
  out->set_name("envoy.transport_sockets.tls");
  out->mutable_typed_config()->PackFrom(context);
}

// ---- Listeners ---------------------------------------------------------------------------------

template <typename Message>
void AddFilter(listener_pb::FilterChain* chain, std::string name, const Message& config) {
  listener_pb::Filter* f = chain->add_filters();
  f->set_name(std::move(name));
  f->mutable_typed_config()->PackFrom(config);
}

void BuildChain(StaticContext& ctx, const std::string& listener_name, const bi::RawChain& raw,
                const hcl::Range& where, listener_pb::FilterChain* out) {
  Checker& c = *ctx.c;
  out->set_name(raw.name);
  auto* match = out->mutable_filter_chain_match();
  for (const std::string& n : raw.server_names.value) match->add_server_names(n);
  match->set_transport_protocol(raw.transport_protocol.value);
  for (const std::string& a : raw.alpn.value) match->add_application_protocols(a);
  // The chain's match alone, checked by the route table's own rules (duplicates between chains
  // are the listener's business and reported by Translate).
  absl::StatusOr<std::shared_ptr<const route::SniRouteTable>> alone =
      route::SniRouteTable::Build({route::FilterChainSpec{
          .name = raw.name,
          .server_names = raw.server_names.value,
          .transport_protocol = raw.transport_protocol.value,
          .application_protocols = raw.alpn.value,
      }});
  if (!alone.ok()) {
    const std::string msg(alone.status().message());
    if (msg.find("transport") != std::string::npos && raw.transport_protocol.set) {
      c.Error(raw.transport_protocol, "transport_protocol", msg);
    } else if (msg.find("ALPN") != std::string::npos && raw.alpn.set) {
      c.Error(raw.alpn, "alpn", msg);
    } else {
      c.Error(raw.server_names.set ? raw.server_names.range : where, "server_names", msg);
    }
  }

  if (raw.tls) {
    tls_pb::DownstreamTlsContext context;
    BuildCommonTls(ctx, *raw.tls, context.mutable_common_tls_context());
    if (raw.tls->require_client_certificate.value) {
      if (!raw.tls->trust.set) {
        c.Error(raw.tls->require_client_certificate, "tls.require_client_certificate",
                "a client certificate is required but no trust bundle (trust) verifies it");
      }
      context.mutable_require_client_certificate()->set_value(true);
    }
    PackTransportSocket(context, out->mutable_transport_socket());
  }

  if (raw.rbac) {
    net_pb::rbac::v3::RBAC rbac;
    rbac.set_stat_prefix(absl::StrCat(listener_name, ".", raw.name));
    const Located<std::string>& action = raw.rbac->action;
    if (action.value == "ALLOW") {
      rbac.mutable_rules()->set_action(rbac_pb::RBAC::ALLOW);
    } else if (action.value == "DENY") {
      rbac.mutable_rules()->set_action(rbac_pb::RBAC::DENY);
    } else {
      c.Error(action, "rbac.action", absl::StrCat("\"", action.value, "\" is not ALLOW or DENY"));
    }
    for (const auto& [name, policy] : raw.rbac->policies) {
      rbac_pb::Policy& p = (*rbac.mutable_rules()->mutable_policies())[name];
      p.add_permissions()->set_any(true);
      for (const Located<std::string>& id : policy.principals.value) {
        p.add_principals()->mutable_authenticated()->mutable_principal_name()->set_exact(id.value);
      }
      for (const Located<std::string>& re : policy.principal_regex.value) {
        absl::StatusOr<StringMatcher> compiled = StringMatcher::Regex(re.value);
        if (!compiled.ok()) {
          c.Error(re, "rbac.policy.principal_regex", compiled.status().message());
          continue;
        }
        p.add_principals()
            ->mutable_authenticated()
            ->mutable_principal_name()
            ->mutable_safe_regex()
            ->set_regex(re.value);
      }
      if (p.principals_size() == 0) p.add_principals()->set_any(true);
    }
    AddFilter(out, "envoy.filters.network.rbac", rbac);
  }
  if (raw.connection_limit.set) {
    if (raw.connection_limit.value < 1) {
      c.Error(raw.connection_limit, "connection_limit", "must be at least 1");
    }
    net_pb::connection_limit::v3::ConnectionLimit limit;
    limit.set_stat_prefix(absl::StrCat(listener_name, ".", raw.name));
    limit.mutable_max_connections()->set_value(raw.connection_limit.value);
    AddFilter(out, "envoy.filters.network.connection_limit", limit);
  }
  if (raw.sni_cluster) {
    AddFilter(out, "envoy.filters.network.sni_cluster", net_pb::sni_cluster::v3::SniCluster());
  }
  net_pb::tcp_proxy::v3::TcpProxy proxy;
  proxy.set_stat_prefix(absl::StrCat(listener_name, ".", raw.name));
  const bi::RawTcpProxy& tp = raw.tcp_proxy;
  if (raw.sni_cluster && tp.cluster.set) {
    c.Error(tp.cluster, "tcp_proxy.cluster",
            "sni_cluster = true takes the cluster from each connection's SNI; remove cluster");
  } else if (!raw.sni_cluster && !tp.cluster.set) {
    c.Error(where, absl::StrCat("filter_chain \"", raw.name, "\""),
            "tcp_proxy has no cluster (set tcp_proxy.cluster, or sni_cluster = true)");
  } else if (tp.cluster.set && ctx.clusters.count(tp.cluster.value) == 0) {
    c.Error(tp.cluster, "tcp_proxy.cluster",
            absl::StrCat("cluster \"", tp.cluster.value, "\" is not declared"));
  }
  if (tp.cluster.set) proxy.set_cluster(tp.cluster.value);
  CheckDuration(c, tp.idle_timeout, "tcp_proxy.idle_timeout", false);
  if (tp.idle_timeout.set) *proxy.mutable_idle_timeout() = ToProto(tp.idle_timeout.value);
  CheckRange(c, tp.max_connect_attempts, "tcp_proxy.max_connect_attempts", 1, 100);
  if (tp.max_connect_attempts.set) {
    proxy.mutable_max_connect_attempts()->set_value(tp.max_connect_attempts.value);
  }
  AddFilter(out, "envoy.filters.network.tcp_proxy", proxy);
}

void BuildListener(StaticContext& ctx, const bi::RawListener& raw, const BlockOrigins& origins,
                   listener_pb::Listener* out) {
  Checker& c = *ctx.c;
  out->set_name(raw.name);
  if (std::optional<SocketAddress> a = CheckHostPort(c, raw.address, "address")) {
    auto* sa = out->mutable_address()->mutable_socket_address();
    sa->set_address(a->host);
    sa->set_port_value(a->port);
  }
  if (raw.tls_inspector) {
    auto* f = out->add_listener_filters();
    f->set_name("envoy.filters.listener.tls_inspector");
    f->mutable_typed_config()->PackFrom(
        envoy::extensions::filters::listener::tls_inspector::v3::TlsInspector());
  }
  CheckDuration(c, raw.hello_timeout, "hello_timeout", true);
  if (raw.hello_timeout.set) {
    *out->mutable_listener_filters_timeout() = ToProto(raw.hello_timeout.value);
  }
  const std::string key = absl::StrCat("listener/", raw.name);
  if (raw.chains.empty()) {
    c.Error(origins.Find(key), absl::StrCat("listener \"", raw.name, "\""),
            "no filter_chain blocks");
  }
  for (const bi::RawChain& chain : raw.chains) {
    BuildChain(ctx, raw.name, chain, origins.Find(absl::StrCat(key, "/filter_chain/", chain.name)),
               out->add_filter_chains());
  }
}

// ---- Clusters ----------------------------------------------------------------------------------

void BuildCluster(StaticContext& ctx, const bi::RawCluster& raw, cluster_pb::Cluster* out) {
  Checker& c = *ctx.c;
  out->set_name(raw.name);
  out->set_type(cluster_pb::Cluster::STATIC);
  CheckDuration(c, raw.connect_timeout, "connect_timeout", true);
  if (raw.connect_timeout.set) *out->mutable_connect_timeout() = ToProto(raw.connect_timeout.value);
  if (raw.lb_policy.set) {
    const std::string& p = raw.lb_policy.value;
    if (p == "round_robin") {
      out->set_lb_policy(cluster_pb::Cluster::ROUND_ROBIN);
    } else if (p == "least_request") {
      out->set_lb_policy(cluster_pb::Cluster::LEAST_REQUEST);
    } else if (p == "random") {
      out->set_lb_policy(cluster_pb::Cluster::RANDOM);
    } else {
      c.Error(raw.lb_policy, "lb_policy",
              absl::StrCat("\"", p, "\" is not round_robin, least_request or random"));
    }
  }
  CheckRange(c, raw.max_connections, "max_connections", 1, 1u << 30);
  if (raw.max_connections.set) {
    auto* t = out->mutable_circuit_breakers()->add_thresholds();
    t->mutable_max_connections()->set_value(raw.max_connections.value);
  }
  if (raw.outlier_detection) {
    const bi::RawOutlier& o = *raw.outlier_detection;
    auto* od = out->mutable_outlier_detection();
    CheckRange(c, o.consecutive_failures, "outlier_detection.consecutive_failures", 1, 1000000);
    if (o.consecutive_failures.set) {
      od->mutable_consecutive_local_origin_failure()->set_value(o.consecutive_failures.value);
    }
    CheckDuration(c, o.interval, "outlier_detection.interval", true);
    CheckDuration(c, o.base_ejection_time, "outlier_detection.base_ejection_time", true);
    CheckDuration(c, o.max_ejection_time, "outlier_detection.max_ejection_time", true);
    if (o.interval.set) *od->mutable_interval() = ToProto(o.interval.value);
    if (o.base_ejection_time.set) {
      *od->mutable_base_ejection_time() = ToProto(o.base_ejection_time.value);
    }
    if (o.max_ejection_time.set) {
      *od->mutable_max_ejection_time() = ToProto(o.max_ejection_time.value);
    }
    const absl::Duration base =
        o.base_ejection_time.set ? o.base_ejection_time.value : absl::Seconds(30);
    const absl::Duration max =
        o.max_ejection_time.set ? o.max_ejection_time.value : absl::Seconds(300);
    if (max < base && base > absl::ZeroDuration() && max > absl::ZeroDuration()) {
      const hcl::Range& at =
          o.max_ejection_time.set ? o.max_ejection_time.range : o.base_ejection_time.range;
      c.Error(at,
              o.max_ejection_time.set ? "outlier_detection.max_ejection_time"
                                      : "outlier_detection.base_ejection_time",
              absl::StrCat("max_ejection_time ", absl::FormatDuration(max),
                           " is below base_ejection_time ", absl::FormatDuration(base)));
    }
    CheckRange(c, o.max_ejection_percent, "outlier_detection.max_ejection_percent", 0, 100);
    if (o.max_ejection_percent.set) {
      od->mutable_max_ejection_percent()->set_value(o.max_ejection_percent.value);
    }
  }
  if (raw.tls) {
    tls_pb::UpstreamTlsContext context;
    BuildCommonTls(ctx, *raw.tls, context.mutable_common_tls_context());
    context.set_sni(raw.tls->sni);
    PackTransportSocket(context, out->mutable_transport_socket());
  }
  endpoint_pb::ClusterLoadAssignment* cla = out->mutable_load_assignment();
  cla->set_cluster_name(raw.name);
  std::map<uint32_t, endpoint_pb::LocalityLbEndpoints*> by_priority;
  for (const bi::RawEndpoint& ep : raw.endpoints) {
    endpoint_pb::LocalityLbEndpoints*& locality = by_priority[ep.priority];
    if (locality == nullptr) {
      locality = cla->add_endpoints();
      locality->set_priority(ep.priority);
    }
    endpoint_pb::LbEndpoint* lb = locality->add_lb_endpoints();
    if (std::optional<SocketAddress> a = CheckHostPort(c, ep.address, "endpoint.address")) {
      auto* sa = lb->mutable_endpoint()->mutable_address()->mutable_socket_address();
      sa->set_address(a->host);
      sa->set_port_value(a->port);
    }
    if (ep.health.set) {
      core_pb::HealthStatus health;
      if (!core_pb::HealthStatus_Parse(ep.health.value, &health)) {
        c.Error(ep.health, "endpoint.health",
                absl::StrCat("\"", ep.health.value,
                             "\" is not UNKNOWN, HEALTHY, UNHEALTHY, DRAINING, TIMEOUT or "
                             "DEGRADED"));
      } else {
        lb->set_health_status(health);
      }
    }
    CheckRange(c, ep.weight, "endpoint.weight", 1, 1000000);
    if (ep.weight.set) lb->mutable_load_balancing_weight()->set_value(ep.weight.value);
  }
}

// ---- The file ----------------------------------------------------------------------------------

void BuildTop(Checker& c, const bi::RawBootstrap& raw, Bootstrap* out) {
  if (raw.node.id.set && raw.node.id.value.empty()) c.Error(raw.node.id, "node.id", "empty");
  out->node = Bootstrap::Node{raw.node.id.value, raw.node.cluster, raw.node.datacenter};

  if (raw.xds) {
    const bi::RawXds& x = *raw.xds;
    Bootstrap::Xds xds;
    xds.address = x.address.value;
    // gRPC resolves names: only the "host:port" shape is checked here.
    const size_t colon = x.address.value.rfind(':');
    uint32_t port = 0;
    if (colon == std::string::npos || colon == 0 ||
        !absl::SimpleAtoi(x.address.value.substr(colon + 1), &port) || port == 0 || port > 65535) {
      c.Error(
          x.address, "xds.address",
          absl::StrCat("\"", x.address.value, "\" is not \"host:port\" (e.g. \"127.0.0.1:8510\")"));
    }
    if (x.token.set && x.token_file.set) {
      c.Error(x.token_file, "xds.token_file", "set together with token; use one");
    } else if (x.token_file.set) {
      xds.token_file = c.Resolve(x.token_file.value);
      if (std::optional<std::string> t = c.ReadFile(x.token_file, "xds.token_file")) {
        xds.token = std::string(absl::StripAsciiWhitespace(*t));
      }
    } else {
      xds.token = x.token.value;
    }
    if (x.tls) {
      Bootstrap::XdsTls tls;
      tls.server_name = x.tls->server_name;
      if (x.tls->ca_file.set && c.ReadFile(x.tls->ca_file, "xds.tls.ca_file")) {
        tls.ca_file = c.Resolve(x.tls->ca_file.value);
      }
      if (x.tls->cert_file.set != x.tls->key_file.set) {
        const auto& set = x.tls->cert_file.set ? x.tls->cert_file : x.tls->key_file;
        c.Error(set, x.tls->cert_file.set ? "xds.tls.cert_file" : "xds.tls.key_file",
                "cert_file and key_file go together");
      } else if (x.tls->cert_file.set) {
        if (c.ReadFile(x.tls->cert_file, "xds.tls.cert_file")) {
          tls.cert_file = c.Resolve(x.tls->cert_file.value);
        }
        if (c.ReadFile(x.tls->key_file, "xds.tls.key_file")) {
          tls.key_file = c.Resolve(x.tls->key_file.value);
        }
      }
      xds.tls = std::move(tls);
    }
    out->xds = std::move(xds);
  }
  if (std::optional<SocketAddress> a = CheckHostPort(c, raw.admin.address, "admin.address")) {
    out->admin = *a;
  }
  if (std::optional<SocketAddress> a = CheckHostPort(c, raw.metrics.address, "metrics.address")) {
    out->metrics = *a;
  }
  CheckRange(c, raw.workers, "workers", 0, 1024);
  out->workers = raw.workers.value;
  CheckRange(c, raw.limits.max_connections, "limits.max_connections", 1, 10000000);
  CheckRange(c, raw.limits.max_hello_size, "limits.max_hello_size", 512, 65536);
  CheckRange(c, raw.limits.buffer_size, "limits.buffer_size", 1024, 16 << 20);
  out->limits = Bootstrap::Limits{raw.limits.max_connections.value, raw.limits.max_hello_size.value,
                                  raw.limits.buffer_size.value};
  CheckDuration(c, raw.timeouts.hello, "timeouts.hello", true);
  CheckDuration(c, raw.timeouts.connect, "timeouts.connect", true);
  CheckDuration(c, raw.timeouts.idle, "timeouts.idle", false);  // zero: no idle timeout
  CheckDuration(c, raw.timeouts.drain, "timeouts.drain", false);
  out->timeouts = Bootstrap::Timeouts{raw.timeouts.hello.value, raw.timeouts.connect.value,
                                      raw.timeouts.idle.value, raw.timeouts.drain.value};
  const std::string& level = raw.log.level.value;
  if (level != "debug" && level != "info" && level != "warn" && level != "error") {
    c.Error(raw.log.level, "log.level",
            absl::StrCat("\"", level, "\" is not debug, info, warn or error"));
  }
  out->log.level = level;
  out->log.json = raw.log.json;
  const std::string& access = raw.log.access_log.value;
  if (access.empty()) {
    c.Error(raw.log.access_log, "log.access_log", "empty (stderr, stdout, off or a file)");
  }
  out->log.access_log =
      access == "stderr" || access == "stdout" || access == "off" ? access : c.Resolve(access);
}

void BuildStatic(Checker& c, const bi::RawStatic& raw, const BlockOrigins& origins,
                 TranslateInput* out) {
  StaticContext ctx{.c = &c, .secrets = {}, .clusters = {}};
  for (const auto& [name, cluster] : raw.clusters) ctx.clusters.insert(name);
  auto add = [&](ResourceInputs* to, const std::string& name,
                 const google::protobuf::Message& message, const hcl::Range& where) {
    auto any = std::make_shared<google::protobuf::Any>();
    any->PackFrom(message);
    (*to)[name] =
        ResourceInput{.resource = std::move(any),
                      .version = "static",
                      .origin = where.filename.empty() ? std::string(c.file_range().filename)
                                                       : where.StartString()};
  };
  for (const auto& [name, secret] : raw.secrets) {
    const hcl::Range where = origins.Find(absl::StrCat("secret/", name));
    tls_pb::Secret proto;
    ctx.secrets[name] = BuildSecret(c, secret, where, &proto);
    add(&out->secrets, name, proto, where);
  }
  for (const auto& [name, cluster] : raw.clusters) {
    const hcl::Range where = origins.Find(absl::StrCat("cluster/", name));
    cluster_pb::Cluster proto;
    BuildCluster(ctx, cluster, &proto);
    add(&out->clusters, name, proto, where);
  }
  for (const auto& [name, listener] : raw.listeners) {
    const hcl::Range where = origins.Find(absl::StrCat("listener/", name));
    listener_pb::Listener proto;
    BuildListener(ctx, listener, origins, &proto);
    add(&out->listeners, name, proto, where);
  }
}

}  // namespace

absl::StatusOr<Bootstrap> ParseBootstrap(absl::string_view text, absl::string_view filename,
                                         const BootstrapOptions& options) {
  const std::string name(filename);
  std::shared_ptr<hcl::File> file;
  absl::StatusOr<std::shared_ptr<const hcl::SyntaxBody>> body =
      hcl::decode::ParseNativeBody(std::string(text), name, &file);
  if (!body.ok()) return body.status();
  const std::string dir = std::filesystem::path(name).parent_path().string();

  // Functions such as file("ca.pem") read relative to the bootstrap file, like the names in it.
  hcl::EvalContext eval;
  eval.functions = hcl::StandardFunctions(dir.empty() ? "." : dir);
  if (!options.read_files) {
    for (auto it = eval.functions.begin(); it != eval.functions.end();) {
      const bool reads =
          absl::StartsWith(it->first, "file") || absl::StartsWith(it->first, "templatefile");
      it = reads ? eval.functions.erase(it) : std::next(it);
    }
  }
  bi::RawBootstrap raw;
  hcl::Diagnostics diags;
  hcl::decode::Decode(**body, bi::BootstrapSchema(), &eval, &raw, &diags);
  if (diags.HasErrors()) return diags.ToStatus();

  Checker checker(dir.empty() ? "." : dir, name, options.read_files);
  Bootstrap out;
  out.path = name;
  BuildTop(checker, raw, &out);
  if (raw.static_section) {
    BlockOrigins origins;
    origins.Collect(**body);
    BuildStatic(checker, *raw.static_section, origins, &out.static_resources);
  } else if (!raw.xds) {
    checker.Error(checker.file_range(), "bootstrap",
                  "no xds block and no static section: the gateway would have nothing to serve");
  }
  if (absl::Status s = checker.ToStatus(); !s.ok()) return s;
  if (raw.static_section) {
    // The one translation, now, so that what only it finds (duplicate routes, for one) is reported
    // when the file is loaded; its errors lead with the block's position.
    absl::StatusOr<SnapshotPtr> snap = Translate(out.static_resources, 0);
    if (!snap.ok()) return snap.status();
  }
  return out;
}

absl::StatusOr<Bootstrap> LoadBootstrap(absl::string_view path) {
  const std::string name(path);
  std::ifstream in(name, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("bootstrap file \"", name, "\": cannot read: ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseBootstrap(text.str(), name);
}

}  // namespace meshgw::gateway::config
