#include "gateway/proxy/connection.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "gateway/authz/rbac.h"
#include "gateway/proxy/gateway_metrics.h"
#include "gateway/proxy/worker.h"

namespace meshgw::gateway::proxy {
namespace {

// A splice moves at most this much per call: large enough to amortize the call, small enough
// that one busy connection does not starve the others on its worker. It is the pipe's size
// (RelayPools): 64 KiB, the kernel's default and HAProxy's. With 1 MiB pipes and 256 KiB splices
// sixteen bulk connections on one worker cost 0.78-0.85 CPU-s per GB against HAProxy's 0.59 (the
// bytes in flight, up to 32 MiB, no longer fit the caches); with 64 KiB, 0.49-0.57, on par
// (bench/compare, passthrough-throughput-16, A/B runs of 2026-12-07 18:40).
constexpr size_t kSpliceChunk = 64 * 1024;
// Reads per direction per Pump round before looking at the other direction.
constexpr int kMaxRoundsPerPump = 16;

bool WouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

}  // namespace

std::string_view CloseReasonName(CloseReason reason) {
  static constexpr std::array<std::string_view, kCloseReasonCount> kNames = {
      "none",
      "completed",
      "downstream_reset",
      "upstream_reset",
      "idle_timeout",
      "hello_timeout",
      "hello_error",
      "hello_eof",
      "unknown_sni",
      "handshake_failed",
      "handshake_timeout",
      "denied",
      "connection_limit",
      "no_cluster",
      "circuit_open",
      "no_healthy_upstream",
      "connect_failed",
      "upstream_handshake_failed",
      "drained",
  };
  return kNames[static_cast<size_t>(reason)];
}

Connection::Connection(Worker* worker, std::shared_ptr<const ActiveConfig> config,
                       const ListenerRuntime* listener, int fd)
    : worker_(worker),
      config_(std::move(config)),
      listener_(listener),
      phase_timer_([this] {
        switch (phase_) {
          case Phase::kHello:
            worker_->metrics().hello_timeouts->Inc();
            Close(CloseReason::kHelloTimeout);
            break;
          case Phase::kHandshake:
            worker_->metrics().HandshakeFailure("timeout")->Inc();
            Close(CloseReason::kHandshakeTimeout);
            break;
          case Phase::kConnecting:
            OnConnectFailed(/*timeout=*/true, "connect timeout");
            break;
          case Phase::kUpstreamHandshake:
            Close(CloseReason::kUpstreamHandshakeFailed);
            break;
          default:
            break;
        }
      }),
      idle_timer_([this] { OnIdleTimer(); }),
      resume_timer_([this] {
        if (phase_ == Phase::kRelay) Pump();
      }) {
  down_.fd = fd;
  d2u_.src = &down_;
  d2u_.dst = &up_;
  u2d_.src = &up_;
  u2d_.dst = &down_;
}

Connection::~Connection() {
  // Close() ran (the worker deletes only closed connections); nothing else to undo.
}

void Connection::Start() {
  start_ = worker_->loop().now();
  last_activity_ = start_;
  worker_->metrics().downstream_cx_total->Inc();
  worker_->metrics().downstream_cx_active->Add(1);
  if (listener_->connections) listener_->connections->Inc();
  if (absl::Status s = worker_->loop().Add(down_.fd, this, kDownstreamTag); !s.ok()) {
    Close(CloseReason::kDownstreamReset);
    return;
  }
  if (listener_->listener->inspect_tls) {
    phase_ = Phase::kHello;
    hello_ = std::make_unique<tls::ClientHelloParser>(
        tls::ClientHelloParser::Limits{.max_hello_size = worker_->settings().max_hello_size});
    worker_->loop().Arm(&phase_timer_, start_ + listener_->listener->hello_timeout);
    // The first bytes usually arrive with the accept: don't wait for an event to read them.
    down_.readable = true;
    OnHelloReadable();
    return;
  }
  // An egress listener: plain TCP from a local workload, no hello to read.
  Route("", {});
}

void Connection::OnIo(uint32_t events, uint32_t tag) {
  if (phase_ == Phase::kClosed) return;
  Side& side = tag == kDownstreamTag ? down_ : up_;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) side.readable = true;
  if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) side.hangup = true;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) side.writable = true;
  switch (phase_) {
    case Phase::kHello:
      if (tag == kDownstreamTag) OnHelloReadable();
      break;
    case Phase::kHandshake:
      if (tag == kDownstreamTag) ContinueHandshake();
      break;
    case Phase::kConnecting:
      if (tag == kUpstreamTag) OnUpstreamEvent();
      break;
    case Phase::kUpstreamHandshake:
      if (tag == kUpstreamTag) ContinueUpstreamHandshake();
      break;
    case Phase::kRelay:
      Pump();
      break;
    case Phase::kClosed:
      break;
  }
}

