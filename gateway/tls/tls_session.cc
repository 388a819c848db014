#include "gateway/tls/tls_session.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gateway/tls/certificate_reuse.h"
#include "gateway/tls/session_store.h"

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

// The ex_data slot of an SSL that points to its TlsSession, for the key-log and message
// callbacks of an offloading context.
int SessionIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Records sealed per write call when the caller hands over more than one record's worth: one
// send instead of four.
constexpr size_t kRecordsPerWrite = 4;
// A fresh write key well before AES-GCM's limit of 2^24.5 records per key (RFC 8446 §5.5).
constexpr uint64_t kWriteKeyUpdateAfter = uint64_t{1} << 24;

constexpr uint8_t kKeyUpdate = 24;   // HandshakeType key_update
constexpr uint8_t kCloseNotify = 0;  // AlertDescription
constexpr uint8_t kUserCanceled = 90;

}  // namespace

// The state of an offloaded session: its records, the record being read, what is still to be
// sent, and what the handshake established. The buffers are released whenever they are empty,
// so an idle connection holds none.
struct TlsSession::Offload {
  std::unique_ptr<Tls13Records> records;
  std::string in;  // the record being read: [0, in_fill) received so far
  size_t in_fill = 0;
  size_t plain_offset = 0;  // its plaintext not yet handed to Read: in[plain_offset, +plain_size)
  size_t plain_size = 0;
  std::string out;  // sealed records not yet sent: out[out_sent, end)
  size_t out_sent = 0;
  size_t out_plain = 0;          // caller bytes that `out` carries (reported when it is all sent)
  bool key_update_owed = false;  // the peer asked for our KeyUpdate before our next data
  bool close_sent = false;
  bool peer_closed = false;
  PeerIdentity peer;
  bool resumed = false;
  std::string_view cipher;  // OpenSSL's static suite name
  std::string alpn;

  void ReleaseIn() {
    std::string().swap(in);
    in_fill = plain_offset = plain_size = 0;
  }
};

TlsSession::Capture::~Capture() {
  OPENSSL_cleanse(client_secret.data(), client_secret.size());
  OPENSSL_cleanse(server_secret.data(), server_secret.size());
}

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
  if (ssl_ == nullptr) return;  // offloaded: the SSL object is already gone
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
  std::unique_ptr<TlsSession> session(new TlsSession(ctx.shared_from_this(), ssl, fd, replay));
  if (ctx.offload_records()) {
    session->capture_ = std::make_unique<Capture>();
    SSL_set_ex_data(ssl, SessionIndex(), session.get());
  }
  return session;
}

void TlsSession::EnableRecordOffload(SSL_CTX* ctx) {
  SSL_CTX_set_keylog_callback(ctx, OnKeyLog);
  SSL_CTX_set_msg_callback(ctx, OnMessage);
}

// NSS key-log lines: "CLIENT_TRAFFIC_SECRET_0 <client random> <secret>", in hex.
void TlsSession::OnKeyLog(const SSL* ssl, const char* line) {
  auto* self = static_cast<TlsSession*>(SSL_get_ex_data(ssl, SessionIndex()));
  if (self == nullptr || self->capture_ == nullptr) return;
  absl::string_view text(line);
  std::string* into = nullptr;
  if (absl::StartsWith(text, "CLIENT_TRAFFIC_SECRET_0 ")) {
    into = &self->capture_->client_secret;
  } else if (absl::StartsWith(text, "SERVER_TRAFFIC_SECRET_0 ")) {
    into = &self->capture_->server_secret;
  } else {
    return;
  }
  const size_t last_space = text.rfind(' ');
  *into = absl::HexStringToBytes(text.substr(last_space + 1));
}

