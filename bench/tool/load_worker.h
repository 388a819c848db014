// bench/tool/load_worker.h — the per-thread part of a client mode, and the shared run schedule.
//
// A run is: Setup (open what the mode needs: connections for throughput/latency/idle) -> Start ->
// window start (after the warm-up) -> window end (after the duration) -> a short drain (latency
// only) -> Stop. RunLoad (load.cc) drives every worker through these phases from the main thread
// and posts each phase to the worker's own io_context, so a worker's state is only ever touched
// by its own thread.
#ifndef MESHGW_BENCH_TOOL_LOAD_WORKER_H_
#define MESHGW_BENCH_TOOL_LOAD_WORKER_H_

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "bench/tool/options.h"
#include "bench/tool/result.h"

namespace meshgw::bench {

using Clock = std::chrono::steady_clock;

inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct WorkerContext {
  boost::asio::io_context& io;
  const BenchOptions& options;
  SSL_CTX* tls;
  boost::asio::ip::tcp::endpoint target;
  int connections;  // this worker's share
  RunResult& result;
};

class LoadWorker {
 public:
  virtual ~LoadWorker() = default;
  // Setup opens what the mode needs and then calls `ready` once (also on failure: errors are in
  // the result).
  virtual void Setup(std::function<void()> ready) = 0;
  virtual void Start() = 0;
  virtual void WindowStart() = 0;
  virtual void WindowEnd() = 0;
  // Stop closes every connection; the io_context is stopped right after.
  virtual void Stop() = 0;
};

std::unique_ptr<LoadWorker> MakeThroughputWorker(WorkerContext ctx);
std::unique_ptr<LoadWorker> MakeHandshakesWorker(WorkerContext ctx);
std::unique_ptr<LoadWorker> MakeLatencyWorker(WorkerContext ctx);
std::unique_ptr<LoadWorker> MakeIdleWorker(WorkerContext ctx);

}  // namespace meshgw::bench

#endif  // MESHGW_BENCH_TOOL_LOAD_WORKER_H_
