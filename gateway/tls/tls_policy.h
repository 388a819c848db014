// What the server and client TLS contexts configure the same way: TlsParameters (versions,
// cipher suites, curves), ALPN lists, and the peer-certificate check (chain verification through
// the VerifiedChainCache, then SAN pinning) with the reason of a failure recorded for the session.
//
//   RETURN_IF_ERROR(ApplyTlsParameters(ctx, params, "filter chain \"web\""));
//   auto verifier = std::make_shared<PeerVerifier>(trust, cache);
//   SSL_CTX_set_cert_verify_callback(ctx, PeerVerifier::Callback, verifier.get());
//   SSL_set_app_data(ssl, &handshake_record);   // where the callback writes why it failed
//
// Thread-safety: a PeerVerifier is immutable and used from every worker's handshakes at once.
#ifndef MESHGW_GATEWAY_TLS_TLS_POLICY_H_
#define MESHGW_GATEWAY_TLS_TLS_POLICY_H_

#include <openssl/ssl.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gateway/config/snapshot.h"
#include "gateway/tls/peer_identity.h"
#include "gateway/tls/verified_chain_cache.h"

namespace meshgw::gateway::tls {

// The TLS 1.3 suites when TlsParameters names none: Envoy's (BoringSSL's) order.
inline constexpr char kDefaultTls13Suites[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// ApplyTlsParameters sets min/max versions (kAuto: TLS 1.2 to 1.3), TLS 1.3 suites
// (SSL_CTX_set_ciphersuites: names starting "TLS_"; none named: kDefaultTls13Suites), TLS <= 1.2
// suites (SSL_CTX_set_cipher_list) and ECDH groups. Each name is checked alone, so an unknown one
// is an error naming it:
//   "filter chain \"web\": unknown cipher suite \"AES-FOO\"".
absl::Status ApplyTlsParameters(SSL_CTX* ctx, const config::TlsParameters& params,
                                std::string_view where);

// EncodeAlpn({"h2", "http/1.1"}) == "\x02h2\x08http/1.1" (the wire format); an empty or longer
// than 255 byte name is an error.
absl::StatusOr<std::string> EncodeAlpn(const std::vector<std::string>& protocols,
                                       std::string_view where);

// Why a handshake failed, as the verify callback and the session's error handling saw it.
// A TlsSession's HandshakeRecord is its SSL's app data.
struct HandshakeRecord {
  HandshakeFailure failure = HandshakeFailure::kNone;
  std::string detail;
  std::string session_key;  // client sessions: where the resumption ticket is kept
};

// The peer-certificate check installed with SSL_CTX_set_cert_verify_callback.
class PeerVerifier {
 public:
  // `side` is "client" (a server checking its clients) or "server" (a client checking upstreams);
  // it only shapes messages. `cache` may be null.
  PeerVerifier(const config::TrustBundle& trust, VerifiedChainCache* cache, std::string side);

  // The OpenSSL callback; `arg` is the PeerVerifier. Returns 1 to accept the peer's chain.
  static int Callback(X509_STORE_CTX* ctx, void* arg);

  uint64_t bundle_version() const { return version_; }

 private:
  int Check(X509_STORE_CTX* ctx) const;

  std::string bundle_name_;
  std::vector<config::SanMatcher> match_sans_;
  uint64_t version_;
  bool accept_untrusted_;
  VerifiedChainCache* cache_;
  std::string side_;
};

// ClassifyError turns what SSL_get_error and the error queue say about a failed SSL call into a
// failure and a detail (draining the queue); `during` names the operation ("handshake", "read").
// A failure the verify callback already recorded wins.
void ClassifyError(int ssl_error, int saved_errno, std::string_view during,
                   HandshakeRecord& record);

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_TLS_POLICY_H_
