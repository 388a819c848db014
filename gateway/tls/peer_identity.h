// Who is on the other end of a TLS connection, and why a handshake failed: the vocabulary the
// gateway's logs, metrics and RBAC share.
//
//   PeerIdentity id = PeerIdentityOf(SSL_get0_peer_certificate(ssl));
//   if (id.spiffe && id.spiffe->trust_domain == peer_td) ...
//   counters[HandshakeFailureName(session->failure())]++;   // "untrusted_ca"
//
// SAN pinning (MatchSans) follows Envoy's match_typed_subject_alt_names: the certificate passes
// when any of its SANs of a matcher's type matches any matcher.
//
// Thread-safety: plain values and pure functions; safe from any thread.
#ifndef MESHGW_GATEWAY_TLS_PEER_IDENTITY_H_
#define MESHGW_GATEWAY_TLS_PEER_IDENTITY_H_

#include <openssl/x509.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "common/spiffe.h"
#include "gateway/config/snapshot.h"

namespace meshgw::gateway::tls {

// Why a handshake failed; the names are stable metric labels.
enum class HandshakeFailure : uint8_t {
  kNone,
  kNoClientCertificate,  // a client certificate is required and none was sent
  kUntrustedCa,          // the chain does not lead to the trust bundle (or a bad signature)
  kExpired,              // a certificate of the chain is past its notAfter
  kNotYetValid,          // a certificate of the chain is before its notBefore
  kSanMismatch,          // no SAN matches the pinned identities (wrong trust domain or service)
  kProtocol,             // version, cipher, group or ALPN mismatch; not TLS at all
  kPeerClosed,           // the peer closed or reset the connection during the handshake
  kOther,
};

// HandshakeFailureName(HandshakeFailure::kUntrustedCa) == "untrusted_ca"; kNone is "none".
std::string_view HandshakeFailureName(HandshakeFailure failure);

struct PeerIdentity {
  bool presented = false;  // false: the peer sent no certificate; every other field is empty
  std::vector<std::string> uri_sans;
  std::vector<std::string> dns_sans;
  // The first URI SAN that is a valid SPIFFE ID (Consul leaves carry exactly one).
  std::optional<SpiffeId> spiffe;
  std::string subject;  // RFC 2253, e.g. "CN=web"
};

// PeerIdentityOf(nullptr) is {presented = false}.
PeerIdentity PeerIdentityOf(const X509* cert);

// MatchSans is true when `matchers` is empty or a SAN of `cert` matches one of them. On false,
// `*detail` (when given) says what the certificate had and what was expected:
//   "no SAN matches: the certificate has URI SANs [spiffe://a/ns/default/dc/dc1/svc/web] and no
//    DNS SANs; expected URI exact:spiffe://b/ns/default/dc/dc1/svc/web"
bool MatchSans(const X509* cert, absl::Span<const config::SanMatcher> matchers,
               std::string* detail = nullptr);

// Earliest notAfter of the certificates, as Unix seconds (INT64_MAX for an empty list).
int64_t EarliestNotAfter(absl::Span<X509* const> certs);

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_PEER_IDENTITY_H_
