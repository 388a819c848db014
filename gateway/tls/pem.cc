#include "gateway/tls/pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace meshgw::gateway::tls {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// A password callback that refuses: OpenSSL's default would prompt on the terminal.
int NoPassword(char*, int, int, void*) { return -1; }

// True when the last queued error is PEM's "no start line": the normal end of a PEM bundle.
bool AtEndOfPem() {
  unsigned long e = ERR_peek_last_error();
  return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

absl::Status Invalid(std::string_view where, std::string_view what) {
  std::string openssl = DrainOpenSslErrors();
  return absl::InvalidArgumentError(absl::StrCat(
      AV(where), ": ", AV(what), openssl.empty() ? "" : " (", openssl, openssl.empty() ? "" : ")"));
}

}  // namespace

std::string DrainOpenSslErrors() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

absl::StatusOr<std::vector<X509Ptr>> LoadCertificateChain(std::string_view pem,
                                                          std::string_view where) {
  ERR_clear_error();
  BioPtr bio = MemoryBio(pem);
  std::vector<X509Ptr> chain;
  for (;;) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr));
    if (cert == nullptr) break;
    chain.push_back(std::move(cert));
  }
  if (!AtEndOfPem()) {
    return Invalid(
        where, absl::StrCat("certificate ", chain.size() + 1, " of the chain is not valid PEM"));
  }
  ERR_clear_error();
  if (chain.empty()) return Invalid(where, "no PEM certificate found");
  return chain;
}

absl::StatusOr<EvpPkeyPtr> LoadPrivateKey(std::string_view pem, std::string_view where) {
  ERR_clear_error();
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return Invalid(where, "the private key is encrypted; give it unencrypted");
  }
  // OpenSSL 3's decoders report a missing key as "unsupported": look for the block first.
  if (pem.find("PRIVATE KEY-----") == std::string_view::npos) {
    return Invalid(where, "no PEM private key found");
  }
  BioPtr bio = MemoryBio(pem);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  if (key == nullptr) return Invalid(where, "the private key is not valid PEM");
  return key;
}

absl::StatusOr<X509StorePtr> BuildTrustStore(std::string_view pem, std::string_view where) {
  auto certs = LoadCertificateChain(pem, where);
  if (!certs.ok()) return certs.status();
  X509StorePtr store(X509_STORE_new());
  for (const X509Ptr& c : *certs) {
    if (X509_STORE_add_cert(store.get(), c.get()) != 1) {
      // A duplicate CA is harmless (bundles of several peers may repeat a root).
      unsigned long e = ERR_peek_last_error();
      if (ERR_GET_REASON(e) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
        return Invalid(where, "cannot add a CA certificate to the trust store");
      }
      ERR_clear_error();
    }
  }
  return store;
}

absl::Status UseCertificateAndKey(SSL_CTX* ctx, std::string_view chain_pem,
                                  std::string_view key_pem, std::string_view where) {
  auto chain = LoadCertificateChain(chain_pem, where);
  if (!chain.ok()) return chain.status();
  auto key = LoadPrivateKey(key_pem, where);
  if (!key.ok()) return key.status();
  if (SSL_CTX_use_certificate(ctx, (*chain)[0].get()) != 1) {
    return Invalid(where, "the leaf certificate is not usable");
  }
  for (size_t i = 1; i < chain->size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, (*chain)[i].get()) != 1) {
      return Invalid(where, absl::StrCat("chain certificate ", i + 1, " is not usable"));
    }
  }
  if (SSL_CTX_use_PrivateKey(ctx, key->get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return Invalid(where, "the private key does not match the leaf certificate");
  }
  // The chain sent is the configured one, as Envoy sends it. Without this, OpenSSL completes a
  // leaf-only chain from the context's trust store on every full handshake (an X509_verify_cert
  // with a signature check each time: about 11% of a server's mutual handshake here), and sends
  // the peer a root it must already have.
  SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
  return absl::OkStatus();
}

}  // namespace meshgw::gateway::tls
