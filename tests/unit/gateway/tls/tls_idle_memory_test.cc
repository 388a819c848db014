// Memory held by an idle terminated connection (server side, after the handshake and some data).
//
// The issue's goal is under 12 KB per idle terminated connection for the whole process. Measured
// here with OpenSSL 3.0 (heap bytes per server-side session, mutual TLS 1.3, ECDSA P-256):
//   SSL_new alone                          ~8.5 KB
//   after a handshake without client cert  ~15 KB  (cipher contexts, session, peer key share)
//   after a mutual-TLS handshake           ~25 KB  (+ OpenSSL's decoded copy of the client's
//                                                    certificate and key: ~5 KB for a 0.5 KB DER)
// Record buffers are released while idle (SSL_MODE_RELEASE_BUFFERS); without that each session
// would hold 16-34 KB more. TLS 1.3 sessions are offloaded (TlsSession, "Record offload"): the
// SSL object is freed after the handshake, and what stays is the connection's own record state
// (~4.5 KB with its two cipher contexts) and its resumable session in the context's store, kept
// without the client's decoded certificate (ServerSessionStore: ~2 KB instead of ~11 KB): about
// 6.6 KB in all, printed below.
#include <malloc.h>
#include <sys/socket.h>
#if defined(__SANITIZE_ADDRESS__)
// The sanitizer runtime's allocator statistics (sanitizer/allocator_interface.h ships with
// clang, not with GCC; the function is in both runtimes).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

#include <memory>
#include <vector>

#include "common/spiffe.h"
#include "gateway/tls/tls_session.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/tls/test_pki.h"
#include "tests/unit/gateway/tls/tls_test_util.h"

namespace meshgw::gateway::tls {
namespace {

using namespace ::meshgw::gateway::tls::testing;  // NOLINT: test helpers

size_t HeapInUse() {
#if defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes();  // ASan's allocator bypasses mallinfo2
#else
  return mallinfo2().uordblks;
#endif
}

TEST(TlsIdleMemoryTest, IdleTerminatedSessionIsSmall) {
  TestCredential root = MakeRootCa("root");
  TestCredential gw =
      Issue(root, {.common_name = "gw", .uri_sans = {MeshGatewaySpiffeId(kTd1, "dc1")}});
  TestCredential web = Issue(
      root, {.common_name = "web", .uri_sans = {ServiceSpiffeId(kTd1, "default", "dc1", "web")}});
  config::DownstreamTls sc;
  sc.certificate = Pair("gw", gw);
  sc.trust = Bundle("roots", root.cert_pem, 1);
  sc.require_client_certificate = true;
  config::UpstreamTls cc;
  cc.certificate = Pair("web", web);
  cc.trust = Bundle("roots", root.cert_pem, 1);
  auto server_ctx = ServerTlsContext::Create(sc, nullptr);
  auto client_ctx = ClientTlsContext::Create(cc);
  ASSERT_TRUE(server_ctx.ok() && client_ctx.ok());

  constexpr int kConnections = 200;
  std::vector<std::unique_ptr<SocketPair>> fds;
  std::vector<std::unique_ptr<TlsSession>> servers, clients;
  fds.reserve(kConnections);
  servers.reserve(kConnections);
  clients.reserve(kConnections);
  const std::string request(4000, 'q');
  const size_t before = HeapInUse();
  for (int i = 0; i < kConnections; ++i) {
    fds.push_back(std::make_unique<SocketPair>());
    // Each server session starts with a replayed hello prefix, as on the mesh listener.
    clients.push_back(TlsSession::ConnectOn(**client_ctx, fds.back()->client, ""));
    ASSERT_EQ(clients.back()->Handshake(), TlsIo::kWantRead);
    char hello[64];
    ASSERT_EQ(::recv(fds.back()->server, hello, sizeof(hello), 0), 64);
    servers.push_back(
        TlsSession::AcceptOn(**server_ctx, fds.back()->server, std::string_view(hello, 64)));
    ASSERT_EQ(DriveHandshake(*servers.back(), *clients.back()).server, TlsIo::kOk);
    ASSERT_EQ(Transfer(*clients.back(), *servers.back(), request), request);
    ASSERT_EQ(Transfer(*servers.back(), *clients.back(), "ok"), "ok");
  }
  clients.clear();  // only the server sides stay (their sockets too)
  malloc_trim(0);
  const size_t per_connection = (HeapInUse() - before) / kConnections;
  std::printf("idle terminated TLS session: %zu bytes of heap each\n", per_connection);
  EXPECT_TRUE(servers.back()->offloaded());
  // The issue's goal, 12 KB: today's ~6.6 KB leaves room for allocator differences (ASan, glibc
  // versions); an SSL object kept after the handshake (~10 KB), a session stored with its
  // certificate (~9 KB more) or a retained 16 KB record buffer would cross it.
  EXPECT_LT(per_connection, 12u * 1024u);
  EXPECT_GT(per_connection, 4u * 1024u);  // the measurement itself works
}

}  // namespace
}  // namespace meshgw::gateway::tls
