// bench/tool/result.h — what one meshgw-bench run measured, and how it is printed.
//
// RunResult is filled by a mode; PrintResult writes it as one JSON line on stdout (for scripts:
// bench/compare reads these) and, unless quiet, a human summary on stderr. Every result carries
// the tool's own CPU use over the measured window, and `saturated` when the tool itself was the
// limit (an event-loop thread busy more than 90% of the time, or a latency schedule that fell
// behind), so that a figure limited by the tool is never mistaken for the target's.
#ifndef MESHGW_BENCH_TOOL_RESULT_H_
#define MESHGW_BENCH_TOOL_RESULT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bench/tool/histogram.h"
#include "bench/tool/options.h"

namespace meshgw::bench {

// ProcessCpuSeconds is user + system time of this process so far.
double ProcessCpuSeconds();

struct RunResult {
  double seconds = 0;      // measured window
  int64_t bytes_sent = 0;  // payload bytes, measured window
  int64_t bytes_received = 0;
  int64_t connections_opened = 0;  // completed connect+handshake+probe
  int64_t resumed = 0;             // of those, TLS sessions resumed
  int64_t requests = 0;            // latency: responses received in the window
  int64_t requests_lost = 0;       // latency: not answered by the end of the drain
  int64_t errors = 0;
  std::string first_error;
  LatencyHistogram latency;         // ns
  double target_rate = 0;           // latency: requests/s asked for
  int64_t schedule_lag_max_ns = 0;  // latency: worst delay of the scheduler behind plan
  int64_t connections_held = 0;     // idle
  double tool_cpu_seconds = 0;
  int threads = 1;
  std::vector<std::string> notes;

  void Error(const std::string& what) {
    ++errors;
    if (first_error.empty()) first_error = what;
  }
};

// Saturated says whether the tool was the limit (see the file comment); reason explains.
bool Saturated(const RunResult& r, std::string* reason);

void PrintResult(const BenchOptions& options, const RunResult& result);

}  // namespace meshgw::bench

#endif  // MESHGW_BENCH_TOOL_RESULT_H_
