// ServerTlsContext / ClientTlsContext construction: every bad input is an error naming where it
// is and what is wrong.
#include <openssl/err.h>
#include <openssl/pem.h>

#include <string>

#include "gateway/tls/client_context.h"
#include "gateway/tls/pem.h"
#include "gateway/tls/server_context.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/tls/test_pki.h"
#include "tests/unit/gateway/tls/tls_test_util.h"

namespace meshgw::gateway::tls {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace ::meshgw::gateway::tls::testing;  // NOLINT: test helpers

struct Creds {
  TestCredential root = MakeRootCa("root");
  TestCredential leaf =
      Issue(root, {.common_name = "gw", .uri_sans = {"spiffe://td/gateway/mesh/dc/dc1"}});
  TestCredential other = Issue(root, {.common_name = "other"});
};
const Creds& creds() {
  static const Creds* c = new Creds();
  return *c;
}

config::DownstreamTls Good() {
  config::DownstreamTls c;
  c.certificate = Pair("gw-leaf", creds().leaf);
  c.trust = Bundle("peers", creds().root.cert_pem, 1);
  c.require_client_certificate = true;
  return c;
}

std::string ServerError(const config::DownstreamTls& c) {
  auto ctx = ServerTlsContext::Create(c, nullptr);
  if (ctx.ok()) return "OK";
  EXPECT_EQ(ctx.status().code(), absl::StatusCode::kInvalidArgument) << ctx.status();
  return std::string(ctx.status().message());
}

TEST(ServerTlsContextTest, GoodConfig) { EXPECT_EQ(ServerError(Good()), "OK"); }

TEST(ServerTlsContextTest, CertificateErrors) {
  config::DownstreamTls c = Good();
  c.certificate.certificate_chain_pem = "not a certificate";
  EXPECT_THAT(ServerError(c), StartsWith("certificate \"gw-leaf\": no PEM certificate found"));

  c = Good();
  std::string pem = creds().leaf.cert_pem;
  pem[pem.size() / 2] = '!';  // corrupt the base64 body
  c.certificate.certificate_chain_pem = pem;
  EXPECT_THAT(ServerError(c),
              StartsWith("certificate \"gw-leaf\": certificate 1 of the chain is not valid PEM"));

  c = Good();
  c.certificate.private_key_pem = "";
  EXPECT_THAT(ServerError(c), StartsWith("certificate \"gw-leaf\": no PEM private key found"));

  c = Good();
  c.certificate.private_key_pem = creds().other.key_pem;
  EXPECT_THAT(ServerError(c), StartsWith("certificate \"gw-leaf\": the private key does not "
                                         "match the leaf certificate"));

  // An encrypted key is refused rather than prompting for a password on the terminal.
  BIO* bio = BIO_new(BIO_s_mem());
  char pass[] = "secret";
  PEM_write_bio_PKCS8PrivateKey(bio, creds().leaf.key.get(), EVP_aes_256_cbc(), pass, 6, nullptr,
                                nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  c = Good();
  c.certificate.private_key_pem.assign(data, static_cast<size_t>(len));
  BIO_free(bio);
  EXPECT_EQ(ServerError(c),
            "certificate \"gw-leaf\": the private key is encrypted; give it "
            "unencrypted");
}

TEST(ServerTlsContextTest, TrustErrors) {
  config::DownstreamTls c = Good();
  c.trust.reset();
  EXPECT_EQ(ServerError(c),
            "certificate \"gw-leaf\": require_client_certificate needs a trust "
            "bundle to verify clients against");
  c = Good();
  c.trust->trusted_ca_pem = "";
  EXPECT_THAT(ServerError(c), StartsWith("trust bundle \"peers\": no PEM certificate found"));
  // Two peers' bundles repeating the same root are fine.
  c = Good();
  c.trust->trusted_ca_pem = creds().root.cert_pem + creds().root.cert_pem;
  EXPECT_EQ(ServerError(c), "OK");
}

TEST(ServerTlsContextTest, ParameterErrors) {
  config::DownstreamTls c = Good();
  c.params.cipher_suites = {"ECDHE-ECDSA-AES128-GCM-SHA256", "AES-FOO"};
  EXPECT_EQ(ServerError(c), "certificate \"gw-leaf\": unknown cipher suite \"AES-FOO\"");

  c = Good();
  c.params.cipher_suites = {"TLS_AES_128_GCM_SHA256", "TLS_AES_999_GCM"};
  EXPECT_EQ(ServerError(c),
            "certificate \"gw-leaf\": unknown TLS 1.3 cipher suite "
            "\"TLS_AES_999_GCM\"");

  c = Good();
  c.params.cipher_suites = {"ECDHE-ECDSA-AES128-GCM-SHA256:AES256-SHA"};
  EXPECT_EQ(ServerError(c),
            "certificate \"gw-leaf\": cipher suite "
            "\"ECDHE-ECDSA-AES128-GCM-SHA256:AES256-SHA\" is not one OpenSSL "
            "suite name");

  c = Good();
  c.params.cipher_suites = {"TLS_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384"};
  c.params.ecdh_curves = {"X25519", "P-256"};
  EXPECT_EQ(ServerError(c), "OK");

  c = Good();
  c.params.ecdh_curves = {"X25519", "P-999"};
  EXPECT_EQ(ServerError(c), "certificate \"gw-leaf\": unknown ECDH curve \"P-999\"");

  c = Good();
  c.params.min_version = config::TlsVersion::kTls1_3;
  c.params.max_version = config::TlsVersion::kTls1_2;
  EXPECT_EQ(ServerError(c),
            "certificate \"gw-leaf\": minimum TLS version TLS 1.3 is above the "
            "maximum TLS 1.2");

  c = Good();
  c.alpn = {"h2", ""};
  EXPECT_EQ(ServerError(c), "certificate \"gw-leaf\": ALPN protocol \"\" must be 1 to 255 bytes");
}

TEST(ServerTlsContextTest, OneContextServesManySessions) {
  auto ctx = ServerTlsContext::Create(Good(), nullptr);
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  EXPECT_EQ((*ctx)->certificate_name(), "gw-leaf");
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*ctx)->ssl_ctx()), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version((*ctx)->ssl_ctx()), TLS1_3_VERSION);
  EXPECT_NE(SSL_CTX_get_mode((*ctx)->ssl_ctx()) & SSL_MODE_RELEASE_BUFFERS, 0u);
  EXPECT_EQ(SSL_CTX_get_verify_mode((*ctx)->ssl_ctx()),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  // Stateful resumption by default; stateless tickets only when both the option and the config
  // allow them.
  EXPECT_NE(SSL_CTX_get_options((*ctx)->ssl_ctx()) & SSL_OP_NO_TICKET, 0u);
  auto stateless = ServerTlsContext::Create(Good(), nullptr, {.stateless_tickets = true});
  ASSERT_TRUE(stateless.ok());
  EXPECT_EQ(SSL_CTX_get_options((*stateless)->ssl_ctx()) & SSL_OP_NO_TICKET, 0u);
  config::DownstreamTls no_tickets = Good();
  no_tickets.session_tickets = false;
  auto ctx2 = ServerTlsContext::Create(no_tickets, nullptr, {.stateless_tickets = true});
  ASSERT_TRUE(ctx2.ok());
  EXPECT_NE(SSL_CTX_get_options((*ctx2)->ssl_ctx()) & SSL_OP_NO_TICKET, 0u);
  // Sessions go to the context's own store (without certificates), not OpenSSL's cache.
  EXPECT_EQ(SSL_CTX_get_session_cache_mode((*ctx)->ssl_ctx()),
            SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
  EXPECT_EQ((*ctx)->stored_sessions(), 0u);
}

TEST(ClientTlsContextTest, Errors) {
  config::UpstreamTls c;
  c.certificate = Pair("web-leaf", creds().leaf);
  c.certificate->private_key_pem = creds().other.key_pem;
  auto ctx = ClientTlsContext::Create(c);
  ASSERT_FALSE(ctx.ok());
  EXPECT_THAT(std::string(ctx.status().message()),
              StartsWith("certificate \"web-leaf\": the private key does not match"));

  config::UpstreamTls no_cert;
  no_cert.params.cipher_suites = {"NOPE"};
  ctx = ClientTlsContext::Create(no_cert);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().message(), "upstream TLS: unknown cipher suite \"NOPE\"");

  config::UpstreamTls bad_trust;
  bad_trust.trust = Bundle("dc2 roots", "garbage", 3);
  ctx = ClientTlsContext::Create(bad_trust);
  ASSERT_FALSE(ctx.ok());
  EXPECT_THAT(std::string(ctx.status().message()),
              StartsWith("trust bundle \"dc2 roots\": no PEM certificate found"));

  config::UpstreamTls good;
  good.certificate = Pair("web-leaf", creds().leaf);
  good.trust = Bundle("dc2 roots", creds().root.cert_pem, 3);
  good.sni = "api.default.default.dc1.external.td";
  ctx = ClientTlsContext::Create(good);
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  EXPECT_EQ((*ctx)->sni(), "api.default.default.dc1.external.td");
  EXPECT_EQ(SSL_CTX_get_verify_mode((*ctx)->ssl_ctx()), SSL_VERIFY_PEER);
}

TEST(PemTest, ChainOrderAndErrorQueueDrained) {
  TestCredential inter = Issue(creds().root, {.common_name = "inter", .is_ca = true});
  TestCredential leaf = Issue(inter, {.common_name = "leaf"});
  auto chain = LoadCertificateChain(leaf.chain_pem, "x");
  ASSERT_TRUE(chain.ok()) << chain.status();
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ(X509_cmp((*chain)[0].get(), leaf.cert.get()), 0);
  EXPECT_EQ(X509_cmp((*chain)[1].get(), inter.cert.get()), 0);
  EXPECT_FALSE(LoadCertificateChain("junk", "x").ok());
  EXPECT_EQ(ERR_peek_error(), 0u);  // nothing left to confuse the next SSL call
}

}  // namespace
}  // namespace meshgw::gateway::tls
