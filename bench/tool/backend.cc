// bench/tool/backend.cc — the echo / sink backend that stands behind the proxies.
//
// One acceptor per thread on the same address (SO_REUSEPORT), each with its own io_context.
// echo returns every byte it reads; sink discards them. With TLS it terminates (and, with -ca,
// requires a client certificate), issuing session tickets so that resumption can be measured
// without a proxy too. Runs until -duration (if given) or SIGTERM/SIGINT.
#include <sys/socket.h>

#include <boost/asio/signal_set.hpp>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bench/tool/modes.h"
#include "bench/tool/stream.h"

namespace meshgw::bench {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr size_t kBufferBytes = 64 * 1024;

class BackendConnection : public std::enable_shared_from_this<BackendConnection> {
 public:
  BackendConnection(std::shared_ptr<BenchStream> s, bool echo)
      : stream_(std::move(s)), echo_(echo), buf_(new char[kBufferBytes]) {}

  void Start() {
    stream_->PrepareAccepted();
    stream_->AsyncHandshake(false, "", nullptr, [self = shared_from_this()](const ErrorCode& ec) {
      if (ec) return self->stream_->Close();
      self->Read();
    });
  }

 private:
  void Read() {
    stream_->AsyncReadSome(
        buf_.get(), kBufferBytes, [self = shared_from_this()](const ErrorCode& ec, size_t n) {
          if (ec) return self->stream_->Close();
          if (!self->echo_) return self->Read();
          self->stream_->AsyncWrite(self->buf_.get(), n, [self](const ErrorCode& ec) {
            if (ec) return self->stream_->Close();
            self->Read();
          });
        });
  }

  std::shared_ptr<BenchStream> stream_;
  bool echo_;
  std::unique_ptr<char[]> buf_;
};

struct AcceptorThread {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
};

void AcceptLoop(AcceptorThread& t, SSL_CTX* tls, bool echo) {
  auto stream = std::make_shared<BenchStream>(t.io, tls);
  t.acceptor.async_accept(stream->socket(), [&t, tls, echo, stream](const ErrorCode& ec) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<BackendConnection>(stream, echo)->Start();
    AcceptLoop(t, tls, echo);
  });
}

}  // namespace

absl::Status RunBackend(const BenchOptions& o, SSL_CTX* tls) {
  ErrorCode ec;
  const auto address = asio::ip::make_address(o.host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("-listen: bad address \"", o.host, "\""));
  const tcp::endpoint at(address, o.port);
  const bool echo = o.mode == Mode::kEcho;

  std::vector<std::unique_ptr<AcceptorThread>> threads;
  for (int i = 0; i < o.threads; ++i) {
    auto t = std::make_unique<AcceptorThread>();
    t->acceptor.open(at.protocol(), ec);
    if (!ec) t->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) {
      // One acceptor per thread on the same address; the kernel spreads the connections.
      const int one = 1;
      if (setsockopt(t->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) !=
          0) {
        ec = ErrorCode(errno, boost::system::system_category());
      }
    }
    if (!ec) t->acceptor.bind(at, ec);
    if (!ec) t->acceptor.listen(4096, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", o.host, ":", o.port, ": ", ec.message()));
    }
    AcceptLoop(*t, tls, echo);
    threads.push_back(std::move(t));
  }

  // The first thread's io_context also waits for the stop signal or the end of the duration.
  asio::io_context& main_io = threads.front()->io;
  auto stop_all = [&threads] {
    for (auto& t : threads) asio::post(t->io, [t = t.get()] { t->io.stop(); });
  };
  asio::signal_set signals(main_io, SIGINT, SIGTERM);
  signals.async_wait([&](const ErrorCode& ec, int) {
    if (!ec) stop_all();
  });
  asio::steady_timer deadline(main_io);
  if (o.duration.count() > 0) {
    deadline.expires_after(o.duration);
    deadline.async_wait([&](const ErrorCode& ec) {
      if (!ec) stop_all();
    });
  }
  if (!o.quiet) {
    std::fprintf(stderr, "meshgw-bench %s listening on %s:%d (%s, %d thread(s))\n",
                 o.mode_name.c_str(), o.host.c_str(), o.port, tls ? "TLS" : "TCP", o.threads);
  }
  for (size_t i = 1; i < threads.size(); ++i) {
    threads[i]->thread = std::thread([io = &threads[i]->io] { io->run(); });
  }
  main_io.run();
  for (size_t i = 1; i < threads.size(); ++i) threads[i]->thread.join();
  return absl::OkStatus();
}

}  // namespace meshgw::bench
