// Real TLS handshakes between ServerTlsContext and ClientTlsContext over a socketpair: mutual
// TLS, each HandshakeFailure, replayed ClientHello bytes, resumption and the verified-chain cache;
// the server's record offload after TLS 1.3 handshakes, with OpenSSL's client as its peer (each
// suite, KeyUpdate both ways, back-pressure, close_notify, a forged record).
#include "gateway/tls/tls_session.h"

#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/time/clock.h"
#include "common/spiffe.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/tls/test_pki.h"
#include "tests/unit/gateway/tls/tls_test_util.h"

namespace meshgw::gateway::tls {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace ::meshgw::gateway::tls::testing;  // NOLINT: test helpers

// The peering PKI (tls_test_util.h) and the leaves each failure needs.
struct Pki : PeeringPki {
  TestCredential web_expired =
      Issue(inter2, {.common_name = "web",
                     .uri_sans = {ServiceSpiffeId(kTd2, "default", "dc2", "web")},
                     .not_before_seconds = -7200,
                     .not_after_seconds = -3600});
  TestCredential web_future =
      Issue(inter2, {.common_name = "web",
                     .uri_sans = {ServiceSpiffeId(kTd2, "default", "dc2", "web")},
                     .not_before_seconds = 3600,
                     .not_after_seconds = 7200});
  // Trusted CA, wrong trust domain: td1's CA vouches for a name claiming to be from td1.
  TestCredential web_td1 = Issue(
      root1, {.common_name = "web", .uri_sans = {ServiceSpiffeId(kTd1, "default", "dc1", "web")}});
  TestCredential api = Issue(
      inter2, {.common_name = "api", .uri_sans = {ServiceSpiffeId(kTd2, "default", "dc2", "api")}});
};

const Pki& pki() {
  static const Pki* p = new Pki();
  return *p;
}

std::string WebPattern() {
  return "^spiffe://" + std::string(kTd2) + "/ns/default/dc/[^/]+/svc/web$";
}

// Reads (a few times, while it would wait) until the session says something else: kClosed
// after the peer's close_notify, kOk with data, kError.
TlsIo ReadPastWaiting(TlsSession& session) {
  char buf[16];
  size_t n = 0;
  TlsIo io = TlsIo::kWantRead;
  for (int i = 0; i < 10 && io == TlsIo::kWantRead; ++i) io = session.Read(buf, sizeof(buf), &n);
  return io;
}

config::DownstreamTls ServerConfig() {
  config::DownstreamTls c;
  c.certificate = Pair("mesh-gateway-leaf", pki().gateway);
  c.trust = Bundle("local+peers", pki().root1.cert_pem + pki().root2.cert_pem, 42,
                   {UriRegex(WebPattern())});
  c.require_client_certificate = true;
  c.alpn = {"h2", "http/1.1"};
  return c;
}

config::UpstreamTls ClientConfig(const TestCredential& cred) {
  config::UpstreamTls c;
  c.certificate = Pair("web-leaf", cred);
  c.trust =
      Bundle("dc1 roots", pki().root1.cert_pem, 7, {UriExact(MeshGatewaySpiffeId(kTd1, "dc1"))});
  c.sni = "web.default.dc1.internal." + std::string(kTd1);
  c.alpn = {"http/1.1", "h2"};
  return c;
}

std::shared_ptr<ServerTlsContext> MakeServer(const config::DownstreamTls& c,
                                             VerifiedChainCache* cache = nullptr) {
  auto ctx = ServerTlsContext::Create(c, cache);
  EXPECT_TRUE(ctx.ok()) << ctx.status();
  return ctx.ok() ? *ctx : nullptr;
}

std::shared_ptr<ClientTlsContext> MakeClient(const config::UpstreamTls& c) {
  auto ctx = ClientTlsContext::Create(c);
  EXPECT_TRUE(ctx.ok()) << ctx.status();
  return ctx.ok() ? *ctx : nullptr;
}

TEST(TlsSessionTest, MutualTlsWithSpiffeIdentities) {
  auto server_ctx = MakeServer(ServerConfig());
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  ASSERT_TRUE(server_ctx && client_ctx);
  SocketPair fds;
  auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
  auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
  DriveResult r = DriveHandshake(*server, *client);
  ASSERT_EQ(r.server, TlsIo::kOk) << server->error_detail();
  ASSERT_EQ(r.client, TlsIo::kOk) << client->error_detail();
  EXPECT_EQ(server->failure(), HandshakeFailure::kNone);
  EXPECT_EQ(server->version(), "TLSv1.3");
  EXPECT_EQ(server->alpn(), "h2");  // the server's order wins
  EXPECT_EQ(client->alpn(), "h2");
  EXPECT_EQ(server->cipher(), client->cipher());
  EXPECT_FALSE(server->resumed());

  PeerIdentity who = server->peer();
  EXPECT_TRUE(who.presented);
  EXPECT_THAT(who.uri_sans, ElementsAre(ServiceSpiffeId(kTd2, "default", "dc2", "web")));
  ASSERT_TRUE(who.spiffe.has_value());
  EXPECT_EQ(who.spiffe->trust_domain, kTd2);
  EXPECT_EQ(who.spiffe->service, "web");
  EXPECT_EQ(who.spiffe->datacenter, "dc2");
  EXPECT_EQ(who.subject, "CN=web");

  PeerIdentity gw = client->peer();
  ASSERT_TRUE(gw.spiffe.has_value());
  EXPECT_EQ(gw.spiffe->kind, SpiffeId::Kind::kMeshGateway);
  EXPECT_THAT(gw.dns_sans, ElementsAre("mesh-gateway.dc1"));

  EXPECT_EQ(Transfer(*client, *server, "ping from dc2"), "ping from dc2");
  std::string big(100000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(Transfer(*server, *client, big), big);

  // close_notify reaches the other side as kClosed.
  EXPECT_EQ(client->Shutdown(), TlsIo::kOk);
  EXPECT_EQ(ReadPastWaiting(*server), TlsIo::kClosed);
}

struct Exchange {
  std::unique_ptr<SocketPair> fds = std::make_unique<SocketPair>();
  std::unique_ptr<TlsSession> server, client;
};

Exchange Connect(ServerTlsContext& sctx, ClientTlsContext& cctx, std::string_view key) {
  Exchange e;
  e.server = TlsSession::AcceptOn(sctx, e.fds->server, "");
  e.client = TlsSession::ConnectOn(cctx, e.fds->client, key);
  DriveResult r = DriveHandshake(*e.server, *e.client);
  EXPECT_EQ(r.server, TlsIo::kOk) << e.server->error_detail();
  EXPECT_EQ(r.client, TlsIo::kOk) << e.client->error_detail();
  EXPECT_EQ(Transfer(*e.server, *e.client, "hello"), "hello");
  return e;
}

// A client that finishes its handshake and writes at once puts its last flight (four records)
// and its first data in the server's socket together. The server's handshake reads ahead: one
// read takes all of it, the handshake uses the flight, and the data is served first by the
// offloaded record layer.
TEST(TlsSessionTest, AFlightAndDataReadTogetherAreBothServed) {
  auto server_ctx = MakeServer(ServerConfig());
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  ASSERT_TRUE(server_ctx && client_ctx);
  Exchange e;
  e.server = TlsSession::AcceptOn(*server_ctx, e.fds->server, "");
  e.client = TlsSession::ConnectOn(*client_ctx, e.fds->client, "");
  EXPECT_EQ(e.client->Handshake(), TlsIo::kWantRead);  // ClientHello sent
  EXPECT_EQ(e.server->Handshake(), TlsIo::kWantRead);  // its flight sent; waits for the client's
  ASSERT_EQ(e.client->Handshake(), TlsIo::kOk) << e.client->error_detail();
  const std::string data = "written with the client's Finished";
  size_t n = 0;
  ASSERT_EQ(e.client->Write(data.data(), data.size(), &n), TlsIo::kOk);
  ASSERT_EQ(n, data.size());

  ASSERT_EQ(e.server->Handshake(), TlsIo::kOk) << e.server->error_detail();
  EXPECT_TRUE(e.server->offloaded());
  // All of it left the socket during the handshake.
  char probe;
  EXPECT_EQ(recv(e.fds->server, &probe, 1, MSG_PEEK | MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  char buf[256];
  n = 0;
  ASSERT_EQ(e.server->Read(buf, sizeof buf, &n), TlsIo::kOk) << e.server->error_detail();
  EXPECT_EQ(std::string(buf, n), data);
  EXPECT_EQ(Transfer(*e.server, *e.client, "and back"), "and back");
  EXPECT_EQ(Transfer(*e.client, *e.server, "again"), "again");
}

// The server side of a TLS 1.3 handshake protects its records itself and frees the SSL object;
// the client is OpenSSL's own record layer, so every byte below crosses both implementations.
TEST(TlsSessionTest, ServerRecordsAreOffloadedAfterTls13Handshake) {
  auto server_ctx = MakeServer(ServerConfig());
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  ASSERT_TRUE(server_ctx && client_ctx);
  Exchange e = Connect(*server_ctx, *client_ctx, "");
  TlsSession* server = e.server.get();
  TlsSession* client = e.client.get();
  EXPECT_TRUE(server->offloaded());
  EXPECT_EQ(server->ssl(), nullptr);
  EXPECT_FALSE(client->offloaded());  // clients keep OpenSSL (tickets arrive after the handshake)
  // What the handshake established outlives the SSL object.
  EXPECT_EQ(server->version(), "TLSv1.3");
  EXPECT_EQ(server->cipher(), client->cipher());
  EXPECT_EQ(server->alpn(), "h2");
  EXPECT_FALSE(server->resumed());
  ASSERT_TRUE(server->peer().spiffe.has_value());
  EXPECT_EQ(server->peer().spiffe->service, "web");

  EXPECT_EQ(Transfer(*client, *server, "ping"), "ping");
  EXPECT_EQ(Transfer(*server, *client, "pong"), "pong");
  // More than the socket buffers hold: the server's writes meet back-pressure (kWantWrite) and
  // are retried with the same bytes; records of every size up to 2^14 go both ways.
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 977);
  EXPECT_EQ(Transfer(*server, *client, big), big);
  EXPECT_EQ(Transfer(*client, *server, big), big);

  // The client asks for a KeyUpdate: the server moves to the client's next key, answers with its
  // own and moves its write key; then the same without a request.
  ASSERT_EQ(SSL_key_update(client->ssl(), SSL_KEY_UPDATE_REQUESTED), 1);
  EXPECT_EQ(Transfer(*client, *server, "after the update"), "after the update");
  EXPECT_EQ(Transfer(*server, *client, "answered"), "answered");
  ASSERT_EQ(SSL_key_update(client->ssl(), SSL_KEY_UPDATE_NOT_REQUESTED), 1);
  EXPECT_EQ(Transfer(*client, *server, "again"), "again");
  EXPECT_EQ(Transfer(*server, *client, "still fine"), "still fine");

  // The server's close_notify reaches OpenSSL as a clean close.
  EXPECT_EQ(server->Shutdown(), TlsIo::kOk);
  EXPECT_EQ(ReadPastWaiting(*client), TlsIo::kClosed);
  size_t written = 0;
  EXPECT_EQ(server->Write("x", 1, &written), TlsIo::kError);  // nothing after close_notify
}

class OffloadSuiteTest : public ::testing::TestWithParam<const char*> {};

TEST_P(OffloadSuiteTest, DataBothWaysAndTheClientsCloseNotify) {
  auto server_ctx = MakeServer(ServerConfig());
  config::UpstreamTls only_this = ClientConfig(pki().web);
  only_this.params.cipher_suites = {GetParam()};
  auto client_ctx = MakeClient(only_this);
  ASSERT_TRUE(server_ctx && client_ctx);
  Exchange e = Connect(*server_ctx, *client_ctx, "");
  TlsSession* server = e.server.get();
  TlsSession* client = e.client.get();
  ASSERT_TRUE(server->offloaded());
  EXPECT_EQ(server->cipher(), GetParam());
  std::string data(50000, 'd');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i % 251);
  EXPECT_EQ(Transfer(*client, *server, data), data);
  EXPECT_EQ(Transfer(*server, *client, data), data);
  EXPECT_EQ(client->Shutdown(), TlsIo::kOk);
  EXPECT_EQ(ReadPastWaiting(*server), TlsIo::kClosed);
}

INSTANTIATE_TEST_SUITE_P(Tls13Suites, OffloadSuiteTest,
                         ::testing::Values("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                           "TLS_CHACHA20_POLY1305_SHA256"));

TEST(TlsSessionTest, OffloadedServerRejectsAForgedRecord) {
  auto server_ctx = MakeServer(ServerConfig());
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  ASSERT_TRUE(server_ctx && client_ctx);
  Exchange e = Connect(*server_ctx, *client_ctx, "");
  TlsSession* server = e.server.get();
  const SocketPair& fds = *e.fds;
  ASSERT_TRUE(server->offloaded());
  // An application_data record whose tag cannot match: written under the client's feet.
  std::string forged = {23, 3, 3, 0, 40};
  forged.append(40, '\x5a');
  ASSERT_EQ(::send(fds.client, forged.data(), forged.size(), 0),
            static_cast<ssize_t>(forged.size()));
  char buf[64];
  size_t n = 0;
  EXPECT_EQ(server->Read(buf, sizeof(buf), &n), TlsIo::kError);
  EXPECT_THAT(server->error_detail(), HasSubstr("bad record MAC"));
}

TEST(TlsSessionTest, OffloadCanBeTurnedOffAndTls12KeepsOpenSsl) {
  auto off = ServerTlsContext::Create(ServerConfig(), nullptr, {.offload_records = false});
  ASSERT_TRUE(off.ok()) << off.status();
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  Exchange e = Connect(**off, *client_ctx, "");
  EXPECT_FALSE(e.server->offloaded());
  EXPECT_EQ(Transfer(*e.client, *e.server, "plain OpenSSL"), "plain OpenSSL");

  config::UpstreamTls tls12 = ClientConfig(pki().web);
  tls12.params.max_version = config::TlsVersion::kTls1_2;
  auto client12_ctx = MakeClient(tls12);
  Exchange e12 = Connect(*MakeServer(ServerConfig()), *client12_ctx, "");
  EXPECT_EQ(e12.server->version(), "TLSv1.2");
  EXPECT_FALSE(e12.server->offloaded());
  EXPECT_EQ(Transfer(*e12.server, *e12.client, "tls 1.2"), "tls 1.2");
}

TEST(TlsSessionTest, PlainEofAfterHandshakeIsClosed) {
  auto server_ctx = MakeServer(ServerConfig());
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  SocketPair fds;
  auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
  auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
  ASSERT_EQ(DriveHandshake(*server, *client).server, TlsIo::kOk);
  ::shutdown(fds.client, SHUT_WR);  // a TCP FIN without close_notify
  char buf[16];
  size_t n = 0;
  TlsIo io = TlsIo::kWantRead;
  for (int i = 0; i < 10 && io == TlsIo::kWantRead; ++i) io = server->Read(buf, sizeof(buf), &n);
  EXPECT_EQ(io, TlsIo::kClosed) << server->error_detail();
}

TEST(TlsSessionTest, ReplayedClientHelloBytesComeFirst) {
  auto server_ctx = MakeServer(ServerConfig());
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  SocketPair fds;
  auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
  ASSERT_EQ(client->Handshake(), TlsIo::kWantRead);  // the ClientHello is on the wire
  // The gateway peeks: it reads part of the hello (here the first 100 bytes) off the socket.
  char peeked[100];
  ASSERT_EQ(::recv(fds.server, peeked, sizeof(peeked), 0), 100);
  auto server = TlsSession::AcceptOn(*server_ctx, fds.server, std::string_view(peeked, 100));
  DriveResult r = DriveHandshake(*server, *client);
  ASSERT_EQ(r.server, TlsIo::kOk) << server->error_detail();
  ASSERT_EQ(r.client, TlsIo::kOk) << client->error_detail();
  EXPECT_EQ(Transfer(*client, *server, "after replay"), "after replay");

  // Without the peeked bytes the server sees a hello cut in the middle: not TLS.
  SocketPair fds2;
  auto client2 = TlsSession::ConnectOn(*client_ctx, fds2.client, "");
  ASSERT_EQ(client2->Handshake(), TlsIo::kWantRead);
  ASSERT_EQ(::recv(fds2.server, peeked, sizeof(peeked), 0), 100);
  auto server2 = TlsSession::AcceptOn(*server_ctx, fds2.server, "");
  EXPECT_EQ(DriveHandshake(*server2, *client2).server, TlsIo::kError);
  EXPECT_EQ(server2->failure(), HandshakeFailure::kProtocol) << server2->error_detail();
}

struct FailureCase {
  std::string name;
  const TestCredential* client_cert;  // nullptr: no client certificate
  HandshakeFailure want;
  std::string detail;
};

class ServerRejectsClientTest : public ::testing::TestWithParam<FailureCase> {};

TEST_P(ServerRejectsClientTest, CountsTheReason) {
  const FailureCase& c = GetParam();
  auto server_ctx = MakeServer(ServerConfig());
  config::UpstreamTls cc = ClientConfig(pki().web);
  if (c.client_cert == nullptr) {
    cc.certificate.reset();
  } else {
    cc.certificate = Pair("client", *c.client_cert);
  }
  auto client_ctx = MakeClient(cc);
  SocketPair fds;
  auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
  auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
  DriveResult r = DriveHandshake(*server, *client);
  EXPECT_EQ(r.server, TlsIo::kError);
  EXPECT_EQ(server->failure(), c.want)
      << HandshakeFailureName(server->failure()) << ": " << server->error_detail();
  EXPECT_THAT(server->error_detail(), HasSubstr(c.detail));
  // In TLS 1.3 the client learns of the rejection from the server's alert, on its next read.
  char buf[16];
  size_t n = 0;
  TlsIo io = r.client;
  for (int i = 0; i < 10 && io != TlsIo::kError && io != TlsIo::kClosed; ++i) {
    io = client->Read(buf, sizeof(buf), &n);
  }
  EXPECT_EQ(io, TlsIo::kError);
}

INSTANTIATE_TEST_SUITE_P(
    Reasons, ServerRejectsClientTest,
    ::testing::Values(
        FailureCase{"NoClientCertificate", nullptr, HandshakeFailure::kNoClientCertificate,
                    "peer did not return a certificate"},
        FailureCase{"UntrustedCa", &pki().web_rogue, HandshakeFailure::kUntrustedCa,
                    "client certificate \"spiffe://" + std::string(kTd2) +
                        "/ns/default/dc/dc2/svc/web\" rejected by trust bundle \"local+peers\": "
                        "unable to get local issuer certificate (depth 0)"},
        FailureCase{"Expired", &pki().web_expired, HandshakeFailure::kExpired,
                    "certificate has expired (depth 0)"},
        FailureCase{"NotYetValid", &pki().web_future, HandshakeFailure::kNotYetValid,
                    "certificate is not yet valid (depth 0)"},
        FailureCase{
            "WrongTrustDomain", &pki().web_td1, HandshakeFailure::kSanMismatch,
            "no SAN matches: the certificate has URI SANs [spiffe://" + std::string(kTd1) +
                "/ns/default/dc/dc1/svc/web] and no DNS SANs; expected URI regex:" + WebPattern()},
        FailureCase{"WrongService", &pki().api, HandshakeFailure::kSanMismatch,
                    "/svc/api] and no DNS SANs"}),
    [](const ::testing::TestParamInfo<FailureCase>& info) { return info.param.name; });

TEST(TlsSessionTest, ProtocolMismatches) {
  // Versions: the server wants TLS 1.3 only, the client at most 1.2.
  config::DownstreamTls sc = ServerConfig();
  sc.params.min_version = config::TlsVersion::kTls1_3;
  config::UpstreamTls cc = ClientConfig(pki().web);
  cc.params.max_version = config::TlsVersion::kTls1_2;
  {
    auto server_ctx = MakeServer(sc);
    auto client_ctx = MakeClient(cc);
    SocketPair fds;
    auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
    auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
    DriveResult r = DriveHandshake(*server, *client);
    EXPECT_EQ(r.server, TlsIo::kError);
    EXPECT_EQ(server->failure(), HandshakeFailure::kProtocol) << server->error_detail();
    EXPECT_THAT(server->error_detail(), HasSubstr("unsupported protocol"));
    EXPECT_EQ(client->failure(), HandshakeFailure::kProtocol) << client->error_detail();
  }
  // ALPN: the client offers only a protocol the server does not speak.
  {
    cc = ClientConfig(pki().web);
    cc.alpn = {"spdy/3"};
    auto server_ctx = MakeServer(ServerConfig());
    auto client_ctx = MakeClient(cc);
    SocketPair fds;
    auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
    auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
    DriveHandshake(*server, *client);
    EXPECT_EQ(server->failure(), HandshakeFailure::kProtocol) << server->error_detail();
    EXPECT_THAT(server->error_detail(), HasSubstr("no application protocol"));
  }
  // A client that offers no ALPN at all is served without it.
  {
    cc = ClientConfig(pki().web);
    cc.alpn.clear();
    auto server_ctx = MakeServer(ServerConfig());
    auto client_ctx = MakeClient(cc);
    SocketPair fds;
    auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
    auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
    EXPECT_EQ(DriveHandshake(*server, *client).server, TlsIo::kOk) << server->error_detail();
    EXPECT_EQ(server->alpn(), "");
  }
  // TLS 1.2 cipher suites with no overlap.
  {
    sc = ServerConfig();
    sc.params.max_version = config::TlsVersion::kTls1_2;
    sc.params.cipher_suites = {"ECDHE-ECDSA-AES128-GCM-SHA256"};
    cc = ClientConfig(pki().web);
    cc.params.cipher_suites = {"ECDHE-ECDSA-CHACHA20-POLY1305"};
    auto server_ctx = MakeServer(sc);
    auto client_ctx = MakeClient(cc);
    SocketPair fds;
    auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
    auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
    DriveHandshake(*server, *client);
    EXPECT_EQ(server->failure(), HandshakeFailure::kProtocol) << server->error_detail();
    EXPECT_THAT(server->error_detail(), HasSubstr("no shared cipher"));
  }
}

TEST(TlsSessionTest, Tls12MutualHandshake) {
  config::DownstreamTls sc = ServerConfig();
  sc.params.max_version = config::TlsVersion::kTls1_2;
  sc.params.cipher_suites = {"ECDHE-ECDSA-AES256-GCM-SHA384"};
  auto server_ctx = MakeServer(sc);
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  SocketPair fds;
  auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
  auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
  DriveResult r = DriveHandshake(*server, *client);
  ASSERT_EQ(r.server, TlsIo::kOk) << server->error_detail();
  EXPECT_EQ(server->version(), "TLSv1.2");
  EXPECT_EQ(server->cipher(), "ECDHE-ECDSA-AES256-GCM-SHA384");
  EXPECT_EQ(server->peer().spiffe->service, "web");
}

// Every TLS 1.2 suite Consul accepts for an ECDSA certificate works through the TLS library
// context (tls_library.h), which offers only the ciphers of mesh suites; a suite on another
// cipher is refused by name when the context is made.
class Tls12SuiteTest : public ::testing::TestWithParam<const char*> {};

TEST_P(Tls12SuiteTest, HandshakeAndData) {
  config::DownstreamTls sc = ServerConfig();
  sc.params.max_version = config::TlsVersion::kTls1_2;
  sc.params.cipher_suites = {GetParam()};
  auto server_ctx = MakeServer(sc);
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  ASSERT_TRUE(server_ctx && client_ctx);
  Exchange e = Connect(*server_ctx, *client_ctx, "");  // handshake, then data one way
  EXPECT_EQ(e.server->cipher(), GetParam());
  EXPECT_EQ(Transfer(*e.client, *e.server, "and back"), "and back");
}

INSTANTIATE_TEST_SUITE_P(ConsulSuites, Tls12SuiteTest,
                         ::testing::Values("ECDHE-ECDSA-AES128-GCM-SHA256",
                                           "ECDHE-ECDSA-AES256-GCM-SHA384",
                                           "ECDHE-ECDSA-CHACHA20-POLY1305",
                                           "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA"));

// A CBC suite whose MAC no stitched AES-CBC-HMAC cipher covers (SHA-384 always, SHA-256 on a CPU
// without AVX) has libssl MAC each record through an HMAC EVP_PKEY: the library context keeps
// HMAC's key manager and signature for it.
INSTANTIATE_TEST_SUITE_P(HmacKeySuites, Tls12SuiteTest,
                         ::testing::Values("ECDHE-ECDSA-AES128-SHA256",
                                           "ECDHE-ECDSA-AES256-SHA384"));

// Every key-share group Envoy (and Go, Consul's) may be configured with works through the TLS
// library context (tls_library.h), which offers only the key managers and key exchanges of mesh
// key types. X448 is OpenSSL's, kept too.
class KeyShareGroupTest : public ::testing::TestWithParam<const char*> {};

TEST_P(KeyShareGroupTest, HandshakeAndData) {
  config::DownstreamTls sc = ServerConfig();
  sc.params.ecdh_curves = {GetParam()};
  config::UpstreamTls cc = ClientConfig(pki().web);
  cc.params.ecdh_curves = {GetParam()};
  auto server_ctx = MakeServer(sc);
  auto client_ctx = MakeClient(cc);
  ASSERT_TRUE(server_ctx && client_ctx);
  Exchange e = Connect(*server_ctx, *client_ctx, "");
  EXPECT_EQ(Transfer(*e.client, *e.server, "and back"), "and back");
}

INSTANTIATE_TEST_SUITE_P(MeshGroups, KeyShareGroupTest,
                         ::testing::Values("X25519", "P-256", "P-384", "P-521", "X448"));

// The library context has no DH key manager: OpenSSL's TLS 1.3 FFDHE groups (which neither Go
// nor BoringSSL implements) are a configuration error naming the group, not a silent fallback.
TEST(TlsSessionTest, FfdheGroupIsRefusedByName) {
  config::DownstreamTls sc = ServerConfig();
  sc.params.ecdh_curves = {"ffdhe2048"};
  auto ctx = ServerTlsContext::Create(sc, nullptr);
  ASSERT_FALSE(ctx.ok());
  EXPECT_THAT(ctx.status().message(), HasSubstr("unknown ECDH curve \"ffdhe2048\""));
}

TEST(TlsSessionTest, SuiteOnACipherNoMeshUsesIsUnknown) {
  config::DownstreamTls sc = ServerConfig();
  sc.params.cipher_suites = {"ECDHE-ECDSA-CAMELLIA128-SHA256"};
  auto ctx = ServerTlsContext::Create(sc, nullptr);
  ASSERT_FALSE(ctx.ok());
  EXPECT_THAT(ctx.status().message(),
              HasSubstr("unknown cipher suite \"ECDHE-ECDSA-CAMELLIA128-SHA256\""));
}

TEST(TlsSessionTest, NotTlsAtAll) {
  auto server_ctx = MakeServer(ServerConfig());
  SocketPair fds;
  const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  auto server = TlsSession::AcceptOn(*server_ctx, fds.server, http);
  EXPECT_EQ(server->Handshake(), TlsIo::kError);
  EXPECT_EQ(server->failure(), HandshakeFailure::kProtocol) << server->error_detail();
  EXPECT_THAT(server->error_detail(), HasSubstr("http request"));
}

TEST(TlsSessionTest, PeerClosedDuringHandshake) {
  auto server_ctx = MakeServer(ServerConfig());
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  SocketPair fds;
  auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
  ASSERT_EQ(client->Handshake(), TlsIo::kWantRead);
  auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
  ASSERT_EQ(server->Handshake(), TlsIo::kWantRead);  // answered the hello; waits for the client
  client.reset();
  close(fds.client);
  fds.client = -1;
  TlsIo io = server->Handshake();
  EXPECT_EQ(io, TlsIo::kError);
  EXPECT_EQ(server->failure(), HandshakeFailure::kPeerClosed) << server->error_detail();
}

TEST(TlsSessionTest, ClientRejectsServer) {
  // The server's chain leads to a CA the client does not trust.
  config::UpstreamTls cc = ClientConfig(pki().web);
  cc.trust->trusted_ca_pem = pki().root2.cert_pem;
  {
    auto server_ctx = MakeServer(ServerConfig());
    auto client_ctx = MakeClient(cc);
    SocketPair fds;
    auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
    auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
    DriveResult r = DriveHandshake(*server, *client);
    EXPECT_EQ(r.client, TlsIo::kError);
    EXPECT_EQ(client->failure(), HandshakeFailure::kUntrustedCa) << client->error_detail();
    EXPECT_THAT(client->error_detail(),
                HasSubstr("server certificate \"spiffe://" + std::string(kTd1) +
                          "/gateway/mesh/dc/dc1\" rejected by trust bundle \"dc1 roots\""));
    // The server hears the alert: the peer rejected its CA.
    EXPECT_EQ(server->failure(), HandshakeFailure::kUntrustedCa) << server->error_detail();
  }
  // Trusted, but not the gateway the client pinned (dc2's instead of dc1's).
  cc = ClientConfig(pki().web);
  cc.trust->match_sans = {UriExact(MeshGatewaySpiffeId(kTd1, "dc2"))};
  {
    auto server_ctx = MakeServer(ServerConfig());
    auto client_ctx = MakeClient(cc);
    SocketPair fds;
    auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
    auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
    DriveHandshake(*server, *client);
    EXPECT_EQ(client->failure(), HandshakeFailure::kSanMismatch) << client->error_detail();
    EXPECT_THAT(client->error_detail(), HasSubstr("expected URI exact:spiffe://" +
                                                  std::string(kTd1) + "/gateway/mesh/dc/dc2"));
  }
}

// Runs one full client/server exchange and returns the sessions (handshake done, data read so
// that TLS 1.3 tickets have arrived).
TEST(TlsSessionTest, ResumptionKeepsThePeerIdentity) {
  auto server_ctx = MakeServer(ServerConfig());
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  Exchange first = Connect(*server_ctx, *client_ctx, "127.0.0.1:8443");
  EXPECT_FALSE(first.server->resumed());
  EXPECT_EQ(client_ctx->stored_sessions(), 1u);

  Exchange second = Connect(*server_ctx, *client_ctx, "127.0.0.1:8443");
  EXPECT_TRUE(second.server->resumed());
  EXPECT_TRUE(second.client->resumed());
  PeerIdentity who = second.server->peer();
  ASSERT_TRUE(who.spiffe.has_value());
  EXPECT_EQ(who.spiffe->ToString(), ServiceSpiffeId(kTd2, "default", "dc2", "web"));
  EXPECT_EQ(second.client->peer().spiffe->kind, SpiffeId::Kind::kMeshGateway);

  // Another endpoint key has no session; neither does a context built from new config.
  Exchange other = Connect(*server_ctx, *client_ctx, "127.0.0.2:8443");
  EXPECT_FALSE(other.client->resumed());
  EXPECT_EQ(client_ctx->stored_sessions(), 2u);
  auto new_server_ctx = MakeServer(ServerConfig());
  Exchange fresh = Connect(*new_server_ctx, *client_ctx, "127.0.0.1:8443");
  EXPECT_FALSE(fresh.server->resumed());
}

// The server keeps its sessions without the client's certificate (ServerSessionStore): a session
// resumed again and again (each resumption issues a new ticket from a copy of the session) still
// carries the identity, and the store is bounded.
TEST(TlsSessionTest, ServerSessionStoreKeepsIdentitiesNotCertificates) {
  auto server_ctx = ServerTlsContext::Create(ServerConfig(), nullptr, {.session_cache_size = 2});
  ASSERT_TRUE(server_ctx.ok()) << server_ctx.status();
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  Exchange first = Connect(**server_ctx, *client_ctx, "a");
  EXPECT_EQ((*server_ctx)->stored_sessions(), 1u);
  for (int i = 0; i < 3; ++i) {
    Exchange again = Connect(**server_ctx, *client_ctx, "a");
    ASSERT_TRUE(again.server->resumed()) << i;
    PeerIdentity who = again.server->peer();
    EXPECT_TRUE(who.presented);
    ASSERT_TRUE(who.spiffe.has_value()) << i;
    EXPECT_EQ(who.spiffe->service, "web");
    EXPECT_EQ(who.subject, "CN=web");
  }
  // Two other clients' sessions push the first one out (capacity 2).
  Connect(**server_ctx, *client_ctx, "b");
  Connect(**server_ctx, *client_ctx, "c");
  EXPECT_EQ((*server_ctx)->stored_sessions(), 2u);
  EXPECT_FALSE(Connect(**server_ctx, *client_ctx, "a").server->resumed());
}

TEST(TlsSessionTest, ResumptionWithStatelessTickets) {
  auto server_ctx = ServerTlsContext::Create(ServerConfig(), nullptr, {.stateless_tickets = true});
  ASSERT_TRUE(server_ctx.ok()) << server_ctx.status();
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  Exchange first = Connect(**server_ctx, *client_ctx, "k");
  Exchange second = Connect(**server_ctx, *client_ctx, "k");
  EXPECT_TRUE(second.server->resumed());
  EXPECT_EQ(second.server->peer().spiffe->service, "web");
}

TEST(TlsSessionTest, ResumptionWithoutTickets) {
  config::DownstreamTls sc = ServerConfig();
  sc.session_tickets = false;
  sc.params.max_version = config::TlsVersion::kTls1_2;  // TLS 1.2 session IDs
  auto server_ctx = MakeServer(sc);
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  Exchange first = Connect(*server_ctx, *client_ctx, "k");
  Exchange second = Connect(*server_ctx, *client_ctx, "k");
  EXPECT_TRUE(second.server->resumed());
  EXPECT_EQ(second.server->version(), "TLSv1.2");
  EXPECT_EQ(second.server->peer().spiffe->service, "web");
}

TEST(TlsSessionTest, SessionStoreIsBounded) {
  auto client_ctx = ClientTlsContext::Create(ClientConfig(pki().web), nullptr, {.max_sessions = 2});
  ASSERT_TRUE(client_ctx.ok()) << client_ctx.status();
  auto server_ctx = MakeServer(ServerConfig());
  Connect(*server_ctx, **client_ctx, "a");
  Connect(*server_ctx, **client_ctx, "b");
  Connect(*server_ctx, **client_ctx, "c");  // evicts "a", the least recently used
  EXPECT_EQ((*client_ctx)->stored_sessions(), 2u);
  EXPECT_FALSE(Connect(*server_ctx, **client_ctx, "a").client->resumed());
  EXPECT_TRUE(Connect(*server_ctx, **client_ctx, "c").client->resumed());
}

TEST(TlsSessionTest, VerifiedChainCacheSkipsRepeatedVerification) {
  absl::Time now = absl::Now();
  VerifiedChainCache cache({.capacity = 100, .now = [&now] { return now; }});
  auto server_ctx = MakeServer(ServerConfig(), &cache);
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  Connect(*server_ctx, *client_ctx, "");  // no session key: every handshake is full
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 0u);
  Exchange again = Connect(*server_ctx, *client_ctx, "");
  EXPECT_FALSE(again.server->resumed());
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(again.server->peer().spiffe->service, "web");  // identity as on a full check

  // A cached chain still needs its own key: a different leaf from the same CA is a miss.
  auto api_ctx = MakeClient([] {
    config::UpstreamTls c = ClientConfig(pki().api);
    return c;
  }());
  {
    SocketPair fds;
    auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
    auto client = TlsSession::ConnectOn(*api_ctx, fds.client, "");
    DriveHandshake(*server, *client);
    EXPECT_EQ(server->failure(), HandshakeFailure::kSanMismatch);  // SANs are never cached
  }
  EXPECT_EQ(cache.misses(), 2u);

  // A trust bundle with another version (a CA added or removed) misses.
  config::DownstreamTls sc = ServerConfig();
  sc.trust->version = 43;
  auto new_bundle_ctx = MakeServer(sc, &cache);
  Connect(*new_bundle_ctx, *client_ctx, "");
  EXPECT_EQ(cache.misses(), 3u);
  Connect(*new_bundle_ctx, *client_ctx, "");
  EXPECT_EQ(cache.hits(), 2u);

  // Past the chain's earliest notAfter (the leaf's, 24 h from now) the entry is not used.
  now += absl::Hours(25);
  Connect(*new_bundle_ctx, *client_ctx, "");
  EXPECT_EQ(cache.misses(), 4u);
  EXPECT_EQ(cache.hits(), 2u);
}

TEST(TlsSessionTest, CacheNeverTrustsARemovedCa) {
  VerifiedChainCache cache;
  auto server_ctx = MakeServer(ServerConfig(), &cache);
  auto client_ctx = MakeClient(ClientConfig(pki().web));
  Connect(*server_ctx, *client_ctx, "");
  // The peer's CA leaves the bundle: the new bundle has a new version, so the cached success
  // does not apply and the chain fails.
  config::DownstreamTls sc = ServerConfig();
  sc.trust = Bundle("local only", pki().root1.cert_pem, 99, {UriRegex(WebPattern())});
  auto local_only = MakeServer(sc, &cache);
  SocketPair fds;
  auto server = TlsSession::AcceptOn(*local_only, fds.server, "");
  auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
  DriveHandshake(*server, *client);
  EXPECT_EQ(server->failure(), HandshakeFailure::kUntrustedCa) << server->error_detail();
  EXPECT_EQ(cache.hits(), 0u);
}

TEST(TlsSessionTest, ClientSideCacheAndDnsPinning) {
  // An originating context may share the cache: the peer gateway's chain is verified once.
  VerifiedChainCache cache;
  config::UpstreamTls cc = ClientConfig(pki().web);
  cc.trust->match_sans = {{.type = config::SanMatcher::Type::kDns,
                           .matcher = config::StringMatcher::Exact("mesh-gateway.dc1")}};
  auto client_ctx = ClientTlsContext::Create(cc, &cache);
  ASSERT_TRUE(client_ctx.ok()) << client_ctx.status();
  auto server_ctx = MakeServer(ServerConfig(), &cache);
  Connect(*server_ctx, **client_ctx, "");
  EXPECT_EQ(cache.misses(),
            2u);  // the server's chain (by the client), the client's (by the server)
  Connect(*server_ctx, **client_ctx, "");
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.size(), 2u);  // same bundle versions would still not mix: purposes differ

  // A DNS pin that the gateway's certificate does not carry.
  cc.trust->match_sans = {{.type = config::SanMatcher::Type::kDns,
                           .matcher = config::StringMatcher::Exact("mesh-gateway.dc2")}};
  auto wrong = MakeClient(cc);
  SocketPair fds;
  auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
  auto client = TlsSession::ConnectOn(*wrong, fds.client, "");
  DriveHandshake(*server, *client);
  EXPECT_EQ(client->failure(), HandshakeFailure::kSanMismatch);
  EXPECT_THAT(client->error_detail(), HasSubstr("DNS SANs [mesh-gateway.dc1]; expected DNS "
                                                "exact:mesh-gateway.dc2"));
}

TEST(TlsSessionTest, OptionalClientCertificate) {
  config::DownstreamTls sc = ServerConfig();
  sc.require_client_certificate = false;
  auto server_ctx = MakeServer(sc);
  config::UpstreamTls cc = ClientConfig(pki().web);
  cc.certificate.reset();
  auto client_ctx = MakeClient(cc);
  SocketPair fds;
  auto server = TlsSession::AcceptOn(*server_ctx, fds.server, "");
  auto client = TlsSession::ConnectOn(*client_ctx, fds.client, "");
  ASSERT_EQ(DriveHandshake(*server, *client).server, TlsIo::kOk) << server->error_detail();
  EXPECT_FALSE(server->peer().presented);
  EXPECT_TRUE(server->peer().uri_sans.empty());
}

TEST(TlsSessionTest, NamesAreStable) {
  EXPECT_EQ(HandshakeFailureName(HandshakeFailure::kNone), "none");
  EXPECT_EQ(HandshakeFailureName(HandshakeFailure::kNoClientCertificate), "no_client_certificate");
  EXPECT_EQ(HandshakeFailureName(HandshakeFailure::kUntrustedCa), "untrusted_ca");
  EXPECT_EQ(HandshakeFailureName(HandshakeFailure::kExpired), "expired");
  EXPECT_EQ(HandshakeFailureName(HandshakeFailure::kNotYetValid), "not_yet_valid");
  EXPECT_EQ(HandshakeFailureName(HandshakeFailure::kSanMismatch), "san_mismatch");
  EXPECT_EQ(HandshakeFailureName(HandshakeFailure::kProtocol), "protocol");
  EXPECT_EQ(HandshakeFailureName(HandshakeFailure::kPeerClosed), "peer_closed");
  EXPECT_EQ(HandshakeFailureName(HandshakeFailure::kOther), "other");
  EXPECT_EQ(TlsIoName(TlsIo::kWantWrite), "want_write");
}

}  // namespace
}  // namespace meshgw::gateway::tls
