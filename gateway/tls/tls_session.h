// A non-blocking TLS connection over a connected non-blocking socket, for the gateway's event
// loops: the caller waits for readiness and calls again.
//
//   auto s = TlsSession::AcceptOn(*server_ctx, fd, hello_bytes);   // nullptr: out of memory
//   for (;;) {
//     TlsIo io = s->Handshake();
//     if (io == TlsIo::kOk) break;
//     if (io == TlsIo::kWantRead) { wait_readable(fd); continue; }
//     if (io == TlsIo::kWantWrite) { wait_writable(fd); continue; }
//     count(HandshakeFailureName(s->failure())); log(s->error_detail()); close(fd); return;
//   }
//   PeerIdentity who = s->peer();   // for RBAC and the access log
//   size_t n; TlsIo r = s->Read(buf, sizeof(buf), &n);  // kOk with n > 0, kWantRead, kClosed...
//
// I/O: a custom BIO reads first the `replay` bytes (the ClientHello the gateway already read
// while peeking for SNI), then the fd, and writes to the fd (send with MSG_NOSIGNAL). Unlike a
// memory BIO pair it holds no buffer of its own: the replay string is freed once consumed and
// record buffers are released while idle (SSL_MODE_RELEASE_BUFFERS), so an idle terminated
// connection costs the SSL object, the session and the peer certificate only. The fd stays the
// caller's: TlsSession never closes it.
//
// Results: kOk (done, or n bytes moved), kWantRead / kWantWrite (wait for that readiness, then
// call the same function again; a Write must be retried with the same bytes), kClosed (the peer
// closed: close_notify or EOF, which is normal for TCP relays), kError (see failure() and
// error_detail()). Write may write fewer bytes than asked (partial writes).
//
// Thread-safety: a session belongs to one connection; external synchronization is needed.
#ifndef MESHGW_GATEWAY_TLS_TLS_SESSION_H_
#define MESHGW_GATEWAY_TLS_TLS_SESSION_H_

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>

#include "gateway/tls/client_context.h"
#include "gateway/tls/peer_identity.h"
#include "gateway/tls/server_context.h"
#include "gateway/tls/tls_policy.h"

namespace meshgw::gateway::tls {

enum class TlsIo : uint8_t { kOk, kWantRead, kWantWrite, kClosed, kError };

// TlsIoName(TlsIo::kWantRead) == "want_read": for logs and test messages.
std::string_view TlsIoName(TlsIo io);

struct TlsSessionBio;

class TlsSession {
 public:
  // AcceptOn starts the server side of a handshake on `fd`; `replay` are bytes already read from
  // fd (may be empty), consumed before anything else.
  static std::unique_ptr<TlsSession> AcceptOn(ServerTlsContext& ctx, int fd,
                                              std::string_view replay);
  // ConnectOn starts the client side; `session_key` (the endpoint, e.g. "10.0.0.7:8443") picks
  // the session to resume and where to keep the next one ("" : no resumption).
  static std::unique_ptr<TlsSession> ConnectOn(ClientTlsContext& ctx, int fd,
                                               std::string_view session_key);

  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;
  ~TlsSession();

  TlsIo Handshake();
  TlsIo Read(char* buf, size_t len, size_t* n);
  TlsIo Write(const char* buf, size_t len, size_t* n);
  // Shutdown sends close_notify (best effort, does not wait for the peer's): kOk once sent,
  // kWantWrite to retry, kError when the connection is already broken.
  TlsIo Shutdown();

  bool handshake_done() const { return SSL_is_init_finished(ssl_) == 1; }
  // Why the handshake failed (kNone while it has not). A client also learns here that the server
  // rejected its certificate: in TLS 1.3 that alert arrives on the first Read after the
  // handshake. error_detail() says what happened in words, for the log.
  HandshakeFailure failure() const { return record_.failure; }
  const std::string& error_detail() const { return record_.detail; }
  // The peer certificate's identity (computed on each call; also for resumed sessions).
  PeerIdentity peer() const;
  bool resumed() const { return SSL_session_reused(ssl_) == 1; }
  std::string_view version() const;  // "TLSv1.3"
  std::string_view cipher() const;   // "TLS_AES_128_GCM_SHA256"; "" before the handshake
  std::string_view alpn() const;     // "" when none was negotiated
  int fd() const { return io_.fd; }
  SSL* ssl() const { return ssl_; }

 private:
  friend struct TlsSessionBio;

  // What the BIO reads from and writes to.
  struct FdIo {
    int fd = -1;
    std::string replay;
    size_t replay_pos = 0;
    bool eof = false;
  };

  TlsSession(std::shared_ptr<const void> keep_alive, SSL* ssl, int fd, std::string_view replay);
  TlsIo Fail(int ret, std::string_view during);

  std::shared_ptr<const void> keep_alive_;  // the context, for the SSL_CTX's callbacks' state
  SSL* ssl_;
  FdIo io_;
  HandshakeRecord record_;
  bool broken_ = false;  // an SSL call failed: the session must not be resumed
};

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_TLS_SESSION_H_
