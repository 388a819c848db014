// Connection: one downstream connection through the gateway, from accept to close.
//
//   accept ─► [hello: read the ClientHello, route on SNI/ALPN] ─► chain
//     chain with TLS:   [handshake: terminate, verify the client chain] ─► [authorize: RBAC]
//     ─► [connect: pick an endpoint, connect, retry another on failure] ─► [originate TLS if the
//     cluster says so] ─► [relay both ways until both sides are done] ─► close (+ access log)
//
// A listener without the tls_inspector (an egress listener for local workloads) skips the hello
// and takes its catch-all chain. Passthrough replays the hello's bytes upstream and then relays
// each direction through a pooled buffer (recv, send) until a read fills it, then with splice(2)
// through a pooled pipe; a TLS side relays through a pooled buffer.
// Back-pressure: a direction stops reading while its pipe or buffer cannot be written out.
// Half-close: EOF from one side shuts the other side's write half once everything read has been
// written (and sends close_notify on a TLS side). Every phase has its timeout: hello (the
// listener's), handshake (the same), connect (the cluster's), idle (the tcp_proxy's).
//
// The connection keeps the ActiveConfig it started with for its whole life, so a config update
// never disturbs it.
//
// Thread-safety: a connection lives on one worker's loop thread and is only touched there.
#ifndef MESHGW_GATEWAY_PROXY_CONNECTION_H_
#define MESHGW_GATEWAY_PROXY_CONNECTION_H_

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/time/time.h"
#include "gateway/net/event_loop.h"
#include "gateway/net/socket_util.h"
#include "gateway/proxy/active_config.h"
#include "gateway/tls/client_hello.h"
#include "gateway/tls/tls_session.h"
#include "gateway/upstream/cluster_state.h"

namespace meshgw::gateway::proxy {

class Worker;

// Why a connection ended, counted and written in the access log. Keep CloseReasonName stable.
enum class CloseReason : uint8_t {
  kNone,
  kCompleted,        // both directions reached EOF and were flushed
  kDownstreamReset,  // a read/write error on the downstream socket
  kUpstreamReset,    // a read/write error on the upstream socket
  kIdleTimeout,
  kHelloTimeout,
  kHelloError,       // malformed, oversized or plain-text hello
  kHelloEof,         // the client left before its hello was complete
  kUnknownSni,       // no chain matched
  kHandshakeFailed,  // downstream TLS handshake failed (reason counted separately)
  kHandshakeTimeout,
  kDenied,             // RBAC denied
  kConnectionLimit,    // the chain's connection_limit or the process limit
  kNoCluster,          // the chain names a cluster the config does not have
  kCircuitOpen,        // the cluster's max_connections
  kNoHealthyUpstream,  // nothing to connect to
  kConnectFailed,      // every attempt failed or timed out
  kUpstreamHandshakeFailed,
  kDrained,  // still open at the end of the drain window
};
inline constexpr size_t kCloseReasonCount = static_cast<size_t>(CloseReason::kDrained) + 1;
std::string_view CloseReasonName(CloseReason reason);

class Connection final : public net::IoHandler, public net::Deferred {
 public:
  // Takes ownership of `fd` (accepted, non-blocking).
  Connection(Worker* worker, std::shared_ptr<const ActiveConfig> config,
             const ListenerRuntime* listener, int fd);
  ~Connection() override;

  void Start();
  void OnIo(uint32_t events, uint32_t tag) override;
  // Close ends the connection now (idempotent); the object is deleted after the current batch.
  void Close(CloseReason reason);
  bool closed() const { return phase_ == Phase::kClosed; }

  // Intrusive list of the worker's connections (drain, counts).
  Connection* prev = nullptr;
  Connection* next = nullptr;

 private:
  enum class Phase : uint8_t {
    kHello,
    kHandshake,
    kConnecting,
    kUpstreamHandshake,
    kRelay,
    kClosed
  };
  enum : uint32_t { kDownstreamTag = 0, kUpstreamTag = 1 };

  struct Side {
    int fd = -1;
    std::unique_ptr<tls::TlsSession> tls;
    bool readable = false;
    bool writable = false;
    bool read_eof = false;    // nothing more will be read from it
    bool write_shut = false;  // we shut its write half
    // The peer shut its write half (or the socket failed): read to the end, never stop at a
    // short read, whose edge has been consumed.
    bool hangup = false;
  };
  // One direction of the relay: src → dst.
  struct Flow {
    Side* src = nullptr;
    Side* dst = nullptr;
    std::unique_ptr<char[]> buffer;
    size_t head = 0, tail = 0;  // buffer[head, tail) waits to be written
    net::Pipe pipe;
    uint64_t bytes = 0;
    bool done = false;  // src at EOF, all written, dst's write half shut
    bool bulk = false;  // a read filled the buffer: a raw flow goes by splice from then on
  };

  void OnHelloReadable();
  void Route(std::string_view sni, absl::Span<const std::string_view> alpn);
  void StartTermination();
  void ContinueHandshake();
  void Authorize();
  void StartUpstream();
  void ConnectNext();
  void OnUpstreamEvent();
  void OnConnectFailed(bool timeout, std::string_view detail);
  void ContinueUpstreamHandshake();
  void StartRelay();
  void Pump();
  // Moves what it can in one direction; returns true when something changed.
  bool Transfer(Flow& flow, bool& error_on_src);
  bool TransferSplice(Flow& flow, bool& error_on_src);
  void ShutdownWrite(Side& side);
  void CountBytes(const Flow& flow, size_t n);
  void OnIdleTimer();
  void ReleaseFlow(Flow& flow);
  void WriteAccessLog();

  Worker* worker_;
  std::shared_ptr<const ActiveConfig> config_;
  const ListenerRuntime* listener_;
  const ChainRuntime* chain_ = nullptr;
  const ClusterRuntime* cluster_ = nullptr;
  Phase phase_ = Phase::kHello;
  CloseReason close_reason_ = CloseReason::kNone;

  Side down_;
  Side up_;
  Flow d2u_;
  Flow u2d_;

  std::unique_ptr<tls::ClientHelloParser> hello_;
  std::string sni_;
  std::string peer_identity_;
  std::string authz_;  // "allow" / "deny: reason" for the access log

  // Upstream attempts: the endpoints tried so far, and the one holding a reservation.
  absl::InlinedVector<upstream::EndpointIndex, 2> tried_;
  upstream::EndpointIndex endpoint_ = 0;
  bool has_endpoint_ = false;
  bool counts_chain_limit_ = false;
  std::string peer_address_;  // filled at close, for the access log

  absl::Time start_;
  absl::Time last_activity_;
  net::Timer phase_timer_;  // hello, handshake, connect timeouts
  net::Timer idle_timer_;
  net::Timer resume_timer_;  // a busy relay yields to the other connections, then resumes
};

}  // namespace meshgw::gateway::proxy

#endif  // MESHGW_GATEWAY_PROXY_CONNECTION_H_
