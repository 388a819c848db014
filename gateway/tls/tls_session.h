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
// Record offload: after a TLS 1.3 handshake on the server side (the terminating gateway), the
// session protects and opens records itself (Tls13Records, with the traffic secrets OpenSSL's
// key-log callback reported) and frees the SSL object, its session reference and the client's
// decoded certificate: an idle terminated connection then holds a few hundred bytes of TLS state
// instead of about 25 KB. The identity, version, cipher, ALPN and resumption of the handshake are
// kept for the accessors; KeyUpdate is answered, close_notify and alerts handled as OpenSSL
// would. Sessions where it does not apply (TLS 1.2, a client, a suite other than AES-GCM or
// ChaCha20-Poly1305, data already buffered in the SSL) keep the SSL object.
// ServerTlsContext::Options::offload_records turns it off.
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
#include "gateway/tls/tls13_records.h"
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

  bool handshake_done() const { return ssl_ == nullptr || SSL_is_init_finished(ssl_) == 1; }
  // The records are the session's own and the SSL object is gone (see above).
  bool offloaded() const { return offload_ != nullptr; }
  // Why the handshake failed (kNone while it has not). A client also learns here that the server
  // rejected its certificate: in TLS 1.3 that alert arrives on the first Read after the
  // handshake. error_detail() says what happened in words, for the log.
  HandshakeFailure failure() const { return record_.failure; }
  const std::string& error_detail() const { return record_.detail; }
  // The peer certificate's identity (computed on each call; also for resumed sessions).
  PeerIdentity peer() const;
  bool resumed() const;
  std::string_view version() const;  // "TLSv1.3"
  std::string_view cipher() const;   // "TLS_AES_128_GCM_SHA256"; "" before the handshake
  std::string_view alpn() const;     // "" when none was negotiated
  int fd() const { return io_.fd; }
  SSL* ssl() const { return ssl_; }  // null once offloaded

  // Installs the callbacks that record offload needs on a server context (ServerTlsContext).
  static void EnableRecordOffload(SSL_CTX* ctx);

 private:
  friend struct TlsSessionBio;

  // What the BIO (and, once offloaded, the session itself) reads from and writes to.
  struct FdIo {
    int fd = -1;
    std::string replay;
    size_t replay_pos = 0;
    bool eof = false;
    // Set while OpenSSL reads a handshake: a short read (a record header) then takes whatever
    // the socket holds, up to kReadAheadBytes, and keeps the rest as replay bytes. A client's
    // flight comes as several records, each of which OpenSSL reads as a header and then a body:
    // without this, a full mutual handshake took 17 recv calls.
    bool read_ahead = false;
    static constexpr size_t kReadAheadBytes = 8 * 1024;

    // The replay bytes first, then recv: > 0 bytes read, 0 at EOF, -1 with errno set.
    ssize_t Read(char* out, size_t len);
    // send with MSG_NOSIGNAL, retried on EINTR: bytes written, or -1 with errno set.
    ssize_t Write(const char* in, size_t len);
  };
  // What the handshake's callbacks capture for the offload (server sessions of an offloading
  // context only).
  struct Capture {
    std::string client_secret;     // CLIENT_TRAFFIC_SECRET_0
    std::string server_secret;     // SERVER_TRAFFIC_SECRET_0
    uint64_t tickets_written = 0;  // NewSessionTicket records: the server's write sequence
    ~Capture();
  };
  struct Offload;

  TlsSession(std::shared_ptr<const void> keep_alive, SSL* ssl, int fd, std::string_view replay);
  TlsIo Fail(int ret, std::string_view during);
  static void OnKeyLog(const SSL* ssl, const char* line);
  static void OnMessage(int write_p, int version, int content_type, const void* buf, size_t len,
                        SSL* ssl, void* arg);
  void TryOffload();
  TlsIo OffloadedRead(char* buf, size_t len, size_t* n);
  TlsIo OffloadedWrite(const char* buf, size_t len, size_t* n);
  TlsIo OffloadedShutdown();
  TlsIo ReadRecord();
  TlsIo OnPostHandshake(std::string_view messages);
  TlsIo FlushOut();
  TlsIo OffloadFail(HandshakeFailure failure, std::string_view detail);

  std::shared_ptr<const void> keep_alive_;  // the context, for the SSL_CTX's callbacks' state
  SSL* ssl_;
  FdIo io_;
  HandshakeRecord record_;
  bool broken_ = false;  // an SSL call failed: the session must not be resumed
  std::unique_ptr<Capture> capture_;
  std::unique_ptr<Offload> offload_;
};

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_TLS_SESSION_H_