// Counts the NewSessionTicket messages the server writes after its Finished: each is a record
// protected with the server's application traffic key.
void TlsSession::OnMessage(int write_p, int, int content_type, const void* buf, size_t len,
                           SSL* ssl, void*) {
  if (write_p != 1 || content_type != SSL3_RT_HANDSHAKE || len == 0) return;
  if (static_cast<const unsigned char*>(buf)[0] != SSL3_MT_NEWSESSION_TICKET) return;
  auto* self = static_cast<TlsSession*>(SSL_get_ex_data(ssl, SessionIndex()));
  if (self != nullptr && self->capture_ != nullptr) self->capture_->tickets_written++;
}

void TlsSession::TryOffload() {
  std::unique_ptr<Capture> captured = std::move(capture_);
  SSL_set_ex_data(ssl_, SessionIndex(), nullptr);
  // Bytes the SSL object already read past the handshake would be lost with it.
  if (SSL_version(ssl_) != TLS1_3_VERSION || SSL_has_pending(ssl_) == 1) return;
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_);
  if (cipher == nullptr) return;
  absl::StatusOr<std::unique_ptr<Tls13Records>> records = Tls13Records::Create(
      SSL_CIPHER_get_protocol_id(cipher), captured->client_secret, captured->server_secret,
      /*read_seq=*/0, /*write_seq=*/captured->tickets_written);
  if (!records.ok()) return;  // e.g. a CCM suite: OpenSSL keeps protecting the records
  auto offload = std::make_unique<Offload>();
  offload->records = *std::move(records);
  offload->peer = peer();
  offload->resumed = resumed();
  offload->cipher = SSL_CIPHER_get_name(cipher);
  offload->alpn = std::string(alpn());
  // As when a session ends cleanly: it stays resumable in the context's cache.
  SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_free(ssl_);
  ssl_ = nullptr;
  offload_ = std::move(offload);
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
  io_.read_ahead = true;
  int ret;
  {
    CertificateReuseScope reuse;  // the peer's certificates, decoded once per worker
    ret = SSL_do_handshake(ssl_);
  }
  io_.read_ahead = false;
  if (ret == 1) {
    if (capture_ != nullptr) TryOffload();
    return TlsIo::kOk;
  }
  return Fail(ret, "handshake");
}

TlsIo TlsSession::Read(char* buf, size_t len, size_t* n) {
  if (offload_ != nullptr) return OffloadedRead(buf, len, n);
  *n = 0;
  ERR_clear_error();
  errno = 0;
  const bool handshaking = !handshake_done();
  io_.read_ahead = handshaking;  // a handshake driven by reads reads ahead too
  int ret;
  {
    CertificateReuseScope reuse(/*active=*/handshaking);
    ret = SSL_read_ex(ssl_, buf, len, n);
  }
  io_.read_ahead = false;
  if (ret == 1) return TlsIo::kOk;
  return Fail(ret, handshake_done() ? "read" : "handshake");
}

TlsIo TlsSession::Write(const char* buf, size_t len, size_t* n) {
  if (offload_ != nullptr) return OffloadedWrite(buf, len, n);
  *n = 0;
  ERR_clear_error();
  errno = 0;
  const int ret = SSL_write_ex(ssl_, buf, len, n);
  if (ret == 1) return TlsIo::kOk;
  return Fail(ret, handshake_done() ? "write" : "handshake");
}

TlsIo TlsSession::Shutdown() {
  if (offload_ != nullptr) return OffloadedShutdown();
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

PeerIdentity TlsSession::peer() const {
  if (offload_ != nullptr) return offload_->peer;
  const X509* certificate = SSL_get0_peer_certificate(ssl_);
  if (certificate == nullptr) {
    // A resumed session of a server's store holds the identity, not the certificate.
    if (const PeerIdentity* stored = ServerSessionStore::IdentityOf(SSL_get_session(ssl_))) {
      return *stored;
    }
  }
  return PeerIdentityOf(certificate);
}

bool TlsSession::resumed() const {
  return offload_ != nullptr ? offload_->resumed : SSL_session_reused(ssl_) == 1;
}

std::string_view TlsSession::version() const {
  return offload_ != nullptr ? "TLSv1.3" : SSL_get_version(ssl_);
}

std::string_view TlsSession::cipher() const {
  if (offload_ != nullptr) return offload_->cipher;
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl_);
  return c != nullptr ? SSL_CIPHER_get_name(c) : "";
}

