// Interoperability: TlsSession (server side, on a real loopback TCP socket) against the real
// `openssl s_client` CLI, spawned and bounded by a timeout.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/spiffe.h"
#include "gateway/tls/tls_session.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/tls/test_pki.h"
#include "tests/unit/gateway/tls/tls_test_util.h"

extern char** environ;

namespace meshgw::gateway::tls {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace ::meshgw::gateway::tls::testing;  // NOLINT: test helpers

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/meshgw-tls-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << content;
    return p;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(path_ + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A loopback listener on a kernel-chosen port.
struct Listener {
  int fd = -1;
  uint16_t port = 0;
  Listener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd, 4);
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~Listener() { close(fd); }
};

bool WaitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{.fd = fd, .events = events, .revents = 0};
  return poll(&p, 1, static_cast<int>(left.count())) > 0;
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& in, const std::string& out) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

struct ServerOutcome {
  TlsIo handshake = TlsIo::kError;
  std::unique_ptr<TlsSession> session;
  std::string received;
};

// Accepts one connection and serves it: handshake, read "ping\n", answer, close_notify.
ServerOutcome Serve(ServerTlsContext& ctx, int listen_fd) {
  ServerOutcome out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  if (!WaitFor(listen_fd, POLLIN, deadline)) return out;
  int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK);
  if (fd < 0) return out;
  out.session = TlsSession::AcceptOn(ctx, fd, "");
  TlsSession& s = *out.session;
  for (;;) {
    out.handshake = s.Handshake();
    if (out.handshake == TlsIo::kWantRead && WaitFor(fd, POLLIN, deadline)) continue;
    if (out.handshake == TlsIo::kWantWrite && WaitFor(fd, POLLOUT, deadline)) continue;
    break;
  }
  if (out.handshake == TlsIo::kOk) {
    char buf[256];
    while (out.received.find('\n') == std::string::npos) {
      size_t n = 0;
      TlsIo io = s.Read(buf, sizeof(buf), &n);
      if (io == TlsIo::kOk) {
        out.received.append(buf, n);
      } else if (io != TlsIo::kWantRead || !WaitFor(fd, POLLIN, deadline)) {
        break;
      }
    }
    const std::string reply = "pong from meshgw\n";
    size_t n = 0;
    while (s.Write(reply.data(), reply.size(), &n) == TlsIo::kWantWrite &&
           WaitFor(fd, POLLOUT, deadline)) {
    }
    s.Shutdown();
  }
  close(fd);  // the caller's job, not the session's
  return out;
}

