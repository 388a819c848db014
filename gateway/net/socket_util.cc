#include "gateway/net/socket_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace meshgw::gateway::net {
namespace {

absl::Status Errno(absl::string_view what, const config::SocketAddress& address, int err) {
  return absl::UnavailableError(absl::StrCat(what, " ", address.ToString(), ": ", strerror(err)));
}

}  // namespace

absl::StatusOr<int> ListenReusePort(const config::SocketAddress& address, int backlog) {
  int fd = socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket", address, errno);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    int err = errno;
    close(fd);
    return Errno("setsockopt(SO_REUSEPORT)", address, err);
  }
  if (bind(fd, address.sockaddr_ptr(), address.length) != 0) {
    int err = errno;
    close(fd);
    return Errno("bind", address, err);
  }
  if (listen(fd, backlog) != 0) {
    int err = errno;
    close(fd);
    return Errno("listen", address, err);
  }
  return fd;
}

absl::StatusOr<int> ConnectNonBlocking(const config::SocketAddress& address) {
  int fd = socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket", address, errno);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, address.sockaddr_ptr(), address.length) != 0 && errno != EINPROGRESS) {
    int err = errno;
    close(fd);
    return Errno("connect", address, err);
  }
  return fd;
}

int SocketError(int fd) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

std::string PeerAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  char host[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    return absl::StrCat(host, ":", ntohs(in->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    return absl::StrCat("[", host, "]:", ntohs(in6->sin6_port));
  }
  return "";
}

void ClosePipe(Pipe& pipe) {
  if (pipe.read_fd >= 0) close(pipe.read_fd);
  if (pipe.write_fd >= 0) close(pipe.write_fd);
  pipe = Pipe{};
}

RelayPools::~RelayPools() {
  for (Pipe& p : pipes_) ClosePipe(p);
}

std::unique_ptr<char[]> RelayPools::TakeBuffer() {
  if (buffers_.empty()) return std::unique_ptr<char[]>(new char[buffer_size_]);
  auto b = std::move(buffers_.back());
  buffers_.pop_back();
  return b;
}

void RelayPools::ReturnBuffer(std::unique_ptr<char[]> buffer) {
  if (buffer && buffers_.size() < max_kept_) buffers_.push_back(std::move(buffer));
}

Pipe RelayPools::TakePipe() {
  if (!pipes_.empty()) {
    Pipe p = pipes_.back();
    pipes_.pop_back();
    return p;
  }
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return Pipe{};
  // The pipe's size bounds what one splice moves and what a connection holds in flight (see
  // kSpliceChunk in proxy/connection.cc); above pipe-max-size the kernel refuses (EPERM) and
  // its default stays.
  fcntl(fds[1], F_SETPIPE_SZ, static_cast<int>(pipe_size_));
  return Pipe{fds[0], fds[1], 0};
}

void RelayPools::ReturnPipe(Pipe pipe) {
  if (!pipe.valid()) return;
  if (pipe.bytes != 0 || pipes_.size() >= max_kept_) {
    ClosePipe(pipe);
    return;
  }
  pipes_.push_back(pipe);
}

}  // namespace meshgw::gateway::net