// ---- hello ----------------------------------------------------------------------------------

void Connection::OnHelloReadable() {
  uint8_t chunk[2048];
  while (phase_ == Phase::kHello && down_.readable) {
    size_t want = hello_->bytes_wanted();
    if (want > sizeof(chunk)) want = sizeof(chunk);
    // Read exactly what the parser needs so that nothing after the hello is taken.
    ssize_t n = recv(down_.fd, chunk, want, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (WouldBlock(errno)) {
        down_.readable = false;
        return;
      }
      Close(CloseReason::kDownstreamReset);
      return;
    }
    if (n == 0) {
      worker_->metrics().HelloError("eof")->Inc();
      Close(CloseReason::kHelloEof);
      return;
    }
    d2u_.bytes += static_cast<uint64_t>(n);
    CountBytes(d2u_, static_cast<size_t>(n));
    auto result = hello_->Feed(absl::Span<const uint8_t>(chunk, static_cast<size_t>(n)));
    if (result.state == tls::HelloParseState::kError) {
      worker_->metrics().HelloError(tls::HelloErrorName(hello_->error()))->Inc();
      MESHGW_LOG(LogLevel::kDebug, "client hello rejected", {"listener", listener_->listener->name},
                 {"reason", std::string(hello_->status().message())});
      Close(CloseReason::kHelloError);
      return;
    }
    if (result.state == tls::HelloParseState::kDone) {
      const tls::ClientHello& hello = hello_->hello();
      std::array<std::string_view, 8> alpn;
      size_t alpn_count = 0;
      for (std::string_view p : hello.alpn()) {
        if (alpn_count == alpn.size()) break;
        alpn[alpn_count++] = p;
      }
      sni_.assign(hello.server_name());
      Route(sni_, absl::Span<const std::string_view>(alpn.data(), alpn_count));
      return;
    }
  }
}

void Connection::Route(std::string_view sni, absl::Span<const std::string_view> alpn) {
  worker_->loop().Disarm(&phase_timer_);
  const config::Listener& listener = *listener_->listener;
  const config::FilterChain* chain = listener.ChainFor(
      sni, alpn,
      listener.inspect_tls ? route::TransportProtocol::kTls : route::TransportProtocol::kRawBuffer);
  if (chain == nullptr) {
    worker_->metrics().unknown_sni->Inc();
    if (listener_->unknown_sni) listener_->unknown_sni->Inc();
    MESHGW_LOG(LogLevel::kDebug, "no filter chain for the connection", {"listener", listener.name},
               {"sni", sni});
    Close(CloseReason::kUnknownSni);
    return;
  }
  chain_ = listener_->ChainFor(chain);
  if (chain_->connections) chain_->connections->Inc();
  if (const config::ConnectionLimitFilter* limit = chain->connection_limit(); limit != nullptr) {
    uint64_t now_active = chain_->active->fetch_add(1, std::memory_order_relaxed) + 1;
    counts_chain_limit_ = true;
    if (now_active > limit->max_connections) {
      worker_->metrics().connection_limited->Inc();
      Close(CloseReason::kConnectionLimit);
      return;
    }
  }
  if (chain->tls.has_value()) {
    StartTermination();
  } else {
    StartUpstream();
  }
}

// ---- termination ------------------------------------------------------------------------------

void Connection::StartTermination() {
  phase_ = Phase::kHandshake;
  absl::Span<const uint8_t> replay = hello_->consumed();
  down_.tls = tls::TlsSession::AcceptOn(
      *chain_->server_tls, down_.fd,
      std::string_view(reinterpret_cast<const char*>(replay.data()), replay.size()));
  hello_.reset();  // the session copied the bytes it must replay
  worker_->loop().Arm(&phase_timer_, worker_->loop().now() + listener_->listener->hello_timeout);
  ContinueHandshake();
}