int WaitChild(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Pki {
  TestCredential root1 = MakeRootCa("Consul CA td1");
  TestCredential root2 = MakeRootCa("Consul CA td2");
  TestCredential rogue = MakeRootCa("Rogue CA");
  TestCredential gateway =
      Issue(root1, {.common_name = "mesh-gateway", .uri_sans = {MeshGatewaySpiffeId(kTd1, "dc1")}});
  TestCredential web = Issue(
      root2, {.common_name = "web", .uri_sans = {ServiceSpiffeId(kTd2, "default", "dc2", "web")}});
  TestCredential web_rogue = Issue(
      rogue, {.common_name = "web", .uri_sans = {ServiceSpiffeId(kTd2, "default", "dc2", "web")}});
};

std::shared_ptr<ServerTlsContext> GatewayContext(const Pki& pki) {
  config::DownstreamTls c;
  c.certificate = Pair("mesh-gateway-leaf", pki.gateway);
  c.trust = Bundle("peers", pki.root2.cert_pem, 5,
                   {UriRegex("^spiffe://" + std::string(kTd2) + "/ns/default/dc/[^/]+/svc/web$")});
  c.require_client_certificate = true;
  c.alpn = {"h2", "http/1.1"};
  auto ctx = ServerTlsContext::Create(c, nullptr);
  EXPECT_TRUE(ctx.ok()) << ctx.status();
  return *ctx;
}

// `timeout 10 openssl s_client` against the listener, presenting `client` and trusting `root`,
// with `extra` flags; reads stdin to its end and keeps the connection open after it.
std::vector<std::string> SClient(TempDir& dir, int port, const TestCredential& client,
                                 const TestCredential& root, std::vector<std::string> extra) {
  std::vector<std::string> args = {"timeout",  "10",
                                   "openssl",  "s_client",
                                   "-connect", "127.0.0.1:" + std::to_string(port),
                                   "-cert",    dir.Write("client.pem", client.cert_pem),
                                   "-key",     dir.Write("client.key", client.key_pem),
                                   "-CAfile",  dir.Write("ca.pem", root.cert_pem)};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("-ign_eof");
  return args;
}

TEST(OpensslInteropTest, SClientMutualTls) {
  Pki pki;
  TempDir dir;
  auto ctx = GatewayContext(pki);
  Listener listener;
  const std::string in = dir.Write("stdin", "ping\n");
  const std::vector<std::string> args = SClient(dir, listener.port, pki.web, pki.root1,
                                                {"-servername", "web.default.dc1.internal.td1",
                                                 "-verify_return_error", "-alpn", "http/1.1,h2"});
  pid_t pid = Spawn(args, in, dir.path() + "/out");
  ASSERT_GT(pid, 0);
  ServerOutcome served = Serve(*ctx, listener.fd);
  EXPECT_EQ(WaitChild(pid), 0);
  const std::string out = dir.Read("out");
  ASSERT_EQ(served.handshake, TlsIo::kOk) << served.session->error_detail() << "\n" << out;
  EXPECT_EQ(served.received, "ping\n");
  EXPECT_EQ(served.session->version(), "TLSv1.3");
  EXPECT_EQ(served.session->alpn(), "h2");
  PeerIdentity who = served.session->peer();
  ASSERT_TRUE(who.spiffe.has_value());
  EXPECT_EQ(who.spiffe->ToString(), ServiceSpiffeId(kTd2, "default", "dc2", "web"));
  EXPECT_THAT(out, HasSubstr("pong from meshgw"));
  EXPECT_THAT(out, HasSubstr("Verify return code: 0 (ok)"));
  EXPECT_THAT(out, HasSubstr("ALPN protocol: h2"));
}

// What a stock client sees of the server's choices: exactly the configured chain (a leaf-only
// certificate stays leaf-only even when the trust bundle holds its issuer: OpenSSL would
// otherwise complete it from the store on every handshake), and Envoy's TLS 1.3 suite order
// under server preference (s_client offers AES-256-GCM first, OpenSSL's default).
TEST(OpensslInteropTest, SClientGetsTheConfiguredChainAndAes128First) {
  Pki pki;
  TempDir dir;
  config::DownstreamTls c;
  c.certificate = Pair("mesh-gateway-leaf", pki.gateway);
  c.trust = Bundle("local+peers", pki.root1.cert_pem + pki.root2.cert_pem, 5);
  c.require_client_certificate = true;
  auto ctx = ServerTlsContext::Create(c, nullptr);
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  Listener listener;
  const std::string in = dir.Write("stdin", "ping\n");
  const std::vector<std::string> args = SClient(
      dir, listener.port, pki.web, pki.root1,
      {"-servername", "web.default.dc1.internal.td1", "-verify_return_error", "-showcerts"});
  pid_t pid = Spawn(args, in, dir.path() + "/out");
  ASSERT_GT(pid, 0);
  ServerOutcome served = Serve(**ctx, listener.fd);
  EXPECT_EQ(WaitChild(pid), 0);
  const std::string out = dir.Read("out");
  ASSERT_EQ(served.handshake, TlsIo::kOk) << served.session->error_detail() << "\n" << out;
  EXPECT_EQ(served.session->cipher(), "TLS_AES_128_GCM_SHA256");
  EXPECT_THAT(out, HasSubstr("Cipher is TLS_AES_128_GCM_SHA256"));
  EXPECT_THAT(out, HasSubstr(" 0 s:CN = mesh-gateway"));
  EXPECT_THAT(out, Not(HasSubstr(" 1 s:"))) << out;
  EXPECT_THAT(out, HasSubstr("Verify return code: 0 (ok)"));
}

TEST(OpensslInteropTest, SClientTls12) {
  Pki pki;
  TempDir dir;
  auto ctx = GatewayContext(pki);
  Listener listener;
  const std::vector<std::string> args =
      SClient(dir, listener.port, pki.web, pki.root1, {"-tls1_2", "-verify_return_error"});
  pid_t pid = Spawn(args, dir.Write("stdin", "ping\n"), dir.path() + "/out");
  ASSERT_GT(pid, 0);
  ServerOutcome served = Serve(*ctx, listener.fd);
  EXPECT_EQ(WaitChild(pid), 0);
  ASSERT_EQ(served.handshake, TlsIo::kOk) << served.session->error_detail();
  EXPECT_EQ(served.session->version(), "TLSv1.2");
  EXPECT_EQ(served.session->peer().spiffe->service, "web");
  EXPECT_THAT(dir.Read("out"), HasSubstr("pong from meshgw"));
}

TEST(OpensslInteropTest, SClientWithUntrustedCertificateIsRefused) {
  Pki pki;
  TempDir dir;
  auto ctx = GatewayContext(pki);
  Listener listener;
  const std::vector<std::string> args = SClient(dir, listener.port, pki.web_rogue, pki.root1, {});
  pid_t pid = Spawn(args, dir.Write("stdin", "ping\n"), dir.path() + "/out");
  ASSERT_GT(pid, 0);
  ServerOutcome served = Serve(*ctx, listener.fd);
  WaitChild(pid);
  EXPECT_EQ(served.handshake, TlsIo::kError);
  ASSERT_NE(served.session, nullptr);
  EXPECT_EQ(served.session->failure(), HandshakeFailure::kUntrustedCa)
      << served.session->error_detail();
  EXPECT_THAT(dir.Read("out"), HasSubstr("alert unknown ca"));
}

}  // namespace
}  // namespace meshgw::gateway::tls
