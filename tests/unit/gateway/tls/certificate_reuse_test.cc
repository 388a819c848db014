// d2i_X509 as the gateway defines it: libcrypto's outside a CertificateReuseScope; inside one, the
// same bytes give the same decoded certificate on this thread. Then real mutual TLS handshakes:
// libssl's calls land here (the reuse counters move), and reuse never lets a refused chain in.
#include "gateway/tls/certificate_reuse.h"

#include <openssl/x509.h>

#include <string>
#include <thread>

#include "common/spiffe.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/tls/test_pki.h"
#include "tests/unit/gateway/tls/tls_test_util.h"

namespace meshgw::gateway::tls {
namespace {

using namespace ::meshgw::gateway::tls::testing;  // NOLINT: test helpers

std::string Der(X509* cert) {
  const int len = i2d_X509(cert, nullptr);
  std::string der(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &p);
  return der;
}

// Decodes `bytes` as libssl does: into a fresh X509, then checks how far the input moved.
struct Decoded {
  X509* cert = nullptr;
  size_t consumed = 0;
};
Decoded Decode(const std::string& bytes) {
  Decoded d;
  X509* x = X509_new();
  const auto* start = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned char* p = start;
  if (d2i_X509(&x, &p, static_cast<long>(bytes.size())) == nullptr) {
    X509_free(x);
    return d;
  }
  d.cert = x;
  d.consumed = static_cast<size_t>(p - start);
  return d;
}

class CertificateReuseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ClearThisThreadCertificateReuse();
    before_ = ThisThreadCertificateReuse();
  }
  void TearDown() override { ClearThisThreadCertificateReuse(); }
  uint64_t reused() const { return ThisThreadCertificateReuse().reused - before_.reused; }
  uint64_t decoded() const { return ThisThreadCertificateReuse().decoded - before_.decoded; }

  CertificateReuseStats before_;
  TestCredential root_ = MakeRootCa("Consul CA td1");
  TestCredential leaf_ = Issue(root_, {.common_name = "web"});
};

TEST_F(CertificateReuseTest, OutsideAScopeEveryCallDecodes) {
  const std::string der = Der(leaf_.cert.get());
  Decoded a = Decode(der), b = Decode(der);
  ASSERT_NE(a.cert, nullptr);
  ASSERT_NE(b.cert, nullptr);
  EXPECT_NE(a.cert, b.cert);
  EXPECT_EQ(a.consumed, der.size());
  EXPECT_EQ(reused(), 0u);
  EXPECT_EQ(decoded(), 0u);  // not even counted: the scope is what turns the cache on
  EXPECT_EQ(ThisThreadCertificateReuse().cached, 0u);
  X509_free(a.cert);
  X509_free(b.cert);
}

TEST_F(CertificateReuseTest, InAScopeTheSameBytesGiveTheSameCertificate) {
  const std::string der = Der(leaf_.cert.get());
  CertificateReuseScope scope;
  Decoded a = Decode(der), b = Decode(der);
  ASSERT_NE(a.cert, nullptr);
  EXPECT_EQ(a.cert, b.cert);
  EXPECT_EQ(b.consumed, der.size());
  EXPECT_EQ(Der(b.cert), der);
  EXPECT_EQ(decoded(), 1u);
  EXPECT_EQ(reused(), 1u);
  EXPECT_EQ(ThisThreadCertificateReuse().cached, 1u);
  // Each caller owns a reference: freeing both leaves the cache's, which still decodes right.
  X509_free(a.cert);
  X509_free(b.cert);
  Decoded c = Decode(der);
  ASSERT_NE(c.cert, nullptr);
  EXPECT_EQ(X509_cmp(c.cert, leaf_.cert.get()), 0);
  EXPECT_NE(X509_get0_pubkey(c.cert), nullptr);
  X509_free(c.cert);
  // Without `a`, as d2i_X509(nullptr, ...) callers do.
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* d = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  EXPECT_EQ(d, c.cert);
  EXPECT_EQ(p, reinterpret_cast<const unsigned char*>(der.data()) + der.size());
  X509_free(d);
}