std::string_view TlsSession::alpn() const {
  if (offload_ != nullptr) return offload_->alpn;
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl_, &data, &len);
  return data != nullptr ? std::string_view(reinterpret_cast<const char*>(data), len)
                         : std::string_view();
}

// ---- BIO --------------------------------------------------------------------------------------

ssize_t TlsSession::FdIo::Read(char* out, size_t len) {
  if (replay_pos < replay.size()) {
    const size_t n = std::min(len, replay.size() - replay_pos);
    std::memcpy(out, replay.data() + replay_pos, n);
    replay_pos += n;
    if (replay_pos == replay.size()) {
      std::string().swap(replay);  // free it: idle connections must stay small
      replay_pos = 0;
    }
    return static_cast<ssize_t>(n);
  }
  // A short read during a handshake reads ahead into `ahead`; the rest of it is kept as replay.
  char ahead[kReadAheadBytes];
  const bool reading_ahead = read_ahead && len < kReadAheadBytes;
  ssize_t r;
  do {
    r = ::recv(fd, reading_ahead ? ahead : out, reading_ahead ? sizeof ahead : len, 0);
  } while (r < 0 && errno == EINTR);
  if (r == 0) eof = true;
  if (r <= 0 || !reading_ahead) return r;
  const size_t n = std::min(len, static_cast<size_t>(r));
  std::memcpy(out, ahead, n);
  if (static_cast<size_t>(r) > n) {
    replay.assign(ahead + n, static_cast<size_t>(r) - n);  // served first by the next reads
    replay_pos = 0;
  }
  return static_cast<ssize_t>(n);
}

ssize_t TlsSession::FdIo::Write(const char* in, size_t len) {
  for (;;) {
    const ssize_t r = ::send(fd, in, len, MSG_NOSIGNAL);
    if (r >= 0 || errno != EINTR) return r;
  }
}

int TlsSessionBio::Read(BIO* bio, char* out, int len) {
  auto* io = static_cast<TlsSession::FdIo*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (len <= 0) return 0;
  const ssize_t r = io->Read(out, static_cast<size_t>(len));
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(bio);
  return r < 0 ? -1 : static_cast<int>(r);
}

int TlsSessionBio::Write(BIO* bio, const char* in, int len) {
  auto* io = static_cast<TlsSession::FdIo*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (len <= 0) return 0;
  const ssize_t r = io->Write(in, static_cast<size_t>(len));
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_write(bio);
  return r < 0 ? -1 : static_cast<int>(r);
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

// ---- offloaded records --------------------------------------------------------------------

TlsIo TlsSession::OffloadFail(HandshakeFailure failure, std::string_view detail) {
  if (record_.failure == HandshakeFailure::kNone) record_.failure = failure;
  record_.detail = std::string(detail);
  broken_ = true;
  return TlsIo::kError;
}

// Reads one whole record into in[0, in_fill): its header, then exactly its body, as OpenSSL
// does without read-ahead, so that nothing past the record is taken from the socket.
TlsIo TlsSession::ReadRecord() {
  Offload& o = *offload_;
  for (;;) {
    size_t want = Tls13Records::kHeaderSize;
    if (o.in_fill >= Tls13Records::kHeaderSize) {
      const size_t body = (static_cast<size_t>(static_cast<unsigned char>(o.in[3])) << 8) |
                          static_cast<unsigned char>(o.in[4]);
      if (body > Tls13Records::kMaxCiphertext) {
        return OffloadFail(HandshakeFailure::kProtocol, "read: record_overflow");
      }
      want += body;
      if (o.in_fill == want) return TlsIo::kOk;
    }
    if (o.in.size() < want) o.in.resize(want);
    const ssize_t r = io_.Read(o.in.data() + o.in_fill, want - o.in_fill);
    if (r > 0) {
      o.in_fill += static_cast<size_t>(r);
      continue;
    }
    if (r == 0) return TlsIo::kClosed;  // EOF without close_notify: normal for a TCP relay
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (o.in_fill == 0) o.ReleaseIn();  // idle: hold no buffer
      return TlsIo::kWantRead;
    }
    return OffloadFail(HandshakeFailure::kPeerClosed, absl::StrCat("read: ", std::strerror(errno)));
  }
}

