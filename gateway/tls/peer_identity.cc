#include "gateway/tls/peer_identity.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/x509v3.h>

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace meshgw::gateway::tls {
namespace {

struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};

// Calls fn(type, value) for every URI and DNS SAN of `cert`.
template <typename Fn>
void ForEachSan(const X509* cert, Fn fn) {
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (names == nullptr) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    const ASN1_IA5STRING* value = nullptr;
    config::SanMatcher::Type type;
    if (name->type == GEN_URI) {
      type = config::SanMatcher::Type::kUri;
      value = name->d.uniformResourceIdentifier;
    } else if (name->type == GEN_DNS) {
      type = config::SanMatcher::Type::kDns;
      value = name->d.dNSName;
    } else {
      continue;
    }
    fn(type, std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                              static_cast<size_t>(ASN1_STRING_length(value))));
  }
}

std::string SubjectOf(const X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string ListOrNone(const std::vector<std::string>& values, std::string_view kind) {
  if (values.empty())
    return absl::StrCat("no ", absl::string_view(kind.data(), kind.size()), " SANs");
  return absl::StrCat(absl::string_view(kind.data(), kind.size()), " SANs [",
                      absl::StrJoin(values, ", "), "]");
}

}  // namespace

std::string_view HandshakeFailureName(HandshakeFailure failure) {
  switch (failure) {
    case HandshakeFailure::kNone:
      return "none";
    case HandshakeFailure::kNoClientCertificate:
      return "no_client_certificate";
    case HandshakeFailure::kUntrustedCa:
      return "untrusted_ca";
    case HandshakeFailure::kExpired:
      return "expired";
    case HandshakeFailure::kNotYetValid:
      return "not_yet_valid";
    case HandshakeFailure::kSanMismatch:
      return "san_mismatch";
    case HandshakeFailure::kProtocol:
      return "protocol";
    case HandshakeFailure::kPeerClosed:
      return "peer_closed";
    case HandshakeFailure::kOther:
      return "other";
  }
  return "other";
}

PeerIdentity PeerIdentityOf(const X509* cert) {
  PeerIdentity id;
  if (cert == nullptr) return id;
  id.presented = true;
  ForEachSan(cert, [&](config::SanMatcher::Type type, std::string_view value) {
    if (type == config::SanMatcher::Type::kUri) {
      id.uri_sans.emplace_back(value);
      if (!id.spiffe) {
        auto parsed = ParseSpiffeId(value);
        if (parsed.ok()) id.spiffe = *std::move(parsed);
      }
    } else {
      id.dns_sans.emplace_back(value);
    }
  });
  id.subject = SubjectOf(cert);
  return id;
}

bool MatchSans(const X509* cert, absl::Span<const config::SanMatcher> matchers,
               std::string* detail) {
  if (matchers.empty()) return true;
  bool matched = false;
  std::vector<std::string> uris, dnss;
  ForEachSan(cert, [&](config::SanMatcher::Type type, std::string_view value) {
    (type == config::SanMatcher::Type::kUri ? uris : dnss).emplace_back(value);
    for (const config::SanMatcher& m : matchers) {
      if (m.type == type && m.matcher.Matches(value)) matched = true;
    }
  });
  if (!matched && detail != nullptr) {
    std::vector<std::string> expected;
    for (const config::SanMatcher& m : matchers) {
      expected.push_back(absl::StrCat(m.type == config::SanMatcher::Type::kUri ? "URI " : "DNS ",
                                      m.matcher.DebugString()));
    }
    *detail = absl::StrCat("no SAN matches: the certificate has ", ListOrNone(uris, "URI"), " and ",
                           ListOrNone(dnss, "DNS"), "; expected ", absl::StrJoin(expected, " or "));
  }
  return matched;
}

int64_t EarliestNotAfter(absl::Span<X509* const> certs) {
  int64_t earliest = std::numeric_limits<int64_t>::max();
  for (X509* cert : certs) {
    struct tm tm = {};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return 0;  // unreadable: no caching
    int64_t t = static_cast<int64_t>(timegm(&tm));
    if (t < earliest) earliest = t;
  }
  return earliest;
}

}  // namespace meshgw::gateway::tls
