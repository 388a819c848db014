// The upstream module driving real loopback connects: endpoints are real listening sockets; one
// is killed (connects refused) and traffic moves to the other, then to the next priority, and
// comes back when the listener is back and its ejection is over.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "gateway/upstream/cluster_state.h"
#include "gateway/upstream/endpoint_picker.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/upstream/cluster_builder.h"

namespace meshgw::gateway::upstream {
namespace {

using testing::kT0;

// A listening socket on 127.0.0.1 (port 0: chosen by the kernel, or a given port to restart).
class Listener {
 public:
  explicit Listener(uint16_t port = 0) {
    // Non-blocking: AcceptOne must return false, not wait, once the backlog is drained.
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
    EXPECT_EQ(listen(fd_, 64), 0) << strerror(errno);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() { Close(); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  uint16_t port() const { return port_; }
  // Accepts and closes one pending connection; false when none is pending.
  bool AcceptOne() {
    const int c = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK);
    if (c < 0) return false;
    close(c);
    return true;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// What the proxy does for one downstream connection: pick, connect, on failure pick another
// endpoint (up to `max_attempts`), report every result. Returns the port connected to, or -1.
// `attempts` counts connect attempts per port.
int ConnectOnce(EndpointPicker& picker, ClusterState& s, absl::Time now, int max_attempts,
                std::map<int, int>& attempts) {
  std::vector<EndpointIndex> tried;
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    PickResult p = picker.Pick(s, now, tried);
    if (!p.ok()) return -1;
    tried.push_back(p.endpoint);
    const config::SocketAddress& address = s.endpoint(p.endpoint).address;
    ++attempts[address.port];
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool connected = connect(fd, address.sockaddr_ptr(), address.length) == 0;
    const int err = errno;
    close(fd);
    if (!connected) {
      EXPECT_EQ(err, ECONNREFUSED) << strerror(err);
      s.OnConnectFailure(p.endpoint, now, /*timeout=*/false);
      continue;
    }
    s.OnConnectSuccess(p.endpoint, now);
    s.OnConnectionClosed(p.endpoint);
    return address.port;
  }
  return -1;
}

TEST(UpstreamConnectTest, KilledEndpointIsEjectedAndTrafficFailsOverAndBack) {
  auto a = std::make_unique<Listener>();
  auto b = std::make_unique<Listener>();
  Listener c;
  const uint16_t pa = a->port(), pb = b->port(), pc = c.port();
  auto cluster =
      testing::MakeCluster("api", {{testing::Ep(pa), testing::Ep(pb)}, {testing::Ep(pc)}});
  testing::EnableOutlier(*cluster, /*failures=*/2, /*percent=*/100);
  auto s = ClusterState::Create(cluster, 1);
  EndpointPicker picker(0);
  const auto drain = [&] {
    for (Listener* l : {a.get(), b.get(), &c}) {
      if (l != nullptr) {
        while (l->AcceptOne()) {
        }
      }
    }
  };

  // All up: round robin over priority 0.
  std::map<int, int> attempts;
  std::vector<int> got;
  for (int i = 0; i < 4; ++i) got.push_back(ConnectOnce(picker, *s, kT0, 3, attempts));
  EXPECT_EQ(got, (std::vector<int>{pa, pb, pa, pb}));
  drain();

  // A is killed: each connection that tries it retries on B; A's second refusal ejects it, after
  // which nothing tries A.
  a.reset();
  attempts.clear();
  got.clear();
  for (int i = 0; i < 6; ++i)
    got.push_back(ConnectOnce(picker, *s, kT0 + absl::Seconds(1), 3, attempts));
  EXPECT_EQ(got, std::vector<int>(6, pb));
  EXPECT_EQ(attempts[pa], 2);
  EXPECT_EQ(attempts[pb], 6);
  EXPECT_TRUE(s->IsEjected(0, kT0 + absl::Seconds(1)));
  drain();

  // B is killed too: B is ejected after two refusals, then priority 1 takes everything.
  b.reset();
  attempts.clear();
  got.clear();
  for (int i = 0; i < 4; ++i)
    got.push_back(ConnectOnce(picker, *s, kT0 + absl::Seconds(2), 3, attempts));
  EXPECT_EQ(got, std::vector<int>(4, pc));
  EXPECT_EQ(attempts[pa], 0);
  EXPECT_EQ(attempts[pb], 2);
  EXPECT_EQ(attempts[pc], 4);
  drain();

  // A comes back on its port; once its ejection is over (30 s after t=1) it gets traffic again,
  // and priority 1 none.
  Listener a2(pa);
  attempts.clear();
  got.clear();
  for (int i = 0; i < 3; ++i)
    got.push_back(ConnectOnce(picker, *s, kT0 + absl::Seconds(31), 3, attempts));
  EXPECT_EQ(got, std::vector<int>(3, pa));
  EXPECT_EQ(attempts[pc], 0);
  while (a2.AcceptOne()) {
  }
  drain();

  ClusterStatus st = s->Status(kT0 + absl::Seconds(31));
  EXPECT_EQ(st.active, 0u);
  EXPECT_EQ(st.connect_failures, 4u);
  EXPECT_EQ(st.ejections, 2u);
  EXPECT_EQ(st.connects, 4u + 8u + 6u + 3u);
}

}  // namespace
}  // namespace meshgw::gateway::upstream
