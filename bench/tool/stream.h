// bench/tool/stream.h — one TCP or TLS connection of meshgw-bench, driven by Asio readiness.
//
// Why not asio::ssl::stream: it moves every record through a memory BIO pair, an extra copy per
// byte. Here OpenSSL reads and writes the socket itself (SSL_set_fd on a non-blocking socket) and
// Asio only reports readiness, so the tool spends as little CPU per byte as the proxies it
// measures and does not become the bottleneck.
//
//   auto s = std::make_shared<BenchStream>(io, client_ctx);   // nullptr ctx: plain TCP
//   s->AsyncConnect(endpoint, [s](error_code ec) {
//     s->AsyncHandshake(/*client=*/true, "echo.internal", nullptr, ...);
//   });
//
// Errors come back as error_codes: asio::error::eof for a clean close, connection_aborted for a
// TLS failure (its text in tls_error()), or the socket's own error.
//
// Thread-safety: a BenchStream belongs to one io_context run by one thread. At most one read and
// one write are outstanding at a time.
#ifndef MESHGW_BENCH_TOOL_STREAM_H_
#define MESHGW_BENCH_TOOL_STREAM_H_

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <string>

namespace meshgw::bench {

namespace asio = boost::asio;
using ErrorCode = boost::system::error_code;

class BenchStream : public std::enable_shared_from_this<BenchStream> {
 public:
  using Handler = std::function<void(const ErrorCode&)>;
  using ReadHandler = std::function<void(const ErrorCode&, size_t)>;

  // `tls` may be null (plain TCP); it must outlive the stream.
  BenchStream(asio::io_context& io, SSL_CTX* tls);
  ~BenchStream();
  BenchStream(const BenchStream&) = delete;
  BenchStream& operator=(const BenchStream&) = delete;

  asio::ip::tcp::socket& socket() { return socket_; }
  bool is_tls() const { return tls_ != nullptr; }
  SSL* ssl() const { return ssl_; }
  const std::string& tls_error() const { return tls_error_; }

  // AsyncConnect connects and sets TCP_NODELAY.
  void AsyncConnect(const asio::ip::tcp::endpoint& to, Handler done);
  // Prepare sets TCP_NODELAY and non-blocking mode on an accepted socket.
  void PrepareAccepted();
  // AsyncHandshake runs the TLS handshake (no-op for TCP). A client sends `sni` (when non-empty)
  // and offers `resume` (when non-null) for resumption.
  void AsyncHandshake(bool client, const std::string& sni, SSL_SESSION* resume, Handler done);
  // AsyncReadSome reads at least one byte into data[0, size).
  void AsyncReadSome(char* data, size_t size, ReadHandler done);
  // AsyncWrite writes all of data[0, size); the buffer must stay valid until `done`.
  void AsyncWrite(const char* data, size_t size, Handler done);
  // Resumed tells whether the TLS session was resumed.
  bool Resumed() const { return ssl_ != nullptr && SSL_session_reused(ssl_) == 1; }
  // Close sends a TLS close_notify when it can without blocking, and closes the socket.
  void Close();

 private:
  // What to do after an SSL call that did not complete.
  enum class Next { kWaitRead, kWaitWrite, kFail, kEof };
  Next Classify(int ret);
  void WaitThen(Next next, std::function<void()> retry, Handler fail);
  void DoHandshake(Handler done);
  void DoWrite(const char* data, size_t size, Handler done);

  asio::io_context& io_;
  asio::ip::tcp::socket socket_;
  SSL_CTX* tls_;
  SSL* ssl_ = nullptr;
  std::string tls_error_;
};

}  // namespace meshgw::bench

#endif  // MESHGW_BENCH_TOOL_STREAM_H_
