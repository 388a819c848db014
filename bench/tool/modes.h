// bench/tool/modes.h — the modes of meshgw-bench: load generators and the echo/sink backend.
//
// Each Run* function runs one mode to completion on options.threads event-loop threads and
// returns what it measured. An error means the run could not start (unreachable target during
// setup, bad address); failures during the run are counted in RunResult::errors instead.
#ifndef MESHGW_BENCH_TOOL_MODES_H_
#define MESHGW_BENCH_TOOL_MODES_H_

#include <openssl/ssl.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/tool/options.h"
#include "bench/tool/result.h"

namespace meshgw::bench {

// RunLoad runs a client mode (throughput, handshakes, latency, idle). `tls` is null for TCP.
absl::StatusOr<RunResult> RunLoad(const BenchOptions& options, SSL_CTX* tls);

// RunBackend serves echo or sink on options.host:port until the duration ends (if set) or
// SIGTERM/SIGINT. `tls` is null for TCP.
absl::Status RunBackend(const BenchOptions& options, SSL_CTX* tls);

}  // namespace meshgw::bench

#endif  // MESHGW_BENCH_TOOL_MODES_H_
