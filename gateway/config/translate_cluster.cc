// Cluster and ClusterLoadAssignment → config::Cluster: balancing, timeouts, circuit breaker,
// outlier detection, upstream TLS and endpoints grouped by priority.
#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gateway/config/translate_internal.h"

namespace meshgw::gateway::config::translate_internal {
namespace {

namespace cluster = envoy::config::cluster::v3;
namespace core = envoy::config::core::v3;
namespace endpoint = envoy::config::endpoint::v3;

absl::StatusOr<absl::Duration> ToDuration(const google::protobuf::Duration& d,
                                          absl::string_view path, bool positive) {
  if (d.seconds() < 0 || d.nanos() < 0 || d.nanos() > 999999999 || d.seconds() > 315576000000LL) {
    return Invalid(path, "not a valid non-negative duration");
  }
  absl::Duration out = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
  if (positive && out == absl::ZeroDuration()) return Invalid(path, "must be above zero");
  return out;
}

HealthStatus Health(core::HealthStatus s) {
  switch (s) {
    case core::HEALTHY:
      return HealthStatus::kHealthy;
    case core::UNHEALTHY:
      return HealthStatus::kUnhealthy;
    case core::DRAINING:
      return HealthStatus::kDraining;
    case core::TIMEOUT:
      return HealthStatus::kTimeout;
    case core::DEGRADED:
      return HealthStatus::kDegraded;
    default:
      return HealthStatus::kUnknown;
  }
}

absl::StatusOr<OutlierDetection> TranslateOutlier(const cluster::OutlierDetection& o,
                                                  absl::string_view path) {
  OutlierDetection out;
  out.enabled = true;
  // For a TCP proxy every failure is a connect failure: take the most specific threshold given.
  if (o.has_consecutive_local_origin_failure()) {
    out.consecutive_failures = o.consecutive_local_origin_failure().value();
  } else if (o.has_consecutive_gateway_failure()) {
    out.consecutive_failures = o.consecutive_gateway_failure().value();
  } else if (o.has_consecutive_5xx()) {
    out.consecutive_failures = o.consecutive_5xx().value();
  }
  if (out.consecutive_failures == 0) {
    return Invalid(absl::StrCat(path, ".consecutive_5xx"), "must be at least 1");
  }
  if (o.has_interval()) {
    absl::StatusOr<absl::Duration> d =
        ToDuration(o.interval(), absl::StrCat(path, ".interval"), true);
    if (!d.ok()) return d.status();
    out.interval = *d;
  }
  if (o.has_base_ejection_time()) {
    absl::StatusOr<absl::Duration> d =
        ToDuration(o.base_ejection_time(), absl::StrCat(path, ".base_ejection_time"), true);
    if (!d.ok()) return d.status();
    out.base_ejection_time = *d;
  }
  if (o.has_max_ejection_time()) {
    absl::StatusOr<absl::Duration> d =
        ToDuration(o.max_ejection_time(), absl::StrCat(path, ".max_ejection_time"), true);
    if (!d.ok()) return d.status();
    out.max_ejection_time = *d;
  }
  if (out.max_ejection_time < out.base_ejection_time) {
    return Invalid(
        absl::StrCat(path, ".max_ejection_time"),
        absl::StrCat(absl::FormatDuration(out.max_ejection_time), " is below base_ejection_time ",
                     absl::FormatDuration(out.base_ejection_time)));
  }
  if (o.has_max_ejection_percent()) {
    if (o.max_ejection_percent().value() > 100) {
      return Invalid(absl::StrCat(path, ".max_ejection_percent"),
                     absl::StrCat(o.max_ejection_percent().value(), " is above 100"));
    }
    out.max_ejection_percent = o.max_ejection_percent().value();
  }
  return out;
}

// The JSON text of a Struct value with object keys sorted, so that two equal values (Envoy's
// ValueUtil::equal) have the same text.
std::string CanonicalValue(const google::protobuf::Value& v) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kNullValue:
      return "null";
    case google::protobuf::Value::kNumberValue:
      return absl::StrCat(v.number_value());
    case google::protobuf::Value::kStringValue:
      return absl::StrCat("\"", absl::CEscape(v.string_value()), "\"");
    case google::protobuf::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    case google::protobuf::Value::kStructValue: {
      std::map<std::string, std::string> fields;
      for (const auto& [k, f] : v.struct_value().fields()) fields[k] = CanonicalValue(f);
      std::vector<std::string> parts;
      for (const auto& [k, text] : fields) {
        parts.push_back(absl::StrCat("\"", absl::CEscape(k), "\":", text));
      }
      return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
    }
    case google::protobuf::Value::kListValue: {
      std::vector<std::string> parts;
      for (const auto& e : v.list_value().values()) parts.push_back(CanonicalValue(e));
      return absl::StrCat("[", absl::StrJoin(parts, ","), "]");
    }
    case google::protobuf::Value::KIND_NOT_SET:
      break;
  }
  return "null";
}

