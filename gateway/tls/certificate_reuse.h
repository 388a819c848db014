// Decoded certificates handed out again during this thread's handshakes, so that a peer that
// connects again and again does not have its certificates decoded again and again.
//
//   {
//     CertificateReuseScope scope;   // TlsSession does this around SSL_do_handshake
//     SSL_do_handshake(ssl);         // libssl's d2i_X509 of each certificate the peer sent:
//   }                                //   bytes seen before on this thread -> the same X509,
//   up-ref'd
//
// Why: with OpenSSL 3.0, decoding a certificate builds a decoder context for its public key and
// the key's EC group: on this machine about a fifth of the gateway's CPU per full mTLS handshake
// (gateway/README.md, "What a new terminated connection costs"). libssl calls d2i_X509 for every
// certificate of a Certificate message, with no hook before it. This module defines d2i_X509 in
// the executable, which the dynamic linker binds libssl's calls to (an ELF executable's
// definition comes first in symbol lookup, as with malloc); it forwards to libcrypto's d2i_X509
// (dlsym RTLD_NEXT) except inside a CertificateReuseScope.
//
// What is reused is only a decoding: the key is every byte of the input, compared in full, so the
// same bytes give an X509 that the decoding of these bytes would have given. Nothing is trusted
// because of it: the chain is verified (or found in the VerifiedChainCache, which has its own
// rules) and the handshake signature is checked with the certificate's key on every handshake.
// The shared X509 is only read by libssl and by us (OpenSSL caches its extensions under its own
// lock; sharing decoded certificates between handshakes is what X509_STORE does with its CAs).
// Outside a scope d2i_X509 behaves exactly as libcrypto's: other callers may modify what it
// returns.
//
// Bounded: at most kCapacity certificates per thread, of at most kMaxBytes each; the least
// recently used one is dropped. Failed decodings are not kept.
// Thread-safety: the cache is per thread (a worker's handshakes never lock); scopes nest.
#ifndef MESHGW_GATEWAY_TLS_CERTIFICATE_REUSE_H_
#define MESHGW_GATEWAY_TLS_CERTIFICATE_REUSE_H_

#include <cstddef>
#include <cstdint>

namespace meshgw::gateway::tls {

// While one is alive (and active) on a thread, d2i_X509 on that thread reuses.
class CertificateReuseScope {
 public:
  explicit CertificateReuseScope(bool active = true);
  ~CertificateReuseScope();
  CertificateReuseScope(const CertificateReuseScope&) = delete;
  CertificateReuseScope& operator=(const CertificateReuseScope&) = delete;

 private:
  const bool active_;
};

struct CertificateReuseStats {
  uint64_t reused = 0;   // d2i_X509 calls answered from this thread's cache
  uint64_t decoded = 0;  // d2i_X509 calls inside a scope that decoded (a miss, or not kept)
  size_t cached = 0;     // certificates this thread's cache holds now
};

inline constexpr size_t kCertificateReuseCapacity = 256;
inline constexpr size_t kCertificateReuseMaxBytes = 16 * 1024;

// This thread's figures (tests; each worker's own handshakes).
CertificateReuseStats ThisThreadCertificateReuse();

// Drops every certificate this thread's cache holds (tests).
void ClearThisThreadCertificateReuse();

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_CERTIFICATE_REUSE_H_
