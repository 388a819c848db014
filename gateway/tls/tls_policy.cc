#include "gateway/tls/tls_policy.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gateway/tls/pem.h"

namespace meshgw::gateway::tls {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

int ProtocolVersion(config::TlsVersion v, bool is_min) {
  switch (v) {
    case config::TlsVersion::kAuto:
      return is_min ? TLS1_2_VERSION : TLS1_3_VERSION;
    case config::TlsVersion::kTls1_0:
      return TLS1_VERSION;
    case config::TlsVersion::kTls1_1:
      return TLS1_1_VERSION;
    case config::TlsVersion::kTls1_2:
      return TLS1_2_VERSION;
    case config::TlsVersion::kTls1_3:
      return TLS1_3_VERSION;
  }
  return TLS1_3_VERSION;
}

std::string_view VersionName(int v) {
  switch (v) {
    case TLS1_VERSION:
      return "TLS 1.0";
    case TLS1_1_VERSION:
      return "TLS 1.1";
    case TLS1_2_VERSION:
      return "TLS 1.2";
    default:
      return "TLS 1.3";
  }
}

absl::Status Invalid(std::string_view where, std::string_view what) {
  ERR_clear_error();
  return absl::InvalidArgumentError(absl::StrCat(AV(where), ": ", AV(what)));
}

bool HasCipher(SSL_CTX* ctx, const std::string& name) {
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    if (name == SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i))) return true;
  }
  return false;
}

// The certificate as a person would name it: its first URI SAN, else its subject.
std::string Describe(X509* cert) {
  if (cert == nullptr) return "(none)";
  PeerIdentity id = PeerIdentityOf(cert);
  return absl::StrCat("\"", id.uri_sans.empty() ? id.subject : id.uri_sans[0], "\"");
}

HandshakeFailure FailureOfVerifyError(int err) {
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return HandshakeFailure::kExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return HandshakeFailure::kNotYetValid;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_CERT_REJECTED:
      return HandshakeFailure::kUntrustedCa;
    default:
      return HandshakeFailure::kOther;
  }
}

HandshakeFailure FailureOfSslReason(int reason) {
  switch (reason) {
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return HandshakeFailure::kNoClientCertificate;
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
      return HandshakeFailure::kUntrustedCa;
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
      return HandshakeFailure::kExpired;
    case SSL_R_UNEXPECTED_EOF_WHILE_READING:
      return HandshakeFailure::kPeerClosed;
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_VERSION_TOO_HIGH:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_CIPHERS_AVAILABLE:
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
    case SSL_R_NO_APPLICATION_PROTOCOL:
    case SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL:
    case SSL_R_NO_SHARED_GROUPS:
    case SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM:
    case SSL_R_TLSV1_ALERT_INSUFFICIENT_SECURITY:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_UNKNOWN_PROTOCOL:
    case SSL_R_RECORD_LENGTH_MISMATCH:
      return HandshakeFailure::kProtocol;
    default:
      return HandshakeFailure::kOther;
  }
}

}  // namespace

