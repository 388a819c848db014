// bench/tool/handshakes_worker.cc — new connections per second, full or resumed.
//
// Each of the worker's slots loops: connect, handshake (offering the last session when
// -resume), echo a -size probe (so the proxy's upstream connection is made too, and the TLS 1.3
// ticket is read), close. A connection counts when its probe came back inside the window.
#include <memory>

#include "bench/tool/connect.h"
#include "bench/tool/load_worker.h"
#include "bench/tool/tls.h"

namespace meshgw::bench {
namespace {

class HandshakesWorker : public LoadWorker {
 public:
  explicit HandshakesWorker(WorkerContext ctx) : ctx_(ctx) {}

  void Setup(std::function<void()> ready) override {
    if (!ctx_.options.resume) return ready();
    // Collect a first session so that every measured handshake can resume.
    OpenStream(ctx_, nullptr, ctx_.options.size,
               [this, ready](std::shared_ptr<BenchStream> s, const ErrorCode& ec) {
                 if (ec) {
                   ctx_.result.Error(Describe(s.get(), ec, "first handshake"));
                 } else if (s->ssl() != nullptr) {
                   session_.reset(SSL_get1_session(s->ssl()));
                 }
                 s->Close();
                 ready();
               });
  }

  void Start() override {
    for (int i = 0; i < ctx_.connections; ++i) Next();
  }
  void WindowStart() override {
    base_opened_ = opened_;
    base_resumed_ = resumed_;
  }
  void WindowEnd() override {
    ctx_.result.connections_opened = opened_ - base_opened_;
    ctx_.result.resumed = resumed_ - base_resumed_;
    stopping_ = true;
  }
  void Stop() override { stopping_ = true; }

 private:
  void Next() {
    if (stopping_) return;
    SSL_SESSION* resume = ctx_.options.resume ? session_.get() : nullptr;
    OpenStream(ctx_, resume, ctx_.options.size,
               [this](std::shared_ptr<BenchStream> s, const ErrorCode& ec) {
                 if (stopping_) return s->Close();
                 if (ec) {
                   ctx_.result.Error(Describe(s.get(), ec, "handshake"));
                   s->Close();
                   return RetryLater();
                 } else {
                   ++opened_;
                   if (s->Resumed()) ++resumed_;
                   if (ctx_.options.resume && s->ssl() != nullptr) {
                     session_.reset(SSL_get1_session(s->ssl()));
                   }
                 }
                 s->Close();
                 Next();
               });
  }

  // After a failure, wait a little: a refused target must not turn this loop into a busy spin.
  void RetryLater() {
    auto timer =
        std::make_shared<boost::asio::steady_timer>(ctx_.io, std::chrono::milliseconds(10));
    timer->async_wait([this, timer](const ErrorCode&) { Next(); });
  }

  WorkerContext ctx_;
  SslSessionPtr session_;
  bool stopping_ = false;
  int64_t opened_ = 0, resumed_ = 0, base_opened_ = 0, base_resumed_ = 0;
};

}  // namespace

std::unique_ptr<LoadWorker> MakeHandshakesWorker(WorkerContext ctx) {
  return std::make_unique<HandshakesWorker>(ctx);
}

}  // namespace meshgw::bench
