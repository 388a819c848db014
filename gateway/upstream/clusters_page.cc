#include "gateway/upstream/clusters_page.h"

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/log.h"

namespace meshgw::gateway::upstream {
namespace {

using config::HealthStatus;

// Appends every piece; absl's StrAppend does not take std::string_view with this Abseil build.
template <typename... Pieces>
void Append(std::string& out, const Pieces&... pieces) {
  (out.append(pieces), ...);
}

std::string Num(uint64_t v) { return std::to_string(v); }

void Line(std::string& out, std::string_view prefix, std::string_view name,
          std::string_view value) {
  Append(out, prefix, std::string_view("::"), name, std::string_view("::"), value,
         std::string_view("\n"));
}

void JsonStat(std::string& out, bool& first, std::string_view name, uint64_t value,
              bool gauge = false) {
  out += first ? "{" : ",{";
  if (gauge) out += "\"type\":\"GAUGE\",";
  Append(out, std::string_view("\"name\":\""), name, std::string_view("\",\"value\":\""),
         Num(value), std::string_view("\"}"));
  first = false;
}

}  // namespace

std::string HealthFlags(const EndpointStatus& e) {
  std::string flags;
  if (e.ejected) flags += "/failed_outlier_check";
  switch (e.health) {
    case HealthStatus::kUnhealthy:
    case HealthStatus::kTimeout:
      flags += "/failed_eds_health";
      break;
    case HealthStatus::kDegraded:
      flags += "/degraded_eds_health";
      break;
    case HealthStatus::kDraining:
      flags += "/eds_status_draining";
      break;
    case HealthStatus::kUnknown:
    case HealthStatus::kHealthy:
      break;
  }
  return flags.empty() ? "healthy" : flags;
}

std::string RenderClustersText(absl::Span<const ClusterStatus> clusters) {
  std::string out;
  for (const ClusterStatus& c : clusters) {
    const std::string_view n = c.name;
    Line(out, n, "default_priority::max_connections", Num(c.max_connections));
    Line(out, n, "upstream_cx_active", Num(c.active));
    Line(out, n, "upstream_cx_overflow", Num(c.overflows));
    Line(out, n, "upstream_cx_total", Num(c.connects));
    Line(out, n, "upstream_cx_connect_fail", Num(c.connect_failures));
    Line(out, n, "upstream_cx_connect_timeout", Num(c.connect_timeouts));
    Line(out, n, "outlier_detection_ejections_total", Num(c.ejections));
    Line(out, n, "outlier_detection_ejections_overflow", Num(c.ejections_refused));
    for (const EndpointStatus& e : c.endpoints) {
      const std::string p = std::string(n) + "::" + e.address.ToString();
      Line(out, p, "hostname", e.hostname);
      Line(out, p, "cx_active", Num(e.active));
      Line(out, p, "cx_total", Num(e.connects));
      Line(out, p, "cx_connect_fail", Num(e.connect_failures));
      Line(out, p, "cx_connect_timeout", Num(e.connect_timeouts));
      Line(out, p, "outlier_ejections_total", Num(e.ejections));
      Line(out, p, "ejection_count", Num(e.ejection_count));
      Line(out, p, "ejected", e.ejected ? "true" : "false");
      Line(out, p, "health_flags", HealthFlags(e));
      Line(out, p, "weight", Num(e.weight));
      Line(out, p, "priority", Num(e.priority));
    }
  }
  return out;
}

std::string RenderClustersJson(absl::Span<const ClusterStatus> clusters) {
  std::string out = "{\"cluster_statuses\":[";
  for (size_t ci = 0; ci < clusters.size(); ++ci) {
    const ClusterStatus& c = clusters[ci];
    out += ci ? ",{\"name\":" : "{\"name\":";
    AppendJsonString(out, c.name);
    Append(out, std::string_view(",\"circuit_breakers\":{\"thresholds\":[{\"max_connections\":"),
           Num(c.max_connections), std::string_view("}]},\"stats\":["));
    bool first = true;
    JsonStat(out, first, "upstream_cx_active", c.active, /*gauge=*/true);
    JsonStat(out, first, "upstream_cx_overflow", c.overflows);
    JsonStat(out, first, "upstream_cx_total", c.connects);
    JsonStat(out, first, "upstream_cx_connect_fail", c.connect_failures);
    JsonStat(out, first, "upstream_cx_connect_timeout", c.connect_timeouts);
    JsonStat(out, first, "outlier_detection_ejections_total", c.ejections);
    JsonStat(out, first, "outlier_detection_ejections_overflow", c.ejections_refused);
    out += "],\"host_statuses\":[";
    for (size_t ei = 0; ei < c.endpoints.size(); ++ei) {
      const EndpointStatus& e = c.endpoints[ei];
      out += ei ? ",{\"address\":{\"socket_address\":{\"address\":"
                : "{\"address\":{\"socket_address\":{\"address\":";
      AppendJsonString(out, e.address.host);
      Append(out, std::string_view(",\"port_value\":"), Num(e.address.port),
             std::string_view("}},\"hostname\":"));
      AppendJsonString(out, e.hostname);
      out += ",\"stats\":[";
      first = true;
      JsonStat(out, first, "cx_active", e.active, /*gauge=*/true);
      JsonStat(out, first, "cx_total", e.connects);
      JsonStat(out, first, "cx_connect_fail", e.connect_failures);
      JsonStat(out, first, "cx_connect_timeout", e.connect_timeouts);
      JsonStat(out, first, "outlier_ejections_total", e.ejections);
      Append(out, std::string_view("],\"health_status\":{\"eds_health_status\":\""),
             config::HealthStatusName(e.health), std::string_view("\",\"failed_outlier_check\":"),
             std::string_view(e.ejected ? "true" : "false"),
             std::string_view("},\"ejection_count\":"), Num(e.ejection_count));
      if (e.ejected) {
        Append(out, std::string_view(",\"ejected_until\":\""),
               absl::FormatTime(absl::RFC3339_full, e.ejected_until, absl::UTCTimeZone()),
               std::string_view("\""));
      }
      Append(out, std::string_view(",\"weight\":"), Num(e.weight),
             std::string_view(",\"priority\":"), Num(e.priority), std::string_view("}"));
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

}  // namespace meshgw::gateway::upstream
