// bench/tool/load.cc — RunLoad: drives the workers of a client mode through the phases of a run
// (see load_worker.h) from the main thread, then merges what each worker measured.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bench/tool/load_worker.h"
#include "bench/tool/modes.h"

namespace meshgw::bench {
namespace {

namespace asio = boost::asio;

// Setup (opening connections) is bounded too: long enough for 20,000 handshakes at a slow peer.
constexpr auto kSetupTimeout = std::chrono::seconds(120);
// Latency: how long answers still in flight at the end may take before they count as lost.
constexpr auto kLatencyDrain = std::chrono::milliseconds(500);

struct WorkerThread {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  RunResult result;
  std::unique_ptr<LoadWorker> worker;
  std::thread thread;
};

std::unique_ptr<LoadWorker> MakeWorker(const WorkerContext& ctx) {
  switch (ctx.options.mode) {
    case Mode::kThroughput:
      return MakeThroughputWorker(ctx);
    case Mode::kHandshakes:
      return MakeHandshakesWorker(ctx);
    case Mode::kLatency:
      return MakeLatencyWorker(ctx);
    case Mode::kIdle:
      return MakeIdleWorker(ctx);
    default:
      return nullptr;
  }
}

// OnEach runs fn(worker) on every worker's own thread.
template <typename Fn>
void OnEach(std::vector<std::unique_ptr<WorkerThread>>& threads, Fn fn) {
  for (auto& t : threads) asio::post(t->io, [w = t->worker.get(), fn] { fn(*w); });
}

}  // namespace

absl::StatusOr<RunResult> RunLoad(const BenchOptions& o, SSL_CTX* tls) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(o.host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("-target: bad address \"", o.host, "\""));
  const asio::ip::tcp::endpoint target(address, o.port);

  std::vector<std::unique_ptr<WorkerThread>> threads;
  for (int i = 0; i < o.threads; ++i) {
    auto t = std::make_unique<WorkerThread>();
    const int share = o.connections / o.threads + (i < o.connections % o.threads ? 1 : 0);
    t->worker = MakeWorker(WorkerContext{t->io, o, tls, target, share, t->result});
    threads.push_back(std::move(t));
  }

  std::atomic<int> ready{0};
  OnEach(threads, [&ready](LoadWorker& w) { w.Setup([&ready] { ready.fetch_add(1); }); });
  for (auto& t : threads) t->thread = std::thread([io = &t->io] { io->run(); });

  const auto setup_deadline = Clock::now() + kSetupTimeout;
  while (ready.load() < o.threads && Clock::now() < setup_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const bool set_up = ready.load() == o.threads;
  int64_t setup_errors = 0;

  double cpu_start = 0, cpu_end = 0;
  Clock::time_point window_start, window_end;
  if (set_up) {
    if (!o.ready_file.empty()) std::ofstream(o.ready_file) << "ready\n";
    const auto start = Clock::now();
    OnEach(threads, [](LoadWorker& w) { w.Start(); });
    std::this_thread::sleep_until(start + o.warmup);
    OnEach(threads, [](LoadWorker& w) { w.WindowStart(); });
    cpu_start = ProcessCpuSeconds();
    window_start = Clock::now();
    std::this_thread::sleep_until(start + o.duration);
    OnEach(threads, [](LoadWorker& w) { w.WindowEnd(); });
    cpu_end = ProcessCpuSeconds();
    window_end = Clock::now();
    if (o.mode == Mode::kLatency) std::this_thread::sleep_for(kLatencyDrain);
  }
  for (auto& t : threads) {
    asio::post(t->io, [t = t.get()] {
      t->worker->Stop();
      t->guard.reset();
      t->io.stop();
    });
  }
  for (auto& t : threads) t->thread.join();

  RunResult merged;
  merged.threads = o.threads;
  for (auto& t : threads) {
    const RunResult& r = t->result;
    merged.bytes_sent += r.bytes_sent;
    merged.bytes_received += r.bytes_received;
    merged.connections_opened += r.connections_opened;
    merged.resumed += r.resumed;
    merged.requests += r.requests;
    merged.requests_lost += r.requests_lost;
    merged.connections_held += r.connections_held;
    merged.target_rate += r.target_rate;
    merged.schedule_lag_max_ns = std::max(merged.schedule_lag_max_ns, r.schedule_lag_max_ns);
    merged.latency.Merge(r.latency);
    merged.errors += r.errors;
    if (merged.first_error.empty()) merged.first_error = r.first_error;
    setup_errors += r.errors;
  }
  if (!set_up) {
    return absl::DeadlineExceededError(absl::StrCat("setup did not finish in ",
                                                    kSetupTimeout.count(), " s (", merged.errors,
                                                    " errors; first: ", merged.first_error, ")"));
  }
  if (o.mode != Mode::kHandshakes && setup_errors >= o.connections) {
    return absl::UnavailableError(absl::StrCat("could not open any connection to ", o.host, ":",
                                               o.port, ": ", merged.first_error));
  }
  merged.seconds = std::chrono::duration<double>(window_end - window_start).count();
  merged.tool_cpu_seconds = cpu_end - cpu_start;
  return merged;
}

}  // namespace meshgw::bench