void Connection::ContinueHandshake() {
  tls::TlsIo io = down_.tls->Handshake();
  switch (io) {
    case tls::TlsIo::kOk:
      break;
    case tls::TlsIo::kWantRead:
    case tls::TlsIo::kWantWrite:
      return;  // the next event on the socket continues it
    case tls::TlsIo::kClosed:
    case tls::TlsIo::kError: {
      std::string_view reason = tls::HandshakeFailureName(down_.tls->failure());
      worker_->metrics().HandshakeFailure(reason)->Inc();
      MESHGW_LOG(LogLevel::kInfo, "downstream TLS handshake failed",
                 {"listener", listener_->listener->name}, {"route", chain_->chain->name},
                 {"sni", sni_}, {"reason", reason}, {"detail", down_.tls->error_detail()});
      Close(CloseReason::kHandshakeFailed);
      return;
    }
  }
  worker_->loop().Disarm(&phase_timer_);
  worker_->metrics().handshakes->Inc();
  if (down_.tls->resumed()) worker_->metrics().handshakes_resumed->Inc();
  Authorize();
}

void Connection::Authorize() {
  tls::PeerIdentity peer = down_.tls->peer();
  if (!peer.uri_sans.empty()) peer_identity_ = peer.uri_sans.front();
  if (peer.spiffe.has_value()) peer_identity_ = peer.spiffe->ToString();
  if (const config::RbacFilter* rbac = config_->snapshot->RbacFor(*chain_->chain);
      rbac != nullptr) {
    absl::InlinedVector<std::string_view, 2> uris(peer.uri_sans.begin(), peer.uri_sans.end());
    absl::InlinedVector<std::string_view, 2> dns(peer.dns_sans.begin(), peer.dns_sans.end());
    authz::RbacRequest request{
        .uri_sans = uris,
        .subject = peer.subject,
        .requested_server_name = sni_,
        .authenticated = peer.presented,
        .dns_sans = dns,
    };
    authz::RbacDecision decision = authz::EvaluateRbac(*rbac, request);
    if (!decision.allowed) {
      if (chain_->authz_denied) chain_->authz_denied->Inc();
      authz_ = absl::StrCat("deny: ", decision.reason);
      MESHGW_LOG(LogLevel::kWarn, "connection denied by intentions",
                 {"source", peer_identity_.empty() ? std::string_view("(none)") : peer_identity_},
                 {"destination", sni_}, {"route", chain_->chain->name},
                 {"reason", decision.reason});
      Close(CloseReason::kDenied);
      return;
    }
    if (chain_->authz_allowed) chain_->authz_allowed->Inc();
    authz_ = "allow";
  }
  StartUpstream();
}

// ---- upstream -----------------------------------------------------------------------------------

void Connection::StartUpstream() {
  const config::FilterChain& chain = *chain_->chain;
  std::string_view cluster_name =
      chain.sni_cluster() ? std::string_view(sni_) : std::string_view(chain.tcp_proxy().cluster);
  cluster_ = config_->FindCluster(cluster_name);
  if (cluster_ == nullptr) {
    worker_->metrics().no_cluster->Inc();
    MESHGW_LOG(LogLevel::kDebug, "no such cluster", {"route", chain.name},
               {"cluster", cluster_name});
    Close(CloseReason::kNoCluster);
    return;
  }
  phase_ = Phase::kConnecting;
  ConnectNext();
}

