#include "gateway/proxy/worker.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "common/metrics.h"
#include "gateway/proxy/connection.h"
#include "gateway/proxy/gateway_metrics.h"

namespace meshgw::gateway::proxy {
namespace {

// Accepts per readiness event: then the loop serves the other sockets before accepting more
// (the listening socket is level-triggered, so nothing is lost).
constexpr int kAcceptBatch = 64;

}  // namespace

Worker::Worker(uint32_t index, WorkerSettings settings, GatewayMetrics* metrics,
               AccessLog* access_log)
    : index_(index),
      settings_(settings),
      metrics_(metrics),
      access_log_(access_log),
      pools_(std::max(settings.buffer_size, settings.max_hello_size + 5 * 64)),
      picker_(index) {}

Worker::~Worker() {
  if (thread_.joinable()) Stop();
}

absl::Status Worker::Start() {
  if (!loop_.status().ok()) return loop_.status();
  thread_ = std::thread([this] {
    metrics::SetThreadShard(index_);
    loop_.Run();
  });
  return absl::OkStatus();
}

void Worker::Install(std::shared_ptr<const ActiveConfig> config) {
  loop_.Post([this, config = std::move(config)]() mutable { Apply(std::move(config)); });
}

void Worker::Apply(std::shared_ptr<const ActiveConfig> config) {
  config_ = std::move(config);
  // Listeners gone, or whose socket changed: stop accepting there. Their connections go on.
  for (auto it = acceptors_.begin(); it != acceptors_.end();) {
    auto found = config_->listeners.find(it->first);
    if (found == config_->listeners.end() || found->second->sockets != it->second->sockets) {
      CloseAcceptor(*it->second);
      acceptors_.erase(it++);
    } else {
      it->second->runtime = found->second.get();
      ++it;
    }
  }
  if (draining_) return;
  for (const auto& [name, runtime] : config_->listeners) {
    if (acceptors_.contains(name)) continue;
    if (runtime->sockets == nullptr || index_ >= runtime->sockets->fds.size()) continue;
    auto acceptor = std::make_unique<Acceptor>();
    acceptor->worker = this;
    acceptor->name = name;
    acceptor->sockets = runtime->sockets;
    acceptor->fd = runtime->sockets->fds[index_];
    acceptor->runtime = runtime.get();
    if (absl::Status s = loop_.AddListener(acceptor->fd, acceptor.get(), 0); !s.ok()) {
      MESHGW_LOG(LogLevel::kError, "cannot watch the listening socket", {"listener", name},
                 {"error", std::string(s.message())});
      continue;
    }
    acceptors_[name] = std::move(acceptor);
  }
}

void Worker::CloseAcceptor(Acceptor& acceptor) {
  if (acceptor.fd < 0) return;
  loop_.Remove(acceptor.fd);
  close(acceptor.fd);
  acceptor.fd = -1;
}

void Worker::Acceptor::OnIo(uint32_t events, uint32_t tag) { worker->Accept(*this); }

void Worker::Accept(Acceptor& acceptor) {
  for (int i = 0; i < kAcceptBatch && acceptor.fd >= 0; ++i) {
    int fd = accept4(acceptor.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        MESHGW_LOG(LogLevel::kWarn, "accept failed", {"listener", acceptor.name},
                   {"error", strerror(errno)});
      }
      return;
    }
    // Without TCP_NODELAY a small write (a relayed response, a handshake flight) waits behind
    // Nagle for the ACK of the previous one, which the client delays until it sends again: a
    // request/response round trip then takes as long as the client's pause between requests.
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (settings_.process_connections != nullptr &&
        settings_.process_connections->fetch_add(1, std::memory_order_relaxed) >=
            settings_.max_connections) {
      settings_.process_connections->fetch_sub(1, std::memory_order_relaxed);
      metrics_->downstream_cx_overflow->Inc();
      close(fd);
      continue;
    }
    auto* connection = new Connection(this, config_, acceptor.runtime, fd);
    connection->next = connections_;
    if (connections_ != nullptr) connections_->prev = connection;
    connections_ = connection;
    active_.fetch_add(1, std::memory_order_relaxed);
    connection->Start();
  }
}

void Worker::OnConnectionClosed(Connection* connection) {
  if (connection->prev != nullptr) connection->prev->next = connection->next;
  if (connection->next != nullptr) connection->next->prev = connection->prev;
  if (connections_ == connection) connections_ = connection->next;
  connection->prev = connection->next = nullptr;
  active_.fetch_sub(1, std::memory_order_relaxed);
  if (settings_.process_connections != nullptr) {
    settings_.process_connections->fetch_sub(1, std::memory_order_relaxed);
  }
  loop_.DeferDelete(std::unique_ptr<net::Deferred>(connection));
}

void Worker::Drain() {
  loop_.Post([this] {
    draining_ = true;
    for (auto& [name, acceptor] : acceptors_) CloseAcceptor(*acceptor);
    acceptors_.clear();
  });
}

void Worker::Stop() {
  if (!thread_.joinable()) return;
  loop_.Post([this] {
    draining_ = true;
    for (auto& [name, acceptor] : acceptors_) CloseAcceptor(*acceptor);
    acceptors_.clear();
    while (connections_ != nullptr) connections_->Close(CloseReason::kDrained);
    loop_.Stop();
  });
  thread_.join();
}

}  // namespace meshgw::gateway::proxy
