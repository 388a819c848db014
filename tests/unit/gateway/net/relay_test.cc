// The gateway's relay, in process, over real loopback sockets: a GatewayServer from a bootstrap
// text, echo and scripted backends on 127.0.0.1, and a client that speaks raw bytes (a
// ClientHello built by the test, then arbitrary data: passthrough relays bytes, it does not care
// whether they are TLS).
//
// Covered: the hello's bytes are replayed exactly; megabytes relayed both ways byte-exact through
// splice; small messages through the buffer around a burst through splice; half-close in both
// directions; unknown SNI closed without reaching any backend; an egress (no tls_inspector)
// listener; a connection that survives configuration swaps; a dead endpoint retried on the next
// one; drain.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gateway/config/bootstrap.h"
#include "gateway/proxy/gateway_server.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/testing/loopback.h"

namespace meshgw::gateway::proxy {
namespace {

using namespace ::meshgw::gateway::testing;  // NOLINT: the loopback helpers

std::string Bootstrap(uint16_t port, uint16_t egress_port, uint16_t backend, uint16_t backend2 = 9,
                      std::string extra = "") {
  return absl::StrCat(R"(
node { id = "relay-test" }
admin { address = "127.0.0.1:0" }
metrics { address = "127.0.0.1:0" }
workers = 2
log {
  level = "warn"
  access_log = "off"
}
static {
  listener "mesh" {
    address = "127.0.0.1:)",
                      port, R"("
    hello_timeout = "1s"
    filter_chain "echo" {
      server_names = ["echo.default.dc1.internal.td.consul"]
      tcp_proxy { cluster = "echo" }
    }
    filter_chain "retry" {
      server_names = ["retry.default.dc1.internal.td.consul"]
      tcp_proxy {
        cluster = "retry"
        max_connect_attempts = 3
      }
    }
  }
  listener "egress" {
    address = "127.0.0.1:)",
                      egress_port, R"("
    tls_inspector = false
    filter_chain "out" {
      tcp_proxy { cluster = "echo" }
    }
  }
  cluster "echo" {
    endpoint { address = "127.0.0.1:)",
                      backend, R"(" }
  }
  cluster "retry" {
    connect_timeout = "1s"
    endpoint { address = "127.0.0.1:)",
                      backend2, R"(" }
    endpoint { address = "127.0.0.1:)",
                      backend, R"(" }
  }
)",
                      extra, "}\n");
}

class RelayTest : public ::testing::Test {
 protected:
  void StartGateway(Backend& backend, uint16_t backend2 = 9) {
    port_ = FreePort();
    egress_port_ = FreePort();
    backend_port_ = backend.port();
    backend2_ = backend2;
    auto b = config::ParseBootstrap(Bootstrap(port_, egress_port_, backend.port(), backend2),
                                    "relay.hcl");
    ASSERT_TRUE(b.ok()) << b.status();
    server_ = std::make_unique<GatewayServer>(*std::move(b));
    absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::unique_ptr<GatewayServer> server_;
  uint16_t port_ = 0;
  uint16_t egress_port_ = 0;
  uint16_t backend_port_ = 0;
  uint16_t backend2_ = 9;
};

TEST_F(RelayTest, ReplaysTheHelloAndRelaysMegabytesBothWays) {
  Backend backend(Echo);
  StartGateway(backend);
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  std::string hello = Hello("echo.default.dc1.internal.td.consul");
  std::string payload(8 << 20, '\0');
  std::mt19937 rng(7);
  for (char& c : payload) c = static_cast<char>(rng());
  std::thread writer([&] {
    ASSERT_TRUE(SendAll(fd, hello));
    ASSERT_TRUE(SendAll(fd, payload));
    shutdown(fd, SHUT_WR);  // half-close: the echo backend sees EOF, echoes the rest, closes
  });
  std::string echoed = ReadToEof(fd);
  writer.join();
  close(fd);
  ASSERT_EQ(echoed.size(), hello.size() + payload.size());
  EXPECT_EQ(echoed.substr(0, hello.size()), hello);
  EXPECT_TRUE(echoed.substr(hello.size()) == payload);
}

// Request/response traffic first goes through the buffer (a short read ends a read round),
// then a burst fills it and the flow moves to splice, then small messages again; last, a message
// sent together with the client's FIN (both in the socket at once: the short read must not end
// the round while the hang-up is pending). Each echo is awaited, so a direction that stopped
// reading too early shows up as a timeout.
TEST_F(RelayTest, SmallMessagesThenABurstThenSmallMessagesAndAFinalWrite) {
  Backend backend(Echo);
  StartGateway(backend);
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  const std::string hello = Hello("echo.default.dc1.internal.td.consul");
  ASSERT_TRUE(SendAll(fd, hello));
  ASSERT_EQ(ReadExactly(fd, hello.size()), hello);
  auto ping_pong = [&](int rounds, const std::string& tag) {
    for (int i = 0; i < rounds; ++i) {
      const std::string msg = absl::StrCat(tag, "-", i, std::string(48, 'x'));
      ASSERT_TRUE(SendAll(fd, msg));
      ASSERT_EQ(ReadExactly(fd, msg.size()), msg) << tag << " round " << i;
    }
  };
  ping_pong(200, "before");
  std::string burst(3 << 20, '\0');
  std::mt19937 rng(11);
  for (char& c : burst) c = static_cast<char>(rng());
  std::thread writer([&] { ASSERT_TRUE(SendAll(fd, burst)); });
  const std::string burst_echo = ReadExactly(fd, burst.size());
  writer.join();
  EXPECT_TRUE(burst_echo == burst);
  ping_pong(200, "after");
  ASSERT_TRUE(SendAll(fd, "last words"));
  shutdown(fd, SHUT_WR);
  EXPECT_EQ(ReadToEof(fd), "last words");
  // ReadToEof also stops at the 10 s receive timeout: the end must be a real EOF.
  char c;
  EXPECT_EQ(recv(fd, &c, 1, MSG_DONTWAIT), 0) << "no EOF: the relay stopped reading";
  close(fd);
}

// A message and the FIN right behind it, on a flow still on the buffer: the event that wakes the
// gateway usually carries both, and the short read of the message must not end the round (the
// FIN's edge is already consumed). Twenty connections, each bounded by the 10 s receive timeout.
TEST_F(RelayTest, AMessageFollowedAtOnceByFinIsRelayedAndClosed) {
  Backend backend(Echo);
  StartGateway(backend);
  const std::string hello = Hello("echo.default.dc1.internal.td.consul");
  for (int i = 0; i < 20; ++i) {
    int fd = Connect(port_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, hello));
    ASSERT_EQ(ReadExactly(fd, hello.size()), hello);
    const std::string msg = absl::StrCat("final message ", i);
    ASSERT_TRUE(SendAll(fd, msg));
    shutdown(fd, SHUT_WR);
    EXPECT_EQ(ReadToEof(fd), msg) << "connection " << i;
    char c;
    EXPECT_EQ(recv(fd, &c, 1, MSG_DONTWAIT), 0) << "connection " << i << ": no EOF";
    close(fd);
  }
}

TEST_F(RelayTest, HalfCloseFromTheServerSide) {
  // The backend answers and closes its write half first; the client may still send afterwards.
  std::atomic<size_t> after_close{0};
  Backend backend([&](int fd) {
    std::string hello = ReadExactly(fd, Hello("echo.default.dc1.internal.td.consul").size());
    SendAll(fd, "bye");
    shutdown(fd, SHUT_WR);
    after_close = ReadToEof(fd).size();
  });
  StartGateway(backend);
  int fd = Connect(port_);
  ASSERT_TRUE(SendAll(fd, Hello("echo.default.dc1.internal.td.consul")));
  EXPECT_EQ(ReadToEof(fd), "bye");  // EOF arrives after "bye"
  ASSERT_TRUE(SendAll(fd, "still here"));
  shutdown(fd, SHUT_WR);
  char c;
  EXPECT_EQ(recv(fd, &c, 1, 0), 0);  // the gateway closes once both directions are done
  close(fd);
  backend.Close();
  for (int i = 0; i < 100 && after_close == 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(after_close.load(), strlen("still here"));
}

TEST_F(RelayTest, UnknownSniIsClosedAndNeverForwarded) {
  Backend backend(Echo);
  StartGateway(backend);
  int fd = Connect(port_);
  ASSERT_TRUE(SendAll(fd, Hello("nobody.default.dc9.internal.td.consul")));
  EXPECT_EQ(ReadToEof(fd), "");
  close(fd);
  EXPECT_EQ(backend.accepted(), 0);
}

TEST_F(RelayTest, PlainTextIsRejectedAsAHelloError) {
  Backend backend(Echo);
  StartGateway(backend);
  int fd = Connect(port_);
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(ReadToEof(fd), "");
  close(fd);
  EXPECT_EQ(backend.accepted(), 0);
}

TEST_F(RelayTest, SlowHelloTimesOut) {
  Backend backend(Echo);
  StartGateway(backend);
  int fd = Connect(port_);
  std::string hello = Hello("echo.default.dc1.internal.td.consul");
  ASSERT_TRUE(SendAll(fd, hello.substr(0, 10)));
  absl::Time start = absl::Now();
  EXPECT_EQ(ReadToEof(fd), "");  // closed by the 1 s hello_timeout
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(900));
  close(fd);
  EXPECT_EQ(backend.accepted(), 0);
}

TEST_F(RelayTest, EgressListenerRelaysPlainTcp) {
  Backend backend(Echo);
  StartGateway(backend);
  int fd = Connect(egress_port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "plain bytes"));
  shutdown(fd, SHUT_WR);
  EXPECT_EQ(ReadToEof(fd), "plain bytes");
  close(fd);
}

TEST_F(RelayTest, DeadEndpointIsRetriedOnTheNextOne) {
  Backend backend(Echo);
  StartGateway(backend, /*backend2=*/FreePort());  // nothing listens there: refused
  for (int i = 0; i < 4; ++i) {
    int fd = Connect(port_);
    std::string hello = Hello("retry.default.dc1.internal.td.consul");
    ASSERT_TRUE(SendAll(fd, hello));
    ASSERT_TRUE(SendAll(fd, "ping"));
    shutdown(fd, SHUT_WR);
    EXPECT_EQ(ReadToEof(fd), hello + "ping") << "connection " << i;
    close(fd);
  }
}

TEST_F(RelayTest, OpenConnectionsSurviveConfigurationSwaps) {
  Backend backend(Echo);
  StartGateway(backend);
  std::vector<int> fds;
  std::string hello = Hello("echo.default.dc1.internal.td.consul");
  for (int i = 0; i < 20; ++i) {
    int fd = Connect(port_);
    ASSERT_TRUE(SendAll(fd, hello));
    ASSERT_EQ(ReadExactly(fd, hello.size()), hello);
    fds.push_back(fd);
  }
  for (int round = 0; round < 10; ++round) {
    std::string extra = absl::StrCat("  cluster \"extra-", round,
                                     "\" {\n    endpoint { address = \"127.0.0.1:9\" }\n  }\n");
    auto b = config::ParseBootstrap(Bootstrap(port_, egress_port_, backend_port_, backend2_, extra),
                                    "relay.hcl");
    ASSERT_TRUE(b.ok()) << b.status();
    ASSERT_TRUE(server_->Reload(*std::move(b)).ok());
    for (int fd : fds) {
      std::string msg = absl::StrCat("round ", round);
      ASSERT_TRUE(SendAll(fd, msg));
      ASSERT_EQ(ReadExactly(fd, msg.size()), msg);
    }
  }
  // A reload that cannot be applied (a new listener on a port another socket holds) is
  // rejected, and the running configuration stays.
  int blocker = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(blocker, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(blocker, 1), 0);
  socklen_t alen = sizeof(a);
  getsockname(blocker, reinterpret_cast<sockaddr*>(&a), &alen);
  std::string busy = absl::StrCat(
      "  listener \"busy\" {\n    address = \"127.0.0.1:", ntohs(a.sin_port),
      "\"\n    filter_chain \"x\" {\n      tcp_proxy { cluster = \"echo\" }\n    }\n  }\n");
  auto bad = config::ParseBootstrap(Bootstrap(port_, egress_port_, backend_port_, backend2_, busy),
                                    "relay.hcl");
  ASSERT_TRUE(bad.ok()) << bad.status();
  absl::Status rejected = server_->Reload(*std::move(bad));
  EXPECT_FALSE(rejected.ok());
  EXPECT_NE(rejected.message().find("listener \"busy\": bind 127.0.0.1:"), absl::string_view::npos)
      << rejected;
  close(blocker);
  int fresh = Connect(port_);
  ASSERT_TRUE(SendAll(fresh, hello));
  shutdown(fresh, SHUT_WR);
  EXPECT_EQ(ReadToEof(fresh), hello);
  close(fresh);
  for (int fd : fds) {
    shutdown(fd, SHUT_WR);
    EXPECT_EQ(ReadToEof(fd), "");
    close(fd);
  }
}

TEST_F(RelayTest, DrainWaitsForOpenConnectionsAndRefusesNewOnes) {
  Backend backend(Echo);
  StartGateway(backend);
  int fd = Connect(port_);
  std::string hello = Hello("echo.default.dc1.internal.td.consul");
  ASSERT_TRUE(SendAll(fd, hello));
  ASSERT_EQ(ReadExactly(fd, hello.size()), hello);
  std::thread closer([&] {
    absl::SleepFor(absl::Milliseconds(300));
    ASSERT_TRUE(SendAll(fd, "last"));
    EXPECT_EQ(ReadExactly(fd, 4), "last");
    shutdown(fd, SHUT_WR);
    ReadToEof(fd);
    close(fd);
  });
  absl::Time start = absl::Now();
  uint64_t left = server_->Drain(absl::Seconds(5));
  closer.join();
  EXPECT_EQ(left, 0u);
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
  EXPECT_EQ(Connect(port_), -1);  // not accepting any more
}

}  // namespace
}  // namespace meshgw::gateway::proxy
