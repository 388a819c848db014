// bench/tool/idle_worker.cc — open many connections through the target and hold them.
//
// Setup opens the worker's share with at most -concurrency handshakes in flight, each proven end
// to end by a small echo probe; then the connections sit idle (one pending read each, to notice a
// close) while the caller measures the target's memory. RunLoad writes -ready-file once every
// worker is set up.
#include <algorithm>
#include <memory>
#include <vector>

#include "bench/tool/connect.h"
#include "bench/tool/load_worker.h"

namespace meshgw::bench {
namespace {

class IdleWorker : public LoadWorker {
 public:
  explicit IdleWorker(WorkerContext ctx) : ctx_(ctx) {}

  void Setup(std::function<void()> ready) override {
    ready_ = std::move(ready);
    const int per_thread_concurrency =
        std::max(1, ctx_.options.concurrency / std::max(1, ctx_.options.threads));
    if (ctx_.connections == 0) return ready_();
    for (int i = 0; i < std::min(per_thread_concurrency, ctx_.connections); ++i) OpenNext();
  }

  void Start() override {}
  void WindowStart() override {}
  void WindowEnd() override { ctx_.result.connections_held = held_; }
  void Stop() override {
    stopping_ = true;
    for (auto& s : streams_) s->Close();
  }

 private:
  void OpenNext() {
    if (started_ >= ctx_.connections) return;
    ++started_;
    OpenStream(ctx_, nullptr, ctx_.options.size,
               [this](std::shared_ptr<BenchStream> s, const ErrorCode& ec) {
                 if (ec) {
                   ctx_.result.Error(Describe(s.get(), ec, "open"));
                 } else {
                   ++held_;
                   streams_.push_back(s);
                   Watch(s);
                 }
                 if (++finished_ == ctx_.connections) return ready_();
                 OpenNext();
               });
  }

  void Watch(const std::shared_ptr<BenchStream>& s) {
    s->AsyncReadSome(byte_, sizeof(byte_), [this, s](const ErrorCode& ec, size_t) {
      if (stopping_) return;
      --held_;
      ctx_.result.Error(
          Describe(s.get(), ec ? ec : ErrorCode(boost::asio::error::eof), "held connection"));
    });
  }

  WorkerContext ctx_;
  std::function<void()> ready_;
  std::vector<std::shared_ptr<BenchStream>> streams_;
  char byte_[1];
  int started_ = 0, finished_ = 0;
  int64_t held_ = 0;
  bool stopping_ = false;
};

}  // namespace

std::unique_ptr<LoadWorker> MakeIdleWorker(WorkerContext ctx) {
  return std::make_unique<IdleWorker>(ctx);
}

}  // namespace meshgw::bench