void Connection::ConnectNext() {
  const config::TcpProxyFilter& proxy = chain_->chain->tcp_proxy();
  upstream::ClusterState& state = *cluster_->state;
  absl::Time now = worker_->loop().now();
  upstream::PickResult pick = worker_->picker().Pick(state, now, tried_);
  if (!pick.ok()) {
    if (pick.error == upstream::PickError::kCircuitOpen) {
      if (cluster_->overflows) cluster_->overflows->Inc();
      Close(CloseReason::kCircuitOpen);
    } else if (tried_.empty()) {
      if (cluster_->no_healthy) cluster_->no_healthy->Inc();
      Close(CloseReason::kNoHealthyUpstream);
    } else {
      Close(CloseReason::kConnectFailed);
    }
    return;
  }
  endpoint_ = pick.endpoint;
  has_endpoint_ = true;
  tried_.push_back(pick.endpoint);
  const config::SocketAddress& address = state.endpoint(pick.endpoint).address;
  absl::StatusOr<int> fd = net::ConnectNonBlocking(address);
  if (!fd.ok()) {
    OnConnectFailed(/*timeout=*/false, std::string(fd.status().message()));
    return;
  }
  up_ = Side{};
  up_.fd = *fd;
  if (absl::Status s = worker_->loop().Add(up_.fd, this, kUpstreamTag); !s.ok()) {
    OnConnectFailed(false, std::string(s.message()));
    return;
  }
  (void)proxy;
  worker_->loop().Arm(&phase_timer_, now + cluster_->state->config().connect_timeout);
}

void Connection::OnUpstreamEvent() {
  if (!up_.writable && !up_.readable) return;
  int err = net::SocketError(up_.fd);
  if (err != 0) {
    OnConnectFailed(/*timeout=*/false, strerror(err));
    return;
  }
  if (!up_.writable) return;  // readable without an error before writable: wait
  worker_->loop().Disarm(&phase_timer_);
  cluster_->state->OnConnectSuccess(endpoint_, worker_->loop().now());
  // The endpoint's transport socket: a failover cluster reaches local instances in plain TCP
  // and a peer's gateways over mTLS.
  tls::ClientTlsContext* client_tls = cluster_->ClientTlsFor(cluster_->state->endpoint(endpoint_));
  if (client_tls != nullptr) {
    phase_ = Phase::kUpstreamHandshake;
    up_.tls = tls::TlsSession::ConnectOn(*client_tls, up_.fd,
                                         cluster_->state->endpoint(endpoint_).address.ToString());
    worker_->loop().Arm(&phase_timer_,
                        worker_->loop().now() + cluster_->state->config().connect_timeout);
    ContinueUpstreamHandshake();
    return;
  }
  StartRelay();
}

void Connection::OnConnectFailed(bool timeout, std::string_view detail) {
  worker_->loop().Disarm(&phase_timer_);
  if (up_.fd >= 0) {
    worker_->loop().Remove(up_.fd);
    close(up_.fd);
    up_.fd = -1;
  }
  cluster_->state->OnConnectFailure(endpoint_, worker_->loop().now(), timeout);
  has_endpoint_ = false;
  if (timeout) {
    if (cluster_->connect_timeouts) cluster_->connect_timeouts->Inc();
  } else if (cluster_->connect_failures) {
    cluster_->connect_failures->Inc();
  }
  MESHGW_LOG(LogLevel::kDebug, "upstream connect failed", {"cluster", cluster_->state->name()},
             {"endpoint", cluster_->state->endpoint(endpoint_).address.ToString()},
             {"detail", detail});
  uint32_t max_attempts = std::max<uint32_t>(1, chain_->chain->tcp_proxy().max_connect_attempts);
  if (tried_.size() >= max_attempts) {
    Close(CloseReason::kConnectFailed);
    return;
  }
  ConnectNext();
}

void Connection::ContinueUpstreamHandshake() {
  tls::TlsIo io = up_.tls->Handshake();
  switch (io) {
    case tls::TlsIo::kOk:
      break;
    case tls::TlsIo::kWantRead:
    case tls::TlsIo::kWantWrite:
      return;
    case tls::TlsIo::kClosed:
    case tls::TlsIo::kError: {
      std::string_view reason = tls::HandshakeFailureName(up_.tls->failure());
      worker_->metrics().UpstreamHandshakeFailure(reason)->Inc();
      MESHGW_LOG(LogLevel::kWarn, "upstream TLS handshake failed",
                 {"cluster", cluster_->state->name()}, {"reason", reason},
                 {"detail", up_.tls->error_detail()});
      Close(CloseReason::kUpstreamHandshakeFailed);
      return;
    }
  }
  worker_->loop().Disarm(&phase_timer_);
  StartRelay();
}

// ---- relay
// ----------------------------------------------------------------------------------------

