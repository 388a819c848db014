// bench/tool/options.h — the command line of meshgw-bench.
//
//   meshgw-bench throughput -target 127.0.0.1:8443 -sni echo.internal -ca ca.pem -connections 16
//   meshgw-bench echo -listen 127.0.0.1:9001 -cert backend.pem -key backend.key
//
// Flags take one or two dashes and `-flag value` or `-flag=value`. Durations are `10s`, `500ms`,
// `2m` or plain seconds. ParseOptions validates everything a run needs and bounds every loop (a
// duration is required and at most 600 s; at most 20,000 connections), so a typo never starts an
// unbounded load.
#ifndef MESHGW_BENCH_TOOL_OPTIONS_H_
#define MESHGW_BENCH_TOOL_OPTIONS_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace meshgw::bench {

enum class Mode { kThroughput, kHandshakes, kLatency, kIdle, kEcho, kSink };

struct BenchOptions {
  Mode mode = Mode::kThroughput;
  std::string mode_name;

  // Client modes: where to connect. Backend modes: where to listen.
  std::string host = "127.0.0.1";
  uint16_t port = 0;

  // TLS: on when -tls is given or any of sni/cert/ca is. `cert`/`key` are the client certificate
  // (client modes) or the server certificate (backend modes); `ca` verifies the peer (and makes a
  // backend require client certificates).
  bool tls = false;
  std::string sni;
  std::string cert;
  std::string key;
  std::string ca;

  int connections = 0;  // 0: the mode's default
  int threads = 1;
  std::chrono::nanoseconds duration{0};  // backend modes: 0 means until SIGTERM/SIGINT
  std::chrono::nanoseconds warmup{0};
  int size = 0;            // bytes: latency request, handshake probe, throughput write chunk
  double rate = 1000;      // latency: requests per second, all connections together
  bool resume = false;     // handshakes: resume with the last session ticket (TLS)
  int concurrency = 64;    // idle: handshakes in flight while opening
  std::string ready_file;  // idle: written when every connection is open
  bool quiet = false;      // no human summary on stderr
};

// ParseOptions reads argv (the mode is the first argument or -mode). Errors name the flag.
absl::StatusOr<BenchOptions> ParseOptions(int argc, char** argv);

// ParseDuration("1.5s") == 1500ms; accepts ns, us, ms, s, m and plain seconds.
absl::StatusOr<std::chrono::nanoseconds> ParseDuration(const std::string& text);

// Usage is the help text.
std::string Usage();

}  // namespace meshgw::bench

#endif  // MESHGW_BENCH_TOOL_OPTIONS_H_
