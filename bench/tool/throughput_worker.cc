// bench/tool/throughput_worker.cc — bulk bytes both ways over long connections.
//
// Every connection writes -size chunks as fast as the path takes them and reads whatever comes
// back (the echo backend returns every byte), so both directions of the proxy carry the same load.
#include <memory>
#include <vector>

#include "bench/tool/connect.h"
#include "bench/tool/load_worker.h"

namespace meshgw::bench {
namespace {

class ThroughputWorker : public LoadWorker {
 public:
  explicit ThroughputWorker(WorkerContext ctx)
      : ctx_(ctx), payload_(static_cast<size_t>(ctx.options.size), 'x') {}

  void Setup(std::function<void()> ready) override {
    pending_ = ctx_.connections;
    ready_ = std::move(ready);
    for (int i = 0; i < ctx_.connections; ++i) {
      OpenStream(ctx_, nullptr, 0, [this](std::shared_ptr<BenchStream> s, const ErrorCode& ec) {
        if (ec) {
          ctx_.result.Error(Describe(s.get(), ec, "open"));
        } else {
          streams_.push_back(std::move(s));
        }
        if (--pending_ == 0) ready_();
      });
    }
  }

  void Start() override {
    for (auto& s : streams_) {
      auto buf = std::make_shared<std::vector<char>>(ctx_.options.size > 16384 ? 65536 : 16384);
      WriteLoop(s);
      ReadLoop(s, buf);
    }
  }

  void WindowStart() override {
    base_sent_ = sent_;
    base_received_ = received_;
  }
  void WindowEnd() override {
    ctx_.result.bytes_sent = sent_ - base_sent_;
    ctx_.result.bytes_received = received_ - base_received_;
    stopping_ = true;
  }
  void Stop() override {
    stopping_ = true;
    for (auto& s : streams_) s->Close();
  }

 private:
  void WriteLoop(const std::shared_ptr<BenchStream>& s) {
    s->AsyncWrite(payload_.data(), payload_.size(), [this, s](const ErrorCode& ec) {
      if (stopping_) return;
      if (ec) return ctx_.result.Error(Describe(s.get(), ec, "write"));
      sent_ += static_cast<int64_t>(payload_.size());
      WriteLoop(s);
    });
  }
  void ReadLoop(const std::shared_ptr<BenchStream>& s, std::shared_ptr<std::vector<char>> buf) {
    s->AsyncReadSome(buf->data(), buf->size(), [this, s, buf](const ErrorCode& ec, size_t n) {
      if (stopping_) return;
      if (ec) return ctx_.result.Error(Describe(s.get(), ec, "read"));
      received_ += static_cast<int64_t>(n);
      ReadLoop(s, buf);
    });
  }

  WorkerContext ctx_;
  std::vector<char> payload_;
  std::vector<std::shared_ptr<BenchStream>> streams_;
  std::function<void()> ready_;
  int pending_ = 0;
  bool stopping_ = false;
  int64_t sent_ = 0, received_ = 0, base_sent_ = 0, base_received_ = 0;
};

}  // namespace

std::unique_ptr<LoadWorker> MakeThroughputWorker(WorkerContext ctx) {
  return std::make_unique<ThroughputWorker>(ctx);
}

}  // namespace meshgw::bench