// Post-handshake messages from a client: only KeyUpdate (§4.6.3), which must end its record.
TlsIo TlsSession::OnPostHandshake(std::string_view messages) {
  Offload& o = *offload_;
  while (!messages.empty()) {
    if (messages.size() < 4) {
      return OffloadFail(HandshakeFailure::kProtocol, "read: fragmented post-handshake message");
    }
    const auto* h = reinterpret_cast<const unsigned char*>(messages.data());
    const size_t length = (size_t{h[1]} << 16) | (size_t{h[2]} << 8) | h[3];
    if (h[0] != kKeyUpdate) {
      return OffloadFail(HandshakeFailure::kProtocol,
                         absl::StrCat("read: unexpected post-handshake message ", h[0]));
    }
    if (length != 1 || messages.size() != 5 || h[4] > 1) {
      return OffloadFail(HandshakeFailure::kProtocol, "read: malformed KeyUpdate");
    }
    if (absl::Status s = o.records->UpdateReadKey(); !s.ok()) {
      return OffloadFail(HandshakeFailure::kOther, absl::StrCat("read: ", s.message()));
    }
    if (h[4] == 1) o.key_update_owed = true;  // update_requested
    messages.remove_prefix(5);
  }
  return TlsIo::kOk;
}

TlsIo TlsSession::OffloadedRead(char* buf, size_t len, size_t* n) {
  Offload& o = *offload_;
  *n = 0;
  for (;;) {
    if (o.plain_size > 0) {
      const size_t k = std::min(len, o.plain_size);
      std::memcpy(buf, o.in.data() + o.plain_offset, k);
      o.plain_offset += k;
      o.plain_size -= k;
      if (o.plain_size == 0) o.ReleaseIn();
      *n = k;
      return TlsIo::kOk;
    }
    if (o.peer_closed) return TlsIo::kClosed;
    if (TlsIo io = ReadRecord(); io != TlsIo::kOk) return io;
    Tls13Records::Opened record;
    if (absl::Status s = o.records->Open(o.in.data(), o.in_fill, &record); !s.ok()) {
      return OffloadFail(HandshakeFailure::kProtocol, absl::StrCat("read: ", s.message()));
    }
    const std::string_view plain(o.in.data() + record.offset, record.size);
    switch (record.type) {
      case Tls13Records::kApplicationData:
        o.plain_offset = record.offset;
        o.plain_size = record.size;
        if (record.size == 0) o.ReleaseIn();
        continue;
      case Tls13Records::kAlert: {
        if (plain.size() != 2) {
          return OffloadFail(HandshakeFailure::kProtocol, "read: malformed alert");
        }
        const uint8_t description = static_cast<uint8_t>(plain[1]);
        o.ReleaseIn();
        if (description == kCloseNotify) {
          o.peer_closed = true;
          return TlsIo::kClosed;
        }
        if (description == kUserCanceled) continue;  // a close_notify follows
        return OffloadFail(HandshakeFailure::kProtocol,
                           absl::StrCat("read: the peer sent alert ", description));
      }
      case Tls13Records::kHandshake: {
        TlsIo io = OnPostHandshake(plain);
        o.ReleaseIn();
        if (io != TlsIo::kOk) return io;
        continue;
      }
      default:
        return OffloadFail(HandshakeFailure::kProtocol,
                           absl::StrCat("read: unexpected record content type ", record.type));
    }
  }
}

