#include "gateway/tls/tls_session.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace meshgw::gateway::tls {

// The BIO's functions: a friend of TlsSession, they reach its FdIo through the BIO's data.
// OpenSSL calls them from inside SSL_* calls, on the session's thread.
struct TlsSessionBio {
  static int Read(BIO* bio, char* out, int len);
  static int Write(BIO* bio, const char* in, int len);
  static long Ctrl(BIO* bio, int cmd, long num, void* ptr);
};

namespace {

const BIO_METHOD* FdReplayBioMethod() {
  // Created once, never freed (it is process-wide, like OpenSSL's own methods).
  static const BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "meshgw fd+replay");
    BIO_meth_set_read(m, TlsSessionBio::Read);
    BIO_meth_set_write(m, TlsSessionBio::Write);
    BIO_meth_set_ctrl(m, TlsSessionBio::Ctrl);
    return m;
  }();
  return method;
}

}  // namespace

std::string_view TlsIoName(TlsIo io) {
  switch (io) {
    case TlsIo::kOk:
      return "ok";
    case TlsIo::kWantRead:
      return "want_read";
    case TlsIo::kWantWrite:
      return "want_write";
    case TlsIo::kClosed:
      return "closed";
    case TlsIo::kError:
      return "error";
  }
  return "error";
}

TlsSession::TlsSession(std::shared_ptr<const void> keep_alive, SSL* ssl, int fd,
                       std::string_view replay)
    : keep_alive_(std::move(keep_alive)), ssl_(ssl) {
  io_.fd = fd;
  io_.replay = std::string(replay);
  BIO* bio = BIO_new(FdReplayBioMethod());
  BIO_set_data(bio, &io_);
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_, bio, bio);  // one reference, owned by the SSL
  SSL_set_app_data(ssl_, &record_);
}

TlsSession::~TlsSession() {
  // OpenSSL marks the session of a connection freed without a shutdown as not resumable (in
  // case it ended in an error). A TCP relay often ends with a plain EOF: keep the session of a
  // connection that never failed.
  if (!broken_ && handshake_done()) {
    SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  }
  SSL_free(ssl_);
}

std::unique_ptr<TlsSession> TlsSession::AcceptOn(ServerTlsContext& ctx, int fd,
                                                 std::string_view replay) {
  SSL* ssl = SSL_new(ctx.ssl_ctx());
  if (ssl == nullptr) return nullptr;
  SSL_set_accept_state(ssl);
  return std::unique_ptr<TlsSession>(new TlsSession(ctx.shared_from_this(), ssl, fd, replay));
}

std::unique_ptr<TlsSession> TlsSession::ConnectOn(ClientTlsContext& ctx, int fd,
                                                  std::string_view session_key) {
  SSL* ssl = SSL_new(ctx.ssl_ctx());
  if (ssl == nullptr) return nullptr;
  SSL_set_connect_state(ssl);
  if (!ctx.sni().empty()) SSL_set_tlsext_host_name(ssl, ctx.sni().c_str());
  std::unique_ptr<TlsSession> session(new TlsSession(ctx.shared_from_this(), ssl, fd, ""));
  if (!session_key.empty()) {
    session->record_.session_key = std::string(session_key);
    if (SSL_SESSION* resume = ctx.FindSession(session_key)) {
      SSL_set_session(ssl, resume);  // takes its own reference
      SSL_SESSION_free(resume);
    }
  }
  return session;
}

TlsIo TlsSession::Fail(int ret, std::string_view during) {
  const int saved_errno = errno;
  const int err = SSL_get_error(ssl_, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return TlsIo::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return TlsIo::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      if (during != "handshake") {
        ERR_clear_error();
        return TlsIo::kClosed;
      }
      break;
    case SSL_ERROR_SYSCALL:
      if (during != "handshake" && saved_errno == 0 && ERR_peek_error() == 0) {
        return TlsIo::kClosed;  // EOF without close_notify: normal for a TCP relay
      }
      break;
    default:
      break;
  }
  ClassifyError(err, saved_errno, during, record_);
  broken_ = true;
  return TlsIo::kError;
}

