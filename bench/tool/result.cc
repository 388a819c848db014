// bench/tool/result.cc — JSON line and human summary of a run.
#include "bench/tool/result.h"

#include <sys/resource.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"

namespace meshgw::bench {
namespace {

constexpr double kSaturatedUtilization = 0.90;
constexpr int64_t kSaturatedLagNs = 10'000'000;  // the latency schedule 10 ms behind

double Micros(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

}  // namespace

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

bool Saturated(const RunResult& r, std::string* reason) {
  const double util = r.seconds > 0 ? r.tool_cpu_seconds / (r.seconds * r.threads) : 0;
  if (util > kSaturatedUtilization) {
    *reason = absl::StrFormat("tool threads %.0f%% busy", util * 100);
    return true;
  }
  if (r.schedule_lag_max_ns > kSaturatedLagNs) {
    *reason =
        absl::StrFormat("latency schedule fell %.1f ms behind (tool saturated or starved of CPU)",
                        static_cast<double>(r.schedule_lag_max_ns) / 1e6);
    return true;
  }
  return false;
}

void PrintResult(const BenchOptions& o, const RunResult& r) {
  std::string reason;
  const bool saturated = Saturated(r, &reason);
  const double secs = r.seconds > 0 ? r.seconds : 1;
  const double bytes = static_cast<double>(r.bytes_sent + r.bytes_received);
  nlohmann::ordered_json j;
  j["mode"] = o.mode_name;
  j["target"] = absl::StrFormat("%s:%d", o.host, o.port);
  j["tls"] = o.tls;
  if (!o.sni.empty()) j["sni"] = o.sni;
  j["connections"] = o.connections;
  j["threads"] = r.threads;
  j["seconds"] = r.seconds;
  j["bytes_sent"] = r.bytes_sent;
  j["bytes_received"] = r.bytes_received;
  switch (o.mode) {
    case Mode::kThroughput:
      j["gbps"] = bytes * 8 / secs / 1e9;
      break;
    case Mode::kHandshakes:
      j["resume"] = o.resume;
      j["handshakes"] = r.connections_opened;
      j["handshakes_per_s"] = static_cast<double>(r.connections_opened) / secs;
      j["resumed"] = r.resumed;
      break;
    case Mode::kLatency:
      j["size"] = o.size;
      j["rate_target"] = r.target_rate;
      j["rate_achieved"] = static_cast<double>(r.requests) / secs;
      j["requests"] = r.requests;
      j["requests_lost"] = r.requests_lost;
      j["schedule_lag_max_us"] = Micros(r.schedule_lag_max_ns);
      j["latency_us"] = {{"min", Micros(r.latency.min())},
                         {"mean", r.latency.mean() / 1000.0},
                         {"p50", Micros(r.latency.ValueAtPercentile(50))},
                         {"p90", Micros(r.latency.ValueAtPercentile(90))},
                         {"p99", Micros(r.latency.ValueAtPercentile(99))},
                         {"p999", Micros(r.latency.ValueAtPercentile(99.9))},
                         {"max", Micros(r.latency.max())}};
      break;
    case Mode::kIdle:
      j["connections_held"] = r.connections_held;
      break;
    default:
      break;
  }
  j["errors"] = r.errors;
  if (!r.first_error.empty()) j["first_error"] = r.first_error;
  j["tool_cpu_s"] = r.tool_cpu_seconds;
  j["tool_cpu_util"] = r.tool_cpu_seconds / (secs * r.threads);
  j["saturated"] = saturated;
  if (saturated) j["saturated_reason"] = reason;
  if (!r.notes.empty()) j["notes"] = r.notes;
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);

  if (o.quiet) return;
  std::string line =
      absl::StrFormat("meshgw-bench %s -> %s:%d (%s, %d conn, %.2f s)\n", o.mode_name, o.host,
                      o.port, o.tls ? "TLS" : "TCP", o.connections, r.seconds);
  switch (o.mode) {
    case Mode::kThroughput:
      line += absl::StrFormat("  %.3f Gbit/s (sent %.1f MB, received %.1f MB)\n",
                              bytes * 8 / secs / 1e9, r.bytes_sent / 1e6, r.bytes_received / 1e6);
      break;
    case Mode::kHandshakes:
      line += absl::StrFormat("  %.0f connections/s (%d in all, %d resumed)\n",
                              r.connections_opened / secs, r.connections_opened, r.resumed);
      break;
    case Mode::kLatency:
      line += absl::StrFormat(
          "  %.0f req/s of %.0f asked; latency us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  "
          "max %.1f  (%d lost)\n",
          r.requests / secs, r.target_rate, Micros(r.latency.ValueAtPercentile(50)),
          Micros(r.latency.ValueAtPercentile(90)), Micros(r.latency.ValueAtPercentile(99)),
          Micros(r.latency.ValueAtPercentile(99.9)), Micros(r.latency.max()), r.requests_lost);
      break;
    case Mode::kIdle:
      line += absl::StrFormat("  held %d connections\n", r.connections_held);
      break;
    default:
      break;
  }
  line += absl::StrFormat("  tool CPU %.2f s (%.0f%% of %d thread(s))%s\n", r.tool_cpu_seconds,
                          100 * r.tool_cpu_seconds / (secs * r.threads), r.threads,
                          saturated ? "  SATURATED: " + reason : "");
  if (r.errors > 0) line += absl::StrFormat("  %d errors, first: %s\n", r.errors, r.first_error);
  std::fputs(line.c_str(), stderr);
}

}  // namespace meshgw::bench