void Connection::StartRelay() {
  phase_ = Phase::kRelay;
  if (hello_ != nullptr) {
    // Passthrough: the hello's bytes go upstream first, exactly as received.
    absl::Span<const uint8_t> replay = hello_->consumed();
    if (!replay.empty()) {
      d2u_.buffer = worker_->pools().TakeBuffer();
      size_t n = std::min(replay.size(), worker_->pools().buffer_size());
      memcpy(d2u_.buffer.get(), replay.data(), n);
      d2u_.tail = n;
      // A hello larger than a relay buffer is impossible: buffers are at least max_hello_size.
    }
    hello_.reset();
  }
  absl::Duration idle = chain_->chain->tcp_proxy().idle_timeout;
  if (idle > absl::ZeroDuration()) {
    worker_->loop().Arm(&idle_timer_, worker_->loop().now() + idle);
  }
  // Data may have arrived on either side while we were connecting.
  down_.readable = true;
  up_.readable = true;
  Pump();
}

void Connection::Pump() {
  for (int round = 0; round < kMaxRoundsPerPump; ++round) {
    bool down_error = false, up_error = false;
    bool progress = Transfer(d2u_, down_error);
    if (phase_ == Phase::kClosed) return;
    progress |= Transfer(u2d_, up_error);
    if (phase_ == Phase::kClosed) return;
    if (down_error) {
      Close(CloseReason::kDownstreamReset);
      return;
    }
    if (up_error) {
      Close(CloseReason::kUpstreamReset);
      return;
    }
    if (d2u_.done && u2d_.done) {
      Close(CloseReason::kCompleted);
      return;
    }
    if (!progress) return;
  }
  // Still busy after a fair share: come back after the other connections had their turn (a
  // timer due now runs after this round of events; Close disarms it).
  worker_->loop().Arm(&resume_timer_, worker_->loop().now());
}

bool Connection::Transfer(Flow& flow, bool& error_on_src) {
  if (flow.done) return false;
  Side& src = *flow.src;
  Side& dst = *flow.dst;
  // A raw flow (no TLS on either side) starts on the buffer, where a message costs a recv and a
  // send (splice would take three calls: in, out, and in again to find the socket empty), and
  // moves to splice for good when a read fills the buffer: bulk data, which then crosses
  // without a copy through user space.
  bool raw = src.tls == nullptr && dst.tls == nullptr;
  if (raw && flow.bulk && flow.tail == flow.head && flow.buffer == nullptr) {
    return TransferSplice(flow, error_on_src);
  }
  bool progress = false;
  size_t cap = worker_->pools().buffer_size();
  for (;;) {
    bool moved = false;
    // Read while there is room.
    if (!src.read_eof && src.readable && (flow.buffer == nullptr || flow.tail < cap)) {
      if (flow.buffer == nullptr) {
        flow.buffer = worker_->pools().TakeBuffer();
        flow.head = flow.tail = 0;
      }
      size_t n = 0;
      if (src.tls != nullptr) {
        tls::TlsIo io = src.tls->Read(flow.buffer.get() + flow.tail, cap - flow.tail, &n);
        if (io == tls::TlsIo::kWantRead || io == tls::TlsIo::kWantWrite) {
          src.readable = false;
        } else if (io == tls::TlsIo::kClosed) {
          src.read_eof = true;
          moved = true;
        } else if (io == tls::TlsIo::kError) {
          error_on_src = true;
          return progress;
        }
      } else {
        const size_t want = cap - flow.tail;
        ssize_t r = recv(src.fd, flow.buffer.get() + flow.tail, want, 0);
        if (r > 0) {
          n = static_cast<size_t>(r);
          if (n == want) {
            flow.bulk = true;
          } else if (!src.hangup) {
            // TCP hands over everything queued up to `want`: a short read emptied the socket,
            // and data arriving later is a new edge for the event loop. Trying again would only
            // return EAGAIN (nginx stops here too).
            src.readable = false;
          }
        } else if (r == 0) {
          src.read_eof = true;
          moved = true;
        } else if (WouldBlock(errno)) {
          src.readable = false;
        } else if (errno != EINTR) {
          error_on_src = true;
          return progress;
        }
      }
      if (n > 0) {
        flow.tail += n;
        flow.bytes += n;
        CountBytes(flow, n);
        moved = true;
      }
    }
    // Write what is buffered.
    if (flow.tail > flow.head && dst.writable) {
      size_t n = 0;
      if (dst.tls != nullptr) {
        tls::TlsIo io = dst.tls->Write(flow.buffer.get() + flow.head, flow.tail - flow.head, &n);
        if (io == tls::TlsIo::kWantRead || io == tls::TlsIo::kWantWrite) {
          dst.writable = false;
        } else if (io == tls::TlsIo::kError || io == tls::TlsIo::kClosed) {
          // The destination is gone: this is an error of the other direction's source.
          Close(flow.dst == &up_ ? CloseReason::kUpstreamReset : CloseReason::kDownstreamReset);
          return true;
        }
      } else {
        ssize_t w =
            send(dst.fd, flow.buffer.get() + flow.head, flow.tail - flow.head, MSG_NOSIGNAL);
        if (w >= 0) {
          n = static_cast<size_t>(w);
        } else if (WouldBlock(errno)) {
          dst.writable = false;
        } else if (errno != EINTR) {
          Close(flow.dst == &up_ ? CloseReason::kUpstreamReset : CloseReason::kDownstreamReset);
          return true;
        }
      }
      if (n > 0) {
        flow.head += n;
        moved = true;
      }
    }
    if (flow.head == flow.tail && flow.buffer != nullptr) {
      // Empty: give the buffer back so that an idle connection holds none.
      worker_->pools().ReturnBuffer(std::move(flow.buffer));
      flow.head = flow.tail = 0;
    }
    if (moved) {
      progress = true;
      last_activity_ = worker_->loop().now();
    }
    if (!moved) break;
    if (raw && flow.bulk && flow.buffer == nullptr) {
      progress |= TransferSplice(flow, error_on_src);
      return progress;
    }
  }
  if (src.read_eof && flow.buffer == nullptr && !flow.done) {
    ShutdownWrite(dst);
    flow.done = true;
    progress = true;
  }
  return progress;
}

