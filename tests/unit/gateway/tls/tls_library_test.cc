// The TLS library context (tls_library.h): only the DER SubjectPublicKeyInfo decoders, key
// managers, ciphers and digests a mesh uses of the default provider are visible in it, and
// certificates of every key type a peer may present still decode there, to the same key.
#include "gateway/tls/tls_library.h"

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include <initializer_list>
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

// Whether each named algorithm can be fetched from the context, as `offered` says it should.
template <typename T>
void ExpectFetchable(T* (*fetch)(OSSL_LIB_CTX*, const char*, const char*), void (*release)(T*),
                     OSSL_LIB_CTX* ctx, std::initializer_list<const char*> names, bool offered) {
  for (const char* name : names) {
    T* algorithm = fetch(ctx, name, nullptr);
    EXPECT_EQ(algorithm != nullptr, offered) << name;
    release(algorithm);
  }
  ERR_clear_error();  // refused fetches leave errors behind
}

// The names of every algorithm of one kind the context offers.
template <typename T>
std::vector<std::string> NamesOffered(void (*do_all)(OSSL_LIB_CTX*, void (*)(T*, void*), void*),
                                      const char* (*name_of)(const T*), OSSL_LIB_CTX* ctx) {
  struct Out {
    const char* (*name_of)(const T*);
    std::vector<std::string> names;
  } out{name_of, {}};
  do_all(
      ctx,
      [](T* algorithm, void* arg) {
        auto* o = static_cast<Out*>(arg);
        o->names.push_back(o->name_of(algorithm));
      },
      &out);
  return out.names;
}

TEST(TlsLibraryTest, OffersTheCiphersOfMeshSuitesOnly) {
  OSSL_LIB_CTX* ctx = TlsLibraryContext();
  ASSERT_NE(ctx, nullptr);
  std::vector<std::string> names =
      NamesOffered(EVP_CIPHER_do_all_provided, EVP_CIPHER_get0_name, ctx);
  EXPECT_EQ(static_cast<int>(names.size()), TlsLibraryCipherCount());
  ExpectFetchable(EVP_CIPHER_fetch, EVP_CIPHER_free, ctx,
                  {"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305", "AES-128-CBC", "AES-256-CBC",
                   "AES-128-CCM"},
                  true);
  ExpectFetchable(EVP_CIPHER_fetch, EVP_CIPHER_free, ctx,
                  {"CAMELLIA-128-CBC", "ARIA-128-GCM", "SM4-CBC", "DES-EDE3-CBC"}, false);
}

TEST(TlsLibraryTest, OffersOnlyTheKeyManagersAndDigestsAMeshUses) {
  OSSL_LIB_CTX* ctx = TlsLibraryContext();
  ASSERT_NE(ctx, nullptr);
  EXPECT_THAT(
      NamesOffered(EVP_KEYMGMT_do_all_provided, EVP_KEYMGMT_get0_name, ctx),
      UnorderedElementsAre("EC", "RSA", "RSA-PSS", "ED25519", "ED448", "X25519", "X448", "HMAC"));
  ExpectFetchable(EVP_KEYMGMT_fetch, EVP_KEYMGMT_free, ctx, {"DH", "DSA", "SM2", "SIPHASH"}, false);
  ExpectFetchable(EVP_MD_fetch, EVP_MD_free, ctx, {"SHA2-256", "SHA2-384", "SHA1"}, true);
  ExpectFetchable(EVP_MD_fetch, EVP_MD_free, ctx, {"SHA3-256", "BLAKE2B-512", "SM3"}, false);
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
