// Test helpers for the admin HTTP server: a blocking TCP client on 127.0.0.1 with bounded waits,
// and the exact bytes a response must have.
#ifndef MESHGW_TESTS_UNIT_GATEWAY_ADMIN_RAW_HTTP_CLIENT_H_
#define MESHGW_TESTS_UNIT_GATEWAY_ADMIN_RAW_HTTP_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace meshgw::admin::test_client {

// A blocking TCP client on 127.0.0.1 with bounded waits.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    // Small sends leave at once, so that a test's split points are the server's read boundaries.
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // What arrives until `terminator` has been received (or EOF or `timeout`).
  std::string ReadUntil(std::string_view terminator, std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.find(terminator) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char c;
      if (recv(fd_, &c, 1, 0) != 1) break;  // byte by byte: nothing past the terminator is taken
      out += c;
    }
    return out;
  }

  // Everything until the server closes, or what arrived when `timeout` passed (then timed_out).
  std::string ReadToEof(std::chrono::milliseconds timeout, bool* timed_out = nullptr) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (timed_out) *timed_out = false;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        if (timed_out) *timed_out = true;
        return out;
      }
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return out;
      out.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  bool connected_ = false;
};

// Sends `request` on a new connection and returns everything until the server closes.
inline std::string Exchange(uint16_t port, std::string_view request) {
  RawClient c(port);
  EXPECT_TRUE(c.connected());
  EXPECT_TRUE(c.Send(request));
  bool timed_out = false;
  std::string response = c.ReadToEof(std::chrono::seconds(5), &timed_out);
  EXPECT_FALSE(timed_out) << "no EOF within 5 s; got: " << response;
  return response;
}

// The bytes of a response as the server must send them.
inline std::string Wire(const std::string& status_line, const std::string& body,
                        const std::string& extra_headers = "") {
  return absl::StrCat(
      status_line, "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ", body.size(),
      "\r\n", extra_headers, "Connection: close\r\n\r\n", body);
}

}  // namespace meshgw::admin::test_client

#endif  // MESHGW_TESTS_UNIT_GATEWAY_ADMIN_RAW_HTTP_CLIENT_H_
