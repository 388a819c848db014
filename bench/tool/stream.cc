// bench/tool/stream.cc — BenchStream: OpenSSL on a non-blocking socket, Asio for readiness.
#include "bench/tool/stream.h"

#include <openssl/err.h>

#include "bench/tool/tls.h"

namespace meshgw::bench {

BenchStream::BenchStream(asio::io_context& io, SSL_CTX* tls) : io_(io), socket_(io), tls_(tls) {}

BenchStream::~BenchStream() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

void BenchStream::AsyncConnect(const asio::ip::tcp::endpoint& to, Handler done) {
  socket_.async_connect(to, [self = shared_from_this(), done](const ErrorCode& ec) {
    if (!ec) self->PrepareAccepted();
    done(ec);
  });
}

void BenchStream::PrepareAccepted() {
  ErrorCode ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);
}

BenchStream::Next BenchStream::Classify(int ret) {
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      return Next::kWaitRead;
    case SSL_ERROR_WANT_WRITE:
      return Next::kWaitWrite;
    case SSL_ERROR_ZERO_RETURN:
      return Next::kEof;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        tls_error_ = "connection closed";
        return Next::kEof;
      }
      [[fallthrough]];
    default:
      tls_error_ = LastTlsError();
      if (tls_error_.empty()) tls_error_ = "TLS error";
      return Next::kFail;
  }
}

void BenchStream::WaitThen(Next next, std::function<void()> retry, Handler fail) {
  switch (next) {
    case Next::kWaitRead:
    case Next::kWaitWrite:
      socket_.async_wait(next == Next::kWaitRead ? asio::ip::tcp::socket::wait_read
                                                 : asio::ip::tcp::socket::wait_write,
                         [self = shared_from_this(), retry = std::move(retry),
                          fail = std::move(fail)](const ErrorCode& ec) {
                           if (ec) {
                             fail(ec);
                           } else {
                             retry();
                           }
                         });
      return;
    case Next::kEof:
      asio::post(io_, [fail = std::move(fail)] { fail(asio::error::eof); });
      return;
    case Next::kFail:
      asio::post(io_, [fail = std::move(fail)] { fail(asio::error::connection_aborted); });
      return;
  }
}

void BenchStream::AsyncHandshake(bool client, const std::string& sni, SSL_SESSION* resume,
                                 Handler done) {
  if (tls_ == nullptr) {
    asio::post(io_, [done = std::move(done)] { done({}); });
    return;
  }
  ssl_ = SSL_new(tls_);
  SSL_set_fd(ssl_, socket_.native_handle());
  if (client) {
    SSL_set_connect_state(ssl_);
    if (!sni.empty()) SSL_set_tlsext_host_name(ssl_, sni.c_str());
    if (resume != nullptr) SSL_set_session(ssl_, resume);
  } else {
    SSL_set_accept_state(ssl_);
  }
  DoHandshake(std::move(done));
}

void BenchStream::DoHandshake(Handler done) {
  ERR_clear_error();
  const int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    asio::post(io_, [done = std::move(done)] { done({}); });
    return;
  }
  const Next next = Classify(ret);
  WaitThen(
      next, [self = shared_from_this(), done] { self->DoHandshake(done); }, done);
}

void BenchStream::AsyncReadSome(char* data, size_t size, ReadHandler done) {
  if (ssl_ == nullptr) {
    socket_.async_read_some(asio::buffer(data, size), std::move(done));
    return;
  }
  ERR_clear_error();
  size_t got = 0;
  const int ret = SSL_read_ex(ssl_, data, size, &got);
  if (ret == 1) {
    asio::post(io_, [done = std::move(done), got] { done({}, got); });
    return;
  }
  WaitThen(
      Classify(ret),
      [self = shared_from_this(), data, size, done] { self->AsyncReadSome(data, size, done); },
      [done](const ErrorCode& ec) { done(ec, 0); });
}

void BenchStream::AsyncWrite(const char* data, size_t size, Handler done) {
  if (ssl_ == nullptr) {
    asio::async_write(socket_, asio::buffer(data, size),
                      [done = std::move(done)](const ErrorCode& ec, size_t) { done(ec); });
    return;
  }
  DoWrite(data, size, std::move(done));
}

void BenchStream::DoWrite(const char* data, size_t size, Handler done) {
  ERR_clear_error();
  size_t wrote = 0;
  const int ret = SSL_write_ex(ssl_, data, size, &wrote);
  if (ret == 1) {
    // Without SSL_MODE_ENABLE_PARTIAL_WRITE a successful write wrote everything.
    asio::post(io_, [done = std::move(done)] { done({}); });
    return;
  }
  WaitThen(
      Classify(ret),
      [self = shared_from_this(), data, size, done] { self->DoWrite(data, size, done); }, done);
}

void BenchStream::Close() {
  if (ssl_ != nullptr && tls_error_.empty()) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // one non-blocking attempt: sends close_notify, waits for nothing
    ERR_clear_error();
  }
  ErrorCode ignored;
  socket_.close(ignored);
}

}  // namespace meshgw::bench
