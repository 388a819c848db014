// The TLS library context (tls_library.h): only the DER SubjectPublicKeyInfo decoders, key
// managers, ciphers and digests a mesh uses of the default provider are visible in it, and
// certificates of every key type a peer may present still decode there, to the same key.
#include "gateway/tls/tls_library.h"

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/tls/test_pki.h"

namespace meshgw::gateway::tls {
namespace {

using ::testing::UnorderedElementsAre;

void CollectProperties(OSSL_DECODER* decoder, void* arg) {
  const char* properties = OSSL_DECODER_get0_properties(decoder);
  static_cast<std::vector<std::string>*>(arg)->push_back(properties ? properties : "");
}

TEST(TlsLibraryTest, OffersOnlyTheSubjectPublicKeyInfoDecoders) {
  OSSL_LIB_CTX* ctx = TlsLibraryContext();
  ASSERT_NE(ctx, nullptr) << "the meshgw-tls provider could not be set up";
  EXPECT_EQ(TlsLibraryContext(), ctx);  // one context for the process

  std::vector<std::string> ours, defaults;
  OSSL_DECODER_do_all_provided(ctx, CollectProperties, &ours);
  OSSL_DECODER_do_all_provided(nullptr, CollectProperties, &defaults);
  ASSERT_FALSE(ours.empty());
  EXPECT_EQ(static_cast<int>(ours.size()), TlsLibraryDecoderCount());
  EXPECT_LT(ours.size(), defaults.size() / 2) << "the filter let most decoders through";
  for (const std::string& p : ours) {
    EXPECT_NE(p.find("input=der"), std::string::npos) << p;
    EXPECT_NE(p.find("structure=SubjectPublicKeyInfo"), std::string::npos) << p;
  }
}

void CollectCipherNames(EVP_CIPHER* cipher, void* arg) {
  static_cast<std::vector<std::string>*>(arg)->push_back(EVP_CIPHER_get0_name(cipher));
}

TEST(TlsLibraryTest, OffersTheCiphersOfMeshSuitesOnly) {
  OSSL_LIB_CTX* ctx = TlsLibraryContext();
  ASSERT_NE(ctx, nullptr);
  std::vector<std::string> names;
  EVP_CIPHER_do_all_provided(ctx, CollectCipherNames, &names);
  EXPECT_EQ(static_cast<int>(names.size()), TlsLibraryCipherCount());
  for (const char* needed : {"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305", "AES-128-CBC",
                             "AES-256-CBC", "AES-128-CCM"}) {
    EVP_CIPHER* c = EVP_CIPHER_fetch(ctx, needed, nullptr);
    EXPECT_NE(c, nullptr) << needed;
    EVP_CIPHER_free(c);
  }
  for (const char* dropped : {"CAMELLIA-128-CBC", "ARIA-128-GCM", "SM4-CBC", "DES-EDE3-CBC"}) {
    EVP_CIPHER* c = EVP_CIPHER_fetch(ctx, dropped, nullptr);
    EXPECT_EQ(c, nullptr) << dropped;
    EVP_CIPHER_free(c);
  }
  ERR_clear_error();  // the refused fetches above leave errors behind
}

void CollectKeyManagerNames(EVP_KEYMGMT* keymgmt, void* arg) {
  static_cast<std::vector<std::string>*>(arg)->push_back(EVP_KEYMGMT_get0_name(keymgmt));
}

TEST(TlsLibraryTest, OffersOnlyTheKeyManagersAndDigestsAMeshUses) {
  OSSL_LIB_CTX* ctx = TlsLibraryContext();
  ASSERT_NE(ctx, nullptr);
  std::vector<std::string> names;
  EVP_KEYMGMT_do_all_provided(ctx, CollectKeyManagerNames, &names);
  EXPECT_THAT(names, UnorderedElementsAre("EC", "RSA", "RSA-PSS", "ED25519", "ED448", "X25519",
                                          "X448", "HMAC"));
  for (const char* dropped : {"DH", "DSA", "SM2", "SIPHASH"}) {
    EVP_KEYMGMT* k = EVP_KEYMGMT_fetch(ctx, dropped, nullptr);
    EXPECT_EQ(k, nullptr) << dropped;
    EVP_KEYMGMT_free(k);
  }
  for (const char* dropped : {"SHA3-256", "BLAKE2B-512", "SM3"}) {
    EVP_MD* md = EVP_MD_fetch(ctx, dropped, nullptr);
    EXPECT_EQ(md, nullptr) << dropped;
    EVP_MD_free(md);
  }
  ERR_clear_error();
}

// A key of `type` made with its defaults (EVP_PKEY_Q_keygen knows no RSA-PSS).
EVP_PKEY* Generate(const char* type) {
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_generate(ctx, &key) <= 0) {
    key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  return key;
}

// A self-signed certificate for `key`, DER-encoded.
std::string SelfSigned(EVP_PKEY* key, const EVP_MD* md) {
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("peer"), -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  X509_set_pubkey(x, key);
  EXPECT_GT(X509_sign(x, key, md), 0);
  unsigned char* der = nullptr;
  const int len = i2d_X509(x, &der);
  std::string out(reinterpret_cast<char*>(der), len > 0 ? len : 0);
  OPENSSL_free(der);
  X509_free(x);
  return out;
}

TEST(TlsLibraryTest, PeerCertificatesOfEveryKeyTypeDecode) {
  OSSL_LIB_CTX* ctx = TlsLibraryContext();
  ASSERT_NE(ctx, nullptr);
  struct Case {
    const char* name;
    EVP_PKEY* key;
    const EVP_MD* md;
  };
  std::vector<Case> cases = {
      {"EC P-256", EVP_EC_gen("P-256"), EVP_sha256()},
      {"RSA 2048", EVP_RSA_gen(2048), EVP_sha256()},
      {"RSA-PSS 2048", Generate("RSA-PSS"), EVP_sha256()},
      {"Ed25519", EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), nullptr},
      {"Ed448", EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448"), nullptr},
  };
  for (const Case& c : cases) {
    ASSERT_NE(c.key, nullptr) << c.name;
    const std::string der = SelfSigned(c.key, c.md);
    ASSERT_FALSE(der.empty()) << c.name;
    X509* x = X509_new_ex(ctx, nullptr);  // as libssl makes a peer's certificate
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    ASSERT_NE(d2i_X509(&x, &p, static_cast<long>(der.size())), nullptr) << c.name;
    EVP_PKEY* decoded = X509_get0_pubkey(x);
    ASSERT_NE(decoded, nullptr) << c.name << ": the public key did not decode";
    EXPECT_EQ(EVP_PKEY_eq(decoded, c.key), 1) << c.name;
    EXPECT_EQ(X509_verify(x, decoded), 1) << c.name << ": its signature does not verify";
    X509_free(x);
    EVP_PKEY_free(c.key);
  }
}

}  // namespace
}  // namespace meshgw::gateway::tls
