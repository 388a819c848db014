// A throwaway PKI for the TLS tests, made at test time with OpenSSL's API (nothing committed):
// root CAs, intermediates, and leaves with SPIFFE URI SANs and chosen validity windows.
//
//   TestCredential root = MakeRootCa("Consul CA dc1");
//   TestCredential inter = Issue(root, {.common_name = "intermediate", .is_ca = true});
//   TestCredential web = Issue(inter, {.common_name = "web",
//                                      .uri_sans =
//                                      {"spiffe://td1.consul/ns/default/dc/dc1/svc/web"}});
//   web.chain_pem   // web's certificate then the intermediate's: what a peer presents
//
// Keys are ECDSA P-256 (fast to make and to use). Thread-safety: independent values; the
// functions may run concurrently.
#ifndef MESHGW_TESTS_UNIT_GATEWAY_TLS_TEST_PKI_H_
#define MESHGW_TESTS_UNIT_GATEWAY_TLS_TEST_PKI_H_

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace meshgw::gateway::tls::testing {

struct TestCredential {
  std::string cert_pem;   // this certificate alone
  std::string key_pem;    // its private key (PKCS#8, unencrypted)
  std::string chain_pem;  // this certificate then its issuers, up to (not including) the root
  std::shared_ptr<X509> cert;
  std::shared_ptr<EVP_PKEY> key;
};

struct CertOptions {
  std::string common_name = {};
  std::vector<std::string> uri_sans = {};
  std::vector<std::string> dns_sans = {};
  long not_before_seconds = -3600;  // relative to now
  long not_after_seconds = 24 * 3600;
  bool is_ca = false;
};

namespace internal {

inline std::string ToPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

inline std::string KeyToPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

inline void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) std::abort();  // a typo in a test's extension string
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Signs a certificate for `options` with `issuer_key`; `issuer` null means self-signed.
inline TestCredential Make(const CertOptions& options, const TestCredential* issuer) {
  static std::atomic<long> serial{1000};
  std::shared_ptr<EVP_PKEY> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::shared_ptr<X509> cert(X509_new(), X509_free);
  X509* x = cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x), options.not_before_seconds);
  X509_gmtime_adj(X509_getm_notAfter(x), options.not_after_seconds);
  X509_set_pubkey(x, key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(options.common_name.c_str()),
                             -1, -1, 0);
  X509* issuer_cert = issuer != nullptr ? issuer->cert.get() : x;
  X509_set_issuer_name(x, X509_get_subject_name(issuer_cert));
  AddExtension(x, issuer_cert, NID_basic_constraints,
               options.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  AddExtension(x, issuer_cert, NID_key_usage,
               options.is_ca ? "critical,keyCertSign,cRLSign"
                             : "critical,digitalSignature,keyEncipherment,keyAgreement");
  AddExtension(x, issuer_cert, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) AddExtension(x, issuer_cert, NID_authority_key_identifier, "keyid:always");
  if (!options.is_ca) AddExtension(x, issuer_cert, NID_ext_key_usage, "serverAuth,clientAuth");
  std::string sans;
  for (const std::string& uri : options.uri_sans) sans += (sans.empty() ? "URI:" : ",URI:") + uri;
  for (const std::string& dns : options.dns_sans) sans += (sans.empty() ? "DNS:" : ",DNS:") + dns;
  if (!sans.empty()) AddExtension(x, issuer_cert, NID_subject_alt_name, sans);
  EVP_PKEY* signer = issuer != nullptr ? issuer->key.get() : key.get();
  if (X509_sign(x, signer, EVP_sha256()) == 0) std::abort();

  TestCredential out;
  out.cert = cert;
  out.key = key;
  out.cert_pem = ToPem(x);
  out.key_pem = KeyToPem(key.get());
  out.chain_pem = out.cert_pem;
  // Intermediates travel with the leaf; a self-signed root does not.
  if (issuer != nullptr && X509_check_issued(issuer->cert.get(), issuer->cert.get()) != X509_V_OK) {
    out.chain_pem += issuer->chain_pem;
  }
  return out;
}

}  // namespace internal

inline TestCredential MakeRootCa(const std::string& common_name) {
  return internal::Make(
      {.common_name = common_name, .not_after_seconds = 10L * 365 * 24 * 3600, .is_ca = true},
      nullptr);
}

inline TestCredential Issue(const TestCredential& issuer, const CertOptions& options) {
  return internal::Make(options, &issuer);
}

}  // namespace meshgw::gateway::tls::testing

#endif  // MESHGW_TESTS_UNIT_GATEWAY_TLS_TEST_PKI_H_