constexpr absl::string_view kTransportSocketMatchKey = "envoy.transport_socket_match";

// The first match whose criteria the endpoint's metadata all carry, or -1 (Envoy's
// TransportSocketMatcherImpl::resolve: an empty match matches every endpoint).
int32_t MatchTransportSocket(const endpoint::LbEndpoint& lb,
                             absl::Span<const TransportSocketMatch> matches) {
  const google::protobuf::Struct* labels = nullptr;
  if (lb.has_metadata()) {
    auto it = lb.metadata().filter_metadata().find(std::string(kTransportSocketMatchKey));
    if (it != lb.metadata().filter_metadata().end()) labels = &it->second;
  }
  for (size_t i = 0; i < matches.size(); ++i) {
    bool all = true;
    for (const auto& [field, value] : matches[i].criteria) {
      if (labels == nullptr) {
        all = false;
        break;
      }
      auto f = labels->fields().find(field);
      if (f == labels->fields().end() || CanonicalValue(f->second) != value) {
        all = false;
        break;
      }
    }
    if (all) return static_cast<int32_t>(i);
  }
  return -1;
}

}  // namespace

absl::StatusOr<std::vector<PriorityLevel>> TranslateEndpoints(
    const endpoint::ClusterLoadAssignment& cla, absl::string_view path,
    absl::Span<const TransportSocketMatch> matches) {
  std::map<uint32_t, PriorityLevel> levels;
  for (int i = 0; i < cla.endpoints_size(); ++i) {
    const endpoint::LocalityLbEndpoints& locality = cla.endpoints(i);
    PriorityLevel& level = levels[locality.priority()];
    level.priority = locality.priority();
    for (int j = 0; j < locality.lb_endpoints_size(); ++j) {
      const endpoint::LbEndpoint& lb = locality.lb_endpoints(j);
      const std::string ep_path = absl::StrCat(path, "endpoints[", i, "].lb_endpoints[", j, "]");
      if (!lb.has_endpoint()) return Invalid(ep_path, "no endpoint");
      const core::Address& address = lb.endpoint().address();
      if (!address.has_socket_address()) {
        return Invalid(absl::StrCat(ep_path, ".endpoint.address"), "no socket_address");
      }
      const core::SocketAddress& sa = address.socket_address();
      const std::string sa_path = absl::StrCat(ep_path, ".endpoint.address.socket_address");
      if (sa.protocol() != core::SocketAddress::TCP) {
        return Invalid(absl::StrCat(sa_path, ".protocol"), "only TCP is supported");
      }
      if (sa.port_specifier_case() != core::SocketAddress::kPortValue) {
        return Invalid(sa_path, "no port_value");
      }
      absl::StatusOr<SocketAddress> parsed = ParseSocketAddress(sa.address(), sa.port_value());
      if (!parsed.ok()) {
        return Invalid(absl::StrCat(sa_path, sa.port_value() > 65535 ? ".port_value" : ".address"),
                       parsed.status().message());
      }
      Endpoint ep;
      ep.address = std::move(*parsed);
      ep.hostname = lb.endpoint().hostname();
      ep.health = Health(lb.health_status());
      ep.transport_socket_match = MatchTransportSocket(lb, matches);
      if (lb.has_load_balancing_weight()) {
        if (lb.load_balancing_weight().value() < 1) {
          return Invalid(absl::StrCat(ep_path, ".load_balancing_weight"), "must be at least 1");
        }
        ep.weight = lb.load_balancing_weight().value();
      }
      level.endpoints.push_back(std::move(ep));
    }
  }
  std::vector<PriorityLevel> out;
  out.reserve(levels.size());
  for (auto& [priority, level] : levels) out.push_back(std::move(level));
  return out;
}