bool Connection::TransferSplice(Flow& flow, bool& error_on_src) {
  Side& src = *flow.src;
  Side& dst = *flow.dst;
  bool progress = false;
  for (;;) {
    bool moved = false;
    if (!src.read_eof && src.readable) {
      if (!flow.pipe.valid()) {
        flow.pipe = worker_->pools().TakePipe();
        if (!flow.pipe.valid()) {
          // Out of descriptors for a pipe: relay this burst through a buffer instead.
          flow.buffer = worker_->pools().TakeBuffer();
          flow.head = flow.tail = 0;
          return Transfer(flow, error_on_src) || progress;
        }
      }
      ssize_t r = splice(src.fd, nullptr, flow.pipe.write_fd, nullptr, kSpliceChunk,
                         SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (r > 0) {
        flow.pipe.bytes += static_cast<size_t>(r);
        flow.bytes += static_cast<uint64_t>(r);
        CountBytes(flow, static_cast<size_t>(r));
        moved = true;
      } else if (r == 0) {
        src.read_eof = true;
        moved = true;
      } else if (errno == EAGAIN) {
        // Either the socket is drained or the pipe is full; the pipe is full only when it holds
        // bytes that the destination did not take, so look at the socket only when it is empty.
        if (flow.pipe.bytes == 0) src.readable = false;
      } else if (errno != EINTR) {
        error_on_src = true;
        return progress;
      }
    }
    if (flow.pipe.valid() && flow.pipe.bytes > 0 && dst.writable) {
      ssize_t w = splice(flow.pipe.read_fd, nullptr, dst.fd, nullptr, flow.pipe.bytes,
                         SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (w > 0) {
        flow.pipe.bytes -= static_cast<size_t>(w);
        moved = true;
      } else if (w < 0 && errno == EAGAIN) {
        dst.writable = false;
      } else if (w < 0 && errno != EINTR) {
        Close(flow.dst == &up_ ? CloseReason::kUpstreamReset : CloseReason::kDownstreamReset);
        return true;
      }
    }
    if (flow.pipe.valid() && flow.pipe.bytes == 0) {
      worker_->pools().ReturnPipe(flow.pipe);
      flow.pipe = net::Pipe{};
    }
    if (moved) {
      progress = true;
      last_activity_ = worker_->loop().now();
    } else {
      break;
    }
  }
  if (src.read_eof && !flow.pipe.valid() && !flow.done) {
    ShutdownWrite(dst);
    flow.done = true;
    progress = true;
  }
  return progress;
}

void Connection::CountBytes(const Flow& flow, size_t n) {
  GatewayMetrics& m = worker_->metrics();
  (&flow == &d2u_ ? m.bytes_from_downstream : m.bytes_to_downstream)->Add(n);
}

void Connection::ShutdownWrite(Side& side) {
  if (side.write_shut || side.fd < 0) return;
  side.write_shut = true;
  if (side.tls != nullptr) side.tls->Shutdown();  // close_notify, best effort
  ::shutdown(side.fd, SHUT_WR);
}

void Connection::OnIdleTimer() {
  if (phase_ != Phase::kRelay) return;
  absl::Duration idle = chain_->chain->tcp_proxy().idle_timeout;
  absl::Time due = last_activity_ + idle;
  if (worker_->loop().now() >= due) {
    worker_->metrics().idle_timeouts->Inc();
    Close(CloseReason::kIdleTimeout);
    return;
  }
  worker_->loop().Arm(&idle_timer_, due);
}

// ---- close ------------------------------------------------------------------------------------

void Connection::ReleaseFlow(Flow& flow) {
  if (flow.buffer != nullptr) worker_->pools().ReturnBuffer(std::move(flow.buffer));
  if (flow.pipe.valid()) {
    worker_->pools().ReturnPipe(flow.pipe);  // closes it when it still holds bytes
    flow.pipe = net::Pipe{};
  }
}

void Connection::Close(CloseReason reason) {
  if (phase_ == Phase::kClosed) return;
  bool was_relaying = phase_ == Phase::kRelay;
  phase_ = Phase::kClosed;
  close_reason_ = reason;
  worker_->loop().Disarm(&phase_timer_);
  worker_->loop().Disarm(&idle_timer_);
  worker_->loop().Disarm(&resume_timer_);
  if (reason == CloseReason::kCompleted && down_.tls != nullptr && !down_.write_shut) {
    down_.tls->Shutdown();
  }
  if (worker_->access_log() != nullptr && worker_->access_log()->Enabled()) {
    peer_address_ = net::PeerAddress(down_.fd);
  }
  for (Side* side : {&down_, &up_}) {
    if (side->fd >= 0) {
      worker_->loop().Remove(side->fd);
      side->tls.reset();
      close(side->fd);
      side->fd = -1;
    }
  }
  ReleaseFlow(d2u_);
  ReleaseFlow(u2d_);
  hello_.reset();
  if (has_endpoint_) {
    cluster_->state->OnConnectionClosed(endpoint_);
    has_endpoint_ = false;
  }
  if (counts_chain_limit_) chain_->active->fetch_sub(1, std::memory_order_relaxed);
  GatewayMetrics& m = worker_->metrics();
  m.downstream_cx_active->Add(-1);
  m.CloseReasonCounter(reason)->Inc();
  (void)was_relaying;
  WriteAccessLog();
  worker_->OnConnectionClosed(this);
}

void Connection::WriteAccessLog() {
  AccessLog* log = worker_->access_log();
  if (log == nullptr || !log->Enabled()) return;
  AccessLogRecord record;
  record.start = start_;
  record.downstream = peer_address_;
  record.sni = sni_;
  record.listener = listener_->listener->name;
  record.route = chain_ != nullptr ? std::string_view(chain_->chain->name) : std::string_view();
  record.mode = chain_ == nullptr                   ? ProxyMode::kUnknown
                : chain_->chain->tls.has_value()    ? ProxyMode::kTerminate
                : !listener_->listener->inspect_tls ? ProxyMode::kEgress
                                                    : ProxyMode::kPassthrough;
  record.peer_identity = peer_identity_;
  record.cluster =
      cluster_ != nullptr ? std::string_view(cluster_->state->name()) : std::string_view();
  std::string upstream;
  if (cluster_ != nullptr && !tried_.empty()) {
    upstream = cluster_->state->endpoint(tried_.back()).address.ToString();
  }
  record.upstream = upstream;
  record.bytes_in = d2u_.bytes;
  record.bytes_out = u2d_.bytes;
  record.duration = worker_->loop().now() - start_;
  record.close_reason = CloseReasonName(close_reason_);
  record.authz = authz_;
  log->Write(record);
}

}  // namespace meshgw::gateway::proxy
