// Worker: one thread with its own event loop, its own SO_REUSEPORT listening socket per listener,
// and the connections it accepted. Workers share nothing on the data path but atomics (counters,
// endpoint state): a connection is handled from accept to close on the worker that accepted it.
//
//   Worker w(0, settings, &metrics, access_log);
//   w.Start();                       // spawns the thread
//   w.Install(active_config);        // from the main thread: posted, applied between events
//   w.Drain();                       // stop accepting; connections go on until they end
//   w.Stop();                        // close what is left and join
//
// Thread-safety: Install, Drain, Stop, active_connections and the accessors of settings are safe
// from any thread; everything else runs on the worker's thread.
#ifndef MESHGW_GATEWAY_PROXY_WORKER_H_
#define MESHGW_GATEWAY_PROXY_WORKER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/log.h"
#include "gateway/net/event_loop.h"
#include "gateway/net/socket_util.h"
#include "gateway/proxy/active_config.h"
#include "gateway/upstream/endpoint_picker.h"

namespace meshgw::gateway::proxy {

class Connection;
class GatewayMetrics;

struct WorkerSettings {
  size_t max_hello_size = 16 * 1024;
  size_t buffer_size = 64 * 1024;  // per direction, while data is in flight
  // The process-wide limit of downstream connections and its counter, shared by the workers.
  uint64_t max_connections = 10000;
  std::atomic<uint64_t>* process_connections = nullptr;
};

class Worker {
 public:
  Worker(uint32_t index, WorkerSettings settings, GatewayMetrics* metrics, AccessLog* access_log);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  absl::Status Start();
  // Install makes `config` the worker's config for new connections: listeners that are new get
  // this worker's socket registered, listeners that are gone (or moved) stop accepting.
  void Install(std::shared_ptr<const ActiveConfig> config);
  // Drain closes the listening sockets; connections continue.
  void Drain();
  // Stop closes every connection (reason kDrained), stops the loop and joins the thread.
  void Stop();
  uint64_t active_connections() const { return active_.load(std::memory_order_relaxed); }

  // For connections (worker thread only).
  net::EventLoop& loop() { return loop_; }
  net::RelayPools& pools() { return pools_; }
  upstream::EndpointPicker& picker() { return picker_; }
  GatewayMetrics& metrics() { return *metrics_; }
  AccessLog* access_log() { return access_log_; }
  const WorkerSettings& settings() const { return settings_; }
  uint32_t index() const { return index_; }
  void OnConnectionClosed(Connection* connection);

 private:
  // A listening socket of this worker, registered on its loop.
  struct Acceptor final : net::IoHandler {
    Worker* worker;
    std::string name;
    std::shared_ptr<ListenerSockets> sockets;  // identity: a new object means a new socket
    int fd = -1;
    const ListenerRuntime* runtime = nullptr;  // in the worker's current config
    void OnIo(uint32_t events, uint32_t tag) override;
  };

  void Apply(std::shared_ptr<const ActiveConfig> config);
  void CloseAcceptor(Acceptor& acceptor);
  void Accept(Acceptor& acceptor);

  const uint32_t index_;
  WorkerSettings settings_;
  GatewayMetrics* metrics_;
  AccessLog* access_log_;
  net::EventLoop loop_;
  net::RelayPools pools_;
  upstream::EndpointPicker picker_;
  std::shared_ptr<const ActiveConfig> config_;
  absl::flat_hash_map<std::string, std::unique_ptr<Acceptor>> acceptors_;
  bool draining_ = false;
  Connection* connections_ = nullptr;  // intrusive list head
  std::atomic<uint64_t> active_{0};
  std::thread thread_;
};

}  // namespace meshgw::gateway::proxy

#endif  // MESHGW_GATEWAY_PROXY_WORKER_H_