absl::StatusOr<Cluster> TranslateCluster(const cluster::Cluster& proto, SecretResolver* secrets,
                                         SecretDeps* deps) {
  Cluster out;
  out.name = proto.name();
  for (int i = 0; i < proto.transport_socket_matches_size(); ++i) {
    const cluster::Cluster::TransportSocketMatch& m = proto.transport_socket_matches(i);
    const std::string path = absl::StrCat("transport_socket_matches[", i, "]");
    TransportSocketMatch match;
    match.name = m.name();
    if (match.name.empty()) return Invalid(absl::StrCat(path, ".name"), "empty");
    for (const TransportSocketMatch& earlier : out.transport_socket_matches) {
      if (earlier.name == match.name) {
        return Invalid(absl::StrCat(path, ".name"),
                       absl::StrCat("\"", match.name, "\" is used by an earlier entry"));
      }
    }
    for (const auto& [field, value] : m.match().fields()) {
      match.criteria.emplace_back(field, CanonicalValue(value));
    }
    std::sort(match.criteria.begin(), match.criteria.end());
    if (m.has_transport_socket()) {
      absl::StatusOr<UpstreamTls> tls = TranslateUpstreamTls(
          m.transport_socket(), absl::StrCat(path, ".transport_socket"), secrets, deps);
      if (!tls.ok()) return tls.status();
      match.tls = std::move(*tls);
    }
    out.transport_socket_matches.push_back(std::move(match));
  }
  switch (proto.type()) {
    case cluster::Cluster::EDS:
      out.eds = true;
      if (proto.eds_cluster_config().has_eds_config() &&
          !proto.eds_cluster_config().eds_config().has_ads()) {
        return Invalid("eds_cluster_config.eds_config",
                       "only ads (the aggregated stream) is supported");
      }
      out.eds_service_name = proto.eds_cluster_config().service_name().empty()
                                 ? proto.name()
                                 : proto.eds_cluster_config().service_name();
      break;
    case cluster::Cluster::STATIC: {
      absl::StatusOr<std::vector<PriorityLevel>> levels = TranslateEndpoints(
          proto.load_assignment(), "load_assignment.", out.transport_socket_matches);
      if (!levels.ok()) return levels.status();
      out.priorities = std::move(*levels);
      break;
    }
    default:
      return Invalid("type", absl::StrCat(cluster::Cluster::DiscoveryType_Name(proto.type()).empty()
                                              ? std::to_string(static_cast<int>(proto.type()))
                                              : cluster::Cluster::DiscoveryType_Name(proto.type()),
                                          " is not supported (EDS or STATIC)"));
  }
  switch (proto.lb_policy()) {
    case cluster::Cluster::ROUND_ROBIN:
      out.lb_policy = LbPolicy::kRoundRobin;
      break;
    case cluster::Cluster::LEAST_REQUEST:
      out.lb_policy = LbPolicy::kLeastRequest;
      break;
    case cluster::Cluster::RANDOM:
      out.lb_policy = LbPolicy::kRandom;
      break;
    default:
      return Invalid("lb_policy",
                     absl::StrCat(cluster::Cluster::LbPolicy_Name(proto.lb_policy()).empty()
                                      ? std::to_string(static_cast<int>(proto.lb_policy()))
                                      : cluster::Cluster::LbPolicy_Name(proto.lb_policy()),
                                  " is not supported (ROUND_ROBIN, LEAST_REQUEST or RANDOM)"));
  }
  if (proto.has_connect_timeout()) {
    absl::StatusOr<absl::Duration> d = ToDuration(proto.connect_timeout(), "connect_timeout", true);
    if (!d.ok()) return d.status();
    out.connect_timeout = *d;
  }
  if (proto.has_per_connection_buffer_limit_bytes()) {
    if (proto.per_connection_buffer_limit_bytes().value() < 1024) {
      return Invalid("per_connection_buffer_limit_bytes", "must be at least 1024");
    }
    out.buffer_limit = proto.per_connection_buffer_limit_bytes().value();
  }
  for (int i = 0; i < proto.circuit_breakers().thresholds_size(); ++i) {
    const auto& t = proto.circuit_breakers().thresholds(i);
    // The gateway has one routing priority; HIGH thresholds have nothing to apply to.
    if (t.priority() != cluster::CircuitBreakers::Thresholds::DEFAULT) continue;
    if (t.has_max_connections()) {
      if (t.max_connections().value() == 0) {
        return Invalid(absl::StrCat("circuit_breakers.thresholds[", i, "].max_connections"),
                       "must be at least 1");
      }
      out.max_connections = t.max_connections().value();
    }
  }
  if (proto.has_outlier_detection()) {
    absl::StatusOr<OutlierDetection> o =
        TranslateOutlier(proto.outlier_detection(), "outlier_detection");
    if (!o.ok()) return o.status();
    out.outlier = *o;
  }
  if (proto.has_transport_socket()) {
    absl::StatusOr<UpstreamTls> tls =
        TranslateUpstreamTls(proto.transport_socket(), "transport_socket", secrets, deps);
    if (!tls.ok()) return tls.status();
    out.tls = std::move(*tls);
  }
  return out;
}

}  // namespace meshgw::gateway::config::translate_internal