TlsIo TlsSession::Handshake() {
  if (handshake_done()) return TlsIo::kOk;
  ERR_clear_error();
  errno = 0;
  const int ret = SSL_do_handshake(ssl_);
  if (ret == 1) return TlsIo::kOk;
  return Fail(ret, "handshake");
}

TlsIo TlsSession::Read(char* buf, size_t len, size_t* n) {
  *n = 0;
  ERR_clear_error();
  errno = 0;
  const int ret = SSL_read_ex(ssl_, buf, len, n);
  if (ret == 1) return TlsIo::kOk;
  return Fail(ret, handshake_done() ? "read" : "handshake");
}

TlsIo TlsSession::Write(const char* buf, size_t len, size_t* n) {
  *n = 0;
  ERR_clear_error();
  errno = 0;
  const int ret = SSL_write_ex(ssl_, buf, len, n);
  if (ret == 1) return TlsIo::kOk;
  return Fail(ret, handshake_done() ? "write" : "handshake");
}

TlsIo TlsSession::Shutdown() {
  ERR_clear_error();
  errno = 0;
  const int ret = SSL_shutdown(ssl_);
  if (ret >= 0) return TlsIo::kOk;  // 0: our close_notify is out; we do not wait for theirs
  const int err = SSL_get_error(ssl_, ret);
  if (err == SSL_ERROR_WANT_WRITE) return TlsIo::kWantWrite;
  if (err == SSL_ERROR_WANT_READ) return TlsIo::kWantRead;
  ClassifyError(err, errno, "shutdown", record_);
  broken_ = true;
  return TlsIo::kError;
}

PeerIdentity TlsSession::peer() const { return PeerIdentityOf(SSL_get0_peer_certificate(ssl_)); }

std::string_view TlsSession::version() const { return SSL_get_version(ssl_); }

std::string_view TlsSession::cipher() const {
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl_);
  return c != nullptr ? SSL_CIPHER_get_name(c) : "";
}

std::string_view TlsSession::alpn() const {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl_, &data, &len);
  return data != nullptr ? std::string_view(reinterpret_cast<const char*>(data), len)
                         : std::string_view();
}

// ---- BIO --------------------------------------------------------------------------------------

int TlsSessionBio::Read(BIO* bio, char* out, int len) {
  auto* io = static_cast<TlsSession::FdIo*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (len <= 0) return 0;
  if (io->replay_pos < io->replay.size()) {
    const size_t n = std::min(static_cast<size_t>(len), io->replay.size() - io->replay_pos);
    std::memcpy(out, io->replay.data() + io->replay_pos, n);
    io->replay_pos += n;
    if (io->replay_pos == io->replay.size()) {
      std::string().swap(io->replay);  // free it: idle connections must stay small
      io->replay_pos = 0;
    }
    return static_cast<int>(n);
  }
  for (;;) {
    const ssize_t r = ::recv(io->fd, out, static_cast<size_t>(len), 0);
    if (r > 0) return static_cast<int>(r);
    if (r == 0) {
      io->eof = true;
      return 0;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(bio);
    return -1;
  }
}

int TlsSessionBio::Write(BIO* bio, const char* in, int len) {
  auto* io = static_cast<TlsSession::FdIo*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (len <= 0) return 0;
  for (;;) {
    const ssize_t r = ::send(io->fd, in, static_cast<size_t>(len), MSG_NOSIGNAL);
    if (r >= 0) return static_cast<int>(r);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
    return -1;
  }
}

long TlsSessionBio::Ctrl(BIO* bio, int cmd, long, void*) {
  auto* io = static_cast<TlsSession::FdIo*>(BIO_get_data(bio));
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;  // nothing is buffered here
    case BIO_CTRL_EOF:
      return io != nullptr && io->eof ? 1 : 0;
    case BIO_CTRL_PENDING:
      return io != nullptr ? static_cast<long>(io->replay.size() - io->replay_pos) : 0;
    default:
      return 0;
  }
}

}  // namespace meshgw::gateway::tls