absl::Status ApplyTlsParameters(SSL_CTX* ctx, const config::TlsParameters& params,
                                std::string_view where) {
  const int min = ProtocolVersion(params.min_version, true);
  const int max = ProtocolVersion(params.max_version, false);
  if (min > max) {
    return Invalid(where, absl::StrCat("minimum TLS version ", AV(VersionName(min)),
                                       " is above the maximum ", AV(VersionName(max))));
  }
  if (SSL_CTX_set_min_proto_version(ctx, min) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, max) != 1) {
    return Invalid(where, "TLS versions not supported by this OpenSSL");
  }

  std::vector<std::string> tls13, tls12;
  for (const std::string& name : params.cipher_suites) {
    if (name.empty() || name.find_first_of(":, ") != std::string::npos) {
      return Invalid(where,
                     absl::StrCat("cipher suite \"", name, "\" is not one OpenSSL suite name"));
    }
    (name.rfind("TLS_", 0) == 0 ? tls13 : tls12).push_back(name);
  }
  for (const std::string& name : tls12) {
    if (SSL_CTX_set_cipher_list(ctx, name.c_str()) != 1 || !HasCipher(ctx, name)) {
      return Invalid(where, absl::StrCat("unknown cipher suite \"", name, "\""));
    }
  }
  if (!tls12.empty() && SSL_CTX_set_cipher_list(ctx, absl::StrJoin(tls12, ":").c_str()) != 1) {
    return Invalid(where, "cannot set the TLS 1.2 cipher suites");
  }
  // SSL_CTX_set_ciphersuites skips unknown names silently: check that each one took.
  for (const std::string& name : tls13) {
    if (SSL_CTX_set_ciphersuites(ctx, name.c_str()) != 1 || !HasCipher(ctx, name)) {
      return Invalid(where, absl::StrCat("unknown TLS 1.3 cipher suite \"", name, "\""));
    }
  }
  // Unconfigured, the TLS 1.3 suites are Envoy's (BoringSSL's order on CPUs with AES
  // instructions): AES-128-GCM first. OpenSSL's own default puts AES-256-GCM with SHA-384 first,
  // which costs more per record and per handshake (the transcript, the key schedule and the
  // key log all run on SHA-384 then) for no security a mesh needs here.
  const std::string suites13 =
      tls13.empty() ? std::string(kDefaultTls13Suites) : absl::StrJoin(tls13, ":");
  if (SSL_CTX_set_ciphersuites(ctx, suites13.c_str()) != 1) {
    return Invalid(where, "cannot set the TLS 1.3 cipher suites");
  }

  for (const std::string& curve : params.ecdh_curves) {
    if (curve.empty() || curve.find(':') != std::string::npos ||
        SSL_CTX_set1_groups_list(ctx, curve.c_str()) != 1) {
      return Invalid(where, absl::StrCat("unknown ECDH curve \"", curve, "\""));
    }
  }
  if (!params.ecdh_curves.empty() &&
      SSL_CTX_set1_groups_list(ctx, absl::StrJoin(params.ecdh_curves, ":").c_str()) != 1) {
    return Invalid(where, "cannot set the ECDH curves");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> EncodeAlpn(const std::vector<std::string>& protocols,
                                       std::string_view where) {
  std::string wire;
  for (const std::string& p : protocols) {
    if (p.empty() || p.size() > 255) {
      return Invalid(where, absl::StrCat("ALPN protocol \"", p, "\" must be 1 to 255 bytes"));
    }
    wire.push_back(static_cast<char>(p.size()));
    wire += p;
  }
  return wire;
}

PeerVerifier::PeerVerifier(const config::TrustBundle& trust, VerifiedChainCache* cache,
                           std::string side)
    : bundle_name_(trust.name),
      match_sans_(trust.match_sans),
      version_(trust.version),
      accept_untrusted_(trust.accept_untrusted),
      cache_(cache),
      side_(std::move(side)) {}

int PeerVerifier::Callback(X509_STORE_CTX* ctx, void* arg) {
  return static_cast<const PeerVerifier*>(arg)->Check(ctx);
}

int PeerVerifier::Check(X509_STORE_CTX* ctx) const {
  SSL* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* record = ssl != nullptr ? static_cast<HandshakeRecord*>(SSL_get_app_data(ssl)) : nullptr;
  X509* leaf = X509_STORE_CTX_get0_cert(ctx);
  if (!accept_untrusted_) {
    const auto purpose = side_ == "client" ? VerifiedChainCache::Purpose::kClientCertificate
                                           : VerifiedChainCache::Purpose::kServerCertificate;
    const int ok =
        cache_ != nullptr ? cache_->Verify(ctx, version_, purpose) : X509_verify_cert(ctx);
    if (ok != 1) {
      const int err = X509_STORE_CTX_get_error(ctx);
      if (record != nullptr) {
        record->failure = FailureOfVerifyError(err);
        X509* bad = X509_STORE_CTX_get_current_cert(ctx);
        record->detail = absl::StrCat(
            side_, " certificate ", Describe(leaf), " rejected by trust bundle \"", bundle_name_,
            "\": ", X509_verify_cert_error_string(err), " (depth ",
            X509_STORE_CTX_get_error_depth(ctx),
            bad != nullptr && bad != leaf ? absl::StrCat(", certificate ", Describe(bad)) : "",
            ")");
      }
      return 0;
    }
  }
  std::string mismatch;
  if (!MatchSans(leaf, match_sans_, &mismatch)) {
    // Any verify error makes OpenSSL fail the handshake; the alert is handshake_failure.
    X509_STORE_CTX_set_error(ctx, X509_V_ERR_APPLICATION_VERIFICATION);
    if (record != nullptr) {
      record->failure = HandshakeFailure::kSanMismatch;
      record->detail = absl::StrCat(side_, " certificate ", Describe(leaf), ": ", mismatch);
    }
    return 0;
  }
  return 1;
}

void ClassifyError(int ssl_error, int saved_errno, std::string_view during_in,
                   HandshakeRecord& record) {
  const absl::string_view during = AV(during_in);
  // The first SSL-library reason is the cause; later entries are its consequences.
  int reason = 0;
  unsigned long first = ERR_peek_error();
  if (first != 0 && ERR_GET_LIB(first) == ERR_LIB_SSL) reason = ERR_GET_REASON(first);
  std::string queue = DrainOpenSslErrors();
  if (record.failure != HandshakeFailure::kNone) return;  // the verify callback said why
  switch (ssl_error) {
    case SSL_ERROR_ZERO_RETURN:
      record.failure = HandshakeFailure::kPeerClosed;
      record.detail =
          absl::StrCat("the peer closed the connection (close_notify) during the ", during);
      return;
    case SSL_ERROR_SYSCALL:
      if (queue.empty() &&
          (saved_errno == 0 || saved_errno == ECONNRESET || saved_errno == EPIPE)) {
        record.failure = HandshakeFailure::kPeerClosed;
        record.detail = saved_errno == 0
                            ? absl::StrCat("the peer closed the connection during the ", during)
                            : absl::StrCat("the connection failed during the ", during, ": ",
                                           std::strerror(saved_errno));
        return;
      }
      record.failure = HandshakeFailure::kOther;
      record.detail = absl::StrCat("socket error during the ", during, ": ",
                                   saved_errno != 0 ? std::strerror(saved_errno) : "unknown",
                                   queue.empty() ? "" : "; ", queue);
      return;
    default:
      record.failure = reason != 0 ? FailureOfSslReason(reason) : HandshakeFailure::kOther;
      record.detail =
          absl::StrCat("TLS ", during, " failed: ", queue.empty() ? "unknown error" : queue);
      return;
  }
}

}  // namespace meshgw::gateway::tls