TEST_F(CertificateReuseTest, TrailingBytesAreLeftWhereLibcryptoLeavesThem) {
  const std::string der = Der(leaf_.cert.get());
  const std::string with_tail = der + "tail";
  CertificateReuseScope scope;
  Decoded a = Decode(with_tail), b = Decode(with_tail);
  ASSERT_NE(a.cert, nullptr);
  EXPECT_EQ(a.consumed, der.size());
  EXPECT_EQ(b.consumed, der.size());
  EXPECT_EQ(reused(), 1u);
  // The key is every byte given: the certificate alone is another input, decoded anew.
  Decoded c = Decode(der);
  EXPECT_EQ(decoded(), 2u);
  X509_free(a.cert);
  X509_free(b.cert);
  X509_free(c.cert);
}

TEST_F(CertificateReuseTest, BadBytesFailEveryTimeAndAreNotKept) {
  const std::string der = Der(leaf_.cert.get());
  const std::string truncated = der.substr(0, der.size() - 10);
  CertificateReuseScope scope;
  EXPECT_EQ(Decode(truncated).cert, nullptr);
  EXPECT_EQ(Decode(truncated).cert, nullptr);
  EXPECT_EQ(reused(), 0u);
  EXPECT_EQ(decoded(), 2u);
  EXPECT_EQ(ThisThreadCertificateReuse().cached, 0u);
}

TEST_F(CertificateReuseTest, OneByteApartIsAnotherCertificate) {
  const std::string der = Der(leaf_.cert.get());
  std::string other = der;
  other.back() ^= 0x01;  // a bit of the signature: still decodes, to another certificate
  CertificateReuseScope scope;
  Decoded a = Decode(der), b = Decode(other);
  ASSERT_NE(a.cert, nullptr);
  ASSERT_NE(b.cert, nullptr);
  EXPECT_NE(a.cert, b.cert);
  EXPECT_EQ(Der(b.cert), other);
  EXPECT_EQ(reused(), 0u);
  X509_free(a.cert);
  X509_free(b.cert);
}

TEST_F(CertificateReuseTest, BoundedLeastRecentlyUsedFirst) {
  const std::string der = Der(leaf_.cert.get());
  // Distinct decodable inputs: the certificate with a different last signature byte.
  auto variant = [&der](size_t i) {
    std::string v = der;
    v[v.size() - 1] = static_cast<char>(i & 0xff);
    v[v.size() - 2] = static_cast<char>((i >> 8) & 0xff);
    return v;
  };
  CertificateReuseScope scope;
  for (size_t i = 0; i < kCertificateReuseCapacity; ++i) X509_free(Decode(variant(i)).cert);
  EXPECT_EQ(ThisThreadCertificateReuse().cached, kCertificateReuseCapacity);
  X509_free(Decode(variant(0)).cert);  // used again: now the most recent
  EXPECT_EQ(reused(), 1u);
  X509_free(Decode(variant(kCertificateReuseCapacity)).cert);  // drops variant(1)
  EXPECT_EQ(ThisThreadCertificateReuse().cached, kCertificateReuseCapacity);
  X509_free(Decode(variant(0)).cert);
  EXPECT_EQ(reused(), 2u);
  const uint64_t decoded_before = decoded();
  X509_free(Decode(variant(1)).cert);
  EXPECT_EQ(decoded(), decoded_before + 1);
}

TEST_F(CertificateReuseTest, ScopesNestAndAnInactiveScopeChangesNothing) {
  const std::string der = Der(leaf_.cert.get());
  {
    CertificateReuseScope inactive(/*active=*/false);
    X509_free(Decode(der).cert);
  }
  EXPECT_EQ(decoded(), 0u);
  {
    CertificateReuseScope outer;
    {
      CertificateReuseScope inner;
      X509_free(Decode(der).cert);
    }
    X509_free(Decode(der).cert);  // the outer scope is still open
  }
  X509_free(Decode(der).cert);  // closed: libcrypto's, uncounted
  EXPECT_EQ(decoded(), 1u);
  EXPECT_EQ(reused(), 1u);
}

