// Test-only loopback helpers for the gateway's in-process tests: free ports, blocking clients,
// scripted backends on 127.0.0.1 (one thread per connection), and a ClientHello to open a routed
// connection with. Every socket gets 10 s send/receive timeouts, so a broken relay fails a test
// instead of hanging it.
#ifndef MESHGW_TESTS_UNIT_GATEWAY_TESTING_LOOPBACK_H_
#define MESHGW_TESTS_UNIT_GATEWAY_TESTING_LOOPBACK_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "gateway/tls/testing/client_hello_builder.h"

namespace meshgw::gateway::testing {

// A port that was free a moment ago (bound to port 0, then closed).
inline uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

inline int Connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{.tv_sec = 10, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  return fd;
}

inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until EOF (or error/timeout); returns what arrived.
inline std::string ReadToEof(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

inline std::string ReadExactly(int fd, size_t size) {
  std::string out;
  char buf[65536];
  while (out.size() < size) {
    ssize_t n = recv(fd, buf, std::min(sizeof(buf), size - out.size()), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// A backend on 127.0.0.1: each connection is handled by `serve` on its own thread.
class Backend {
 public:
  explicit Backend(std::function<void(int)> serve) : serve_(std::move(serve)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(fd_, 128);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        accepted_.fetch_add(1);
        timeval tv{.tv_sec = 10, .tv_usec = 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        handlers_.emplace_back([this, c] {
          serve_(c);
          close(c);
        });
      }
    });
  }
  ~Backend() {
    Close();
    for (auto& t : handlers_) t.join();
  }
  void Close() {
    if (fd_ >= 0) {
      shutdown(fd_, SHUT_RDWR);
      close(fd_);
      fd_ = -1;
      thread_.join();
    }
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  std::function<void(int)> serve_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::vector<std::thread> handlers_;
};

inline void Echo(int fd) {
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    if (!SendAll(fd, std::string_view(buf, static_cast<size_t>(n)))) return;
  }
  shutdown(fd, SHUT_WR);
}

inline std::string Hello(std::string_view sni) {
  tls::testing::HelloSpec spec;
  spec.server_name = std::string(sni);
  spec.supported_versions = {0x0304, 0x0303};
  return tls::testing::FrameRecords(tls::testing::BuildClientHello(spec).message);
}

}  // namespace meshgw::gateway::testing

#endif  // MESHGW_TESTS_UNIT_GATEWAY_TESTING_LOOPBACK_H_
