// bench/tool/latency_worker.cc — fixed-rate requests over kept connections, open loop.
//
// The schedule is fixed in advance: request k is due at start + k / rate, on connection
// k mod N. A request is written when it is due whether or not earlier answers came back (so a
// stalled path shows up as latency instead of as a lower rate: no coordinated omission), and its
// latency is measured from when it was due, not from when it was written. The echo backend
// answers each -size request with the same bytes; answers arrive in order on a connection, so
// every -size bytes read complete that connection's oldest request.
#include <algorithm>
#include <deque>
#include <memory>
#include <vector>

#include "bench/tool/connect.h"
#include "bench/tool/load_worker.h"

namespace meshgw::bench {
namespace {

struct LatencyConn {
  std::shared_ptr<BenchStream> stream;
  std::deque<int64_t> due;  // due times (ns) of the requests not answered yet
  int64_t unwritten = 0;    // bytes due but not yet handed to the stream
  bool writing = false;
  int64_t partial = 0;  // bytes of the current answer read so far
  std::vector<char> buf = std::vector<char>(16384);
};

class LatencyWorker : public LoadWorker {
 public:
  explicit LatencyWorker(WorkerContext ctx)
      : ctx_(ctx),
        timer_(ctx.io),
        payload_(static_cast<size_t>(std::max(ctx.options.size, 1)) * 16, 'q'),
        interval_ns_(1e9 * ctx.options.threads / ctx.options.rate) {}

  void Setup(std::function<void()> ready) override {
    pending_ = ctx_.connections;
    ready_ = std::move(ready);
    for (int i = 0; i < ctx_.connections; ++i) {
      OpenStream(ctx_, nullptr, 0, [this](std::shared_ptr<BenchStream> s, const ErrorCode& ec) {
        if (ec) {
          ctx_.result.Error(Describe(s.get(), ec, "open"));
        } else {
          auto c = std::make_shared<LatencyConn>();
          c->stream = std::move(s);
          conns_.push_back(std::move(c));
        }
        if (--pending_ == 0) ready_();
      });
    }
  }

  void Start() override {
    ctx_.result.target_rate = ctx_.options.rate / ctx_.options.threads;
    if (conns_.empty()) return;
    start_ns_ = NowNs();
    window_start_ns_ = start_ns_ + ctx_.options.warmup.count();
    for (auto& c : conns_) ReadLoop(c);
    Tick();
  }
  void WindowStart() override {}
  void WindowEnd() override {
    issuing_ = false;
    timer_.cancel();
  }
  void Stop() override {
    stopping_ = true;
    timer_.cancel();
    for (auto& c : conns_) {
      for (int64_t due : c->due) {
        if (due >= window_start_ns_) ++ctx_.result.requests_lost;
      }
      c->stream->Close();
    }
  }

 private:
  void Tick() {
    if (!issuing_ || stopping_) return;
    const int64_t now = NowNs();
    const int64_t size = ctx_.options.size;
    while (true) {
      const int64_t due =
          start_ns_ + static_cast<int64_t>(static_cast<double>(next_) * interval_ns_);
      if (due > now) {
        timer_.expires_at(Clock::time_point(std::chrono::nanoseconds(due)));
        timer_.async_wait([this](const ErrorCode& ec) {
          if (!ec) Tick();
        });
        return;
      }
      ctx_.result.schedule_lag_max_ns = std::max(ctx_.result.schedule_lag_max_ns, now - due);
      LatencyConn& c = *conns_[next_ % conns_.size()];
      ++next_;
      c.due.push_back(due);
      c.unwritten += size;
      if (!c.writing) Write(conns_[(next_ - 1) % conns_.size()]);
    }
  }

  void Write(const std::shared_ptr<LatencyConn>& c) {
    const size_t n = static_cast<size_t>(std::min<int64_t>(c->unwritten, payload_.size()));
    c->writing = true;
    c->unwritten -= static_cast<int64_t>(n);
    c->stream->AsyncWrite(payload_.data(), n, [this, c](const ErrorCode& ec) {
      c->writing = false;
      if (stopping_) return;
      if (ec) return ctx_.result.Error(Describe(c->stream.get(), ec, "write"));
      if (c->unwritten > 0) Write(c);
    });
  }

  void ReadLoop(const std::shared_ptr<LatencyConn>& c) {
    c->stream->AsyncReadSome(
        c->buf.data(), c->buf.size(), [this, c](const ErrorCode& ec, size_t n) {
          if (stopping_) return;
          if (ec) return ctx_.result.Error(Describe(c->stream.get(), ec, "read"));
          const int64_t now = NowNs();
          c->partial += static_cast<int64_t>(n);
          while (c->partial >= ctx_.options.size && !c->due.empty()) {
            c->partial -= ctx_.options.size;
            const int64_t due = c->due.front();
            c->due.pop_front();
            if (due >= window_start_ns_ && (issuing_ || due < window_end_ns())) {
              ctx_.result.latency.Record(now - due);
              ++ctx_.result.requests;
            }
          }
          ReadLoop(c);
        });
  }

  int64_t window_end_ns() const { return start_ns_ + ctx_.options.duration.count(); }

  WorkerContext ctx_;
  boost::asio::steady_timer timer_;
  std::vector<char> payload_;
  double interval_ns_;
  std::vector<std::shared_ptr<LatencyConn>> conns_;
  std::function<void()> ready_;
  int pending_ = 0;
  int64_t start_ns_ = 0, window_start_ns_ = 0;
  uint64_t next_ = 0;
  bool issuing_ = true;
  bool stopping_ = false;
};

}  // namespace

std::unique_ptr<LoadWorker> MakeLatencyWorker(WorkerContext ctx) {
  return std::make_unique<LatencyWorker>(ctx);
}

}  // namespace meshgw::bench