// Sends what `out` holds; kOk once all of it is out (and the buffer released).
TlsIo TlsSession::FlushOut() {
  Offload& o = *offload_;
  while (o.out_sent < o.out.size()) {
    const ssize_t w = io_.Write(o.out.data() + o.out_sent, o.out.size() - o.out_sent);
    if (w >= 0) {
      o.out_sent += static_cast<size_t>(w);
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return TlsIo::kWantWrite;
    return OffloadFail(HandshakeFailure::kPeerClosed,
                       absl::StrCat("write: ", std::strerror(errno)));
  }
  std::string().swap(o.out);
  o.out_sent = 0;
  return TlsIo::kOk;
}

TlsIo TlsSession::OffloadedWrite(const char* buf, size_t len, size_t* n) {
  Offload& o = *offload_;
  *n = 0;
  if (!o.out.empty()) {
    // The records of an earlier call that returned kWantWrite: the caller is retrying with the
    // same bytes, of which they carry the first out_plain.
    if (TlsIo io = FlushOut(); io != TlsIo::kOk) return io;
    *n = std::min(o.out_plain, len);
    o.out_plain = 0;
    if (*n > 0) return TlsIo::kOk;
  }
  if (o.close_sent) return OffloadFail(HandshakeFailure::kOther, "write: after close_notify");
  if (len == 0) return TlsIo::kOk;
  if (o.key_update_owed || o.records->write_seq() >= kWriteKeyUpdateAfter) {
    // KeyUpdate(update_not_requested) under the current key, then the next key (§4.6.3).
    static constexpr char kMessage[] = {kKeyUpdate, 0, 0, 1, 0};
    absl::Status s =
        o.records->Seal(Tls13Records::kHandshake, std::string_view(kMessage, 5), &o.out);
    if (s.ok()) s = o.records->UpdateWriteKey();
    if (!s.ok()) return OffloadFail(HandshakeFailure::kOther, absl::StrCat("write: ", s.message()));
    o.key_update_owed = false;
  }
  const size_t take = std::min(len, Tls13Records::kMaxPlaintext * kRecordsPerWrite);
  o.out.reserve(o.out.size() + take +
                (take / Tls13Records::kMaxPlaintext + 1) *
                    (Tls13Records::kHeaderSize + 1 + Tls13Records::kTagSize));
  for (size_t done = 0; done < take;) {
    const size_t chunk = std::min(take - done, Tls13Records::kMaxPlaintext);
    if (absl::Status s = o.records->Seal(Tls13Records::kApplicationData,
                                         std::string_view(buf + done, chunk), &o.out);
        !s.ok()) {
      return OffloadFail(HandshakeFailure::kOther, absl::StrCat("write: ", s.message()));
    }
    done += chunk;
  }
  o.out_plain = take;
  if (TlsIo io = FlushOut(); io != TlsIo::kOk)
    return io;  // kWantWrite: retried with the same bytes
  o.out_plain = 0;
  *n = take;
  return TlsIo::kOk;
}

TlsIo TlsSession::OffloadedShutdown() {
  Offload& o = *offload_;
  if (!o.close_sent) {
    static constexpr char kAlert[] = {1 /* warning */, kCloseNotify};
    if (absl::Status s = o.records->Seal(Tls13Records::kAlert, std::string_view(kAlert, 2), &o.out);
        !s.ok()) {
      return OffloadFail(HandshakeFailure::kOther, absl::StrCat("shutdown: ", s.message()));
    }
    o.close_sent = true;
    o.out_plain = 0;  // what a pending write carried goes out first, but is no longer reported
  }
  return FlushOut();
}

}  // namespace meshgw::gateway::tls