TEST_F(CertificateReuseTest, EachThreadHasItsOwn) {
  const std::string der = Der(leaf_.cert.get());
  CertificateReuseScope scope;
  X509_free(Decode(der).cert);
  CertificateReuseStats other;
  std::thread t([&] {
    CertificateReuseScope s;
    X509_free(Decode(der).cert);
    other = ThisThreadCertificateReuse();
    ClearThisThreadCertificateReuse();
  });
  t.join();
  EXPECT_EQ(other.decoded, 1u);
  EXPECT_EQ(other.reused, 0u);
  EXPECT_EQ(decoded(), 1u);
}

class HandshakeReuseTest : public CertificateReuseTest {
 protected:
  std::shared_ptr<ServerTlsContext> Server() {
    config::DownstreamTls c;
    c.certificate = Pair("mesh-gateway-leaf", pki_.gateway);
    c.trust =
        Bundle("local+peers", pki_.root1.cert_pem + pki_.root2.cert_pem, 1,
               {UriRegex("^spiffe://" + std::string(kTd2) + "/ns/default/dc/[^/]+/svc/web$")});
    c.require_client_certificate = true;
    auto ctx = ServerTlsContext::Create(c, nullptr);  // no verified-chain cache: verify each time
    EXPECT_TRUE(ctx.ok()) << ctx.status();
    return ctx.ok() ? *ctx : nullptr;
  }
  std::shared_ptr<ClientTlsContext> Client(const TestCredential& cred) {
    config::UpstreamTls c;
    c.certificate = Pair("client-leaf", cred);
    c.trust =
        Bundle("dc1 roots", pki_.root1.cert_pem, 1, {UriExact(MeshGatewaySpiffeId(kTd1, "dc1"))});
    c.sni = "web.default.dc1.internal." + std::string(kTd1);
    auto ctx = ClientTlsContext::Create(c);
    EXPECT_TRUE(ctx.ok()) << ctx.status();
    return ctx.ok() ? *ctx : nullptr;
  }
  // One full handshake (no session key, so no resumption); the server's failure.
  HandshakeFailure Handshake(ServerTlsContext& server_ctx, ClientTlsContext& client_ctx) {
    SocketPair fds;
    auto server = TlsSession::AcceptOn(server_ctx, fds.server, "");
    auto client = TlsSession::ConnectOn(client_ctx, fds.client, "");
    DriveResult r = DriveHandshake(*server, *client);
    if (r.server == TlsIo::kOk) {
      EXPECT_FALSE(server->resumed());
      EXPECT_EQ(server->peer().spiffe->service, "web");
    }
    return server->failure();
  }

  PeeringPki pki_;  // tls_test_util.h
};

TEST_F(HandshakeReuseTest, LibsslDecodesEachPeerCertificateOncePerThread) {
  auto server_ctx = Server();
  auto client_ctx = Client(pki_.web);
  ASSERT_TRUE(server_ctx && client_ctx);
  ASSERT_EQ(Handshake(*server_ctx, *client_ctx), HandshakeFailure::kNone);
  // Both ends run on this thread: the server decoded the client's leaf and intermediate, the
  // client the gateway's leaf. Zero here would mean libssl's calls do not reach our d2i_X509.
  EXPECT_EQ(decoded(), 3u);
  EXPECT_EQ(reused(), 0u);
  ASSERT_EQ(Handshake(*server_ctx, *client_ctx), HandshakeFailure::kNone);
  EXPECT_EQ(decoded(), 3u);
  EXPECT_EQ(reused(), 3u);
}

TEST_F(HandshakeReuseTest, AReusedCertificateIsStillVerified) {
  auto server_ctx = Server();
  auto rogue_ctx = Client(pki_.web_rogue);
  ASSERT_TRUE(server_ctx && rogue_ctx);
  EXPECT_EQ(Handshake(*server_ctx, *rogue_ctx), HandshakeFailure::kUntrustedCa);
  const uint64_t reused_after_first = reused();
  EXPECT_EQ(Handshake(*server_ctx, *rogue_ctx), HandshakeFailure::kUntrustedCa);
  EXPECT_GT(reused(), reused_after_first);  // the rogue leaf came from the cache, and failed
}

}  // namespace
}  // namespace meshgw::gateway::tls
