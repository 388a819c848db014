// PEM loading and OpenSSL plumbing shared by the server and client TLS contexts.
//
//   auto chain = LoadCertificateChain(pair.certificate_chain_pem, "certificate \"gw\"");
//   auto key = LoadPrivateKey(pair.private_key_pem, "certificate \"gw\"");
//   auto store = BuildTrustStore(bundle.trusted_ca_pem, "trust bundle \"peers\"");
//
// Every error names `where` (the secret or resource the PEM came from) and carries OpenSSL's own
// reason. Encrypted private keys are refused (never prompt on a terminal). These helpers drain
// OpenSSL's thread-local error queue so that a failure here cannot leak into the next SSL call.
//
// Thread-safety: pure functions; safe from any thread.
#ifndef MESHGW_GATEWAY_TLS_PEM_H_
#define MESHGW_GATEWAY_TLS_PEM_H_

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace meshgw::gateway::tls {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using X509StorePtr = std::unique_ptr<X509_STORE, X509StoreFree>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// DrainOpenSslErrors() empties this thread's OpenSSL error queue and returns its entries as
// "error:0A000086:SSL routines::certificate verify failed; ..." ("" when it was empty).
std::string DrainOpenSslErrors();

// LoadCertificateChain parses every certificate of `pem` (leaf first). No certificate at all, or a
// malformed block, is InvalidArgument("<where>: certificate chain: ...").
absl::StatusOr<std::vector<X509Ptr>> LoadCertificateChain(std::string_view pem,
                                                          std::string_view where);

// LoadPrivateKey parses one PEM private key (PKCS#8, RSA or EC); encrypted keys are refused.
absl::StatusOr<EvpPkeyPtr> LoadPrivateKey(std::string_view pem, std::string_view where);

// BuildTrustStore makes an X509_STORE of every CA certificate in `pem` (at least one).
absl::StatusOr<X509StorePtr> BuildTrustStore(std::string_view pem, std::string_view where);

// UseCertificateAndKey installs chain + key on `ctx` and checks that the key matches the leaf.
// Handshakes send exactly that chain (SSL_MODE_NO_AUTO_CHAIN), never one completed from the
// trust store.
absl::Status UseCertificateAndKey(SSL_CTX* ctx, std::string_view chain_pem,
                                  std::string_view key_pem, std::string_view where);

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_PEM_H_
