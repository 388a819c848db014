// Socket helpers of the data path: listening sockets with SO_REUSEPORT (one per worker), outgoing
// non-blocking connects, and the per-worker pools of relay buffers and splice pipes.
//
// Thread-safety: the functions are stateless; a pool belongs to one worker thread.
#ifndef MESHGW_GATEWAY_NET_SOCKET_UTIL_H_
#define MESHGW_GATEWAY_NET_SOCKET_UTIL_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/config/snapshot.h"

namespace meshgw::gateway::net {

// ListenReusePort opens a non-blocking TCP socket bound to `address` with SO_REUSEADDR and
// SO_REUSEPORT and listening with `backlog`. Errors name the address: "bind 0.0.0.0:8443: Address
// already in use".
absl::StatusOr<int> ListenReusePort(const config::SocketAddress& address, int backlog = 4096);

// ConnectNonBlocking starts a TCP connect to `address` on a new non-blocking socket with
// TCP_NODELAY; the connect completes when the socket turns writable (check SO_ERROR then).
absl::StatusOr<int> ConnectNonBlocking(const config::SocketAddress& address);

// SocketError returns the pending SO_ERROR of `fd` (0 when none).
int SocketError(int fd);

// PeerAddress / LocalAddress of a connected socket as "ip:port" ("" on error).
std::string PeerAddress(int fd);

// A splice pipe: bytes move socket → pipe → socket without reaching user space.
struct Pipe {
  int read_fd = -1;
  int write_fd = -1;
  size_t bytes = 0;  // in the pipe now
  bool valid() const { return read_fd >= 0; }
};

// Pools keep released buffers and empty pipes for the next connection, so that an idle
// connection holds neither (its memory stays a few hundred bytes) and a busy one does not pay an
// allocation or two pipe() calls per burst.
class RelayPools {
 public:
  explicit RelayPools(size_t buffer_size, size_t pipe_size = 64 << 10, size_t max_kept = 64)
      : buffer_size_(buffer_size), pipe_size_(pipe_size), max_kept_(max_kept) {}
  ~RelayPools();
  RelayPools(const RelayPools&) = delete;
  RelayPools& operator=(const RelayPools&) = delete;

  size_t buffer_size() const { return buffer_size_; }
  std::unique_ptr<char[]> TakeBuffer();
  void ReturnBuffer(std::unique_ptr<char[]> buffer);

  // TakePipe returns an empty pipe, or an invalid one when pipe() fails (out of descriptors):
  // the caller then falls back to a buffer.
  Pipe TakePipe();
  // ReturnPipe keeps an empty pipe and closes a pipe still holding bytes.
  void ReturnPipe(Pipe pipe);

 private:
  size_t buffer_size_;
  size_t pipe_size_;
  size_t max_kept_;
  std::vector<std::unique_ptr<char[]>> buffers_;
  std::vector<Pipe> pipes_;
};

void ClosePipe(Pipe& pipe);

}  // namespace meshgw::gateway::net

#endif  // MESHGW_GATEWAY_NET_SOCKET_UTIL_H_
