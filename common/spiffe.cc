#include "common/spiffe.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace meshgw {
namespace {

// Debian's Abseil is built with its own string_view; the public API takes std::string_view.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr absl::string_view kScheme = "spiffe://";
constexpr size_t kMaxIdLength = 2048;
constexpr size_t kMaxTrustDomainLength = 255;

bool IsTrustDomainChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

bool IsPathChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// A printable rendering of one byte for error messages ('T', or 0x0a for control bytes).
std::string ShowChar(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return absl::StrCat("'", absl::string_view(&c, 1), "'");
  return absl::StrFormat("byte 0x%02x", u);
}

absl::Status Invalid(absl::string_view uri, absl::string_view what) {
  // Quote at most the first 256 bytes: an attacker-supplied SAN must not flood the logs.
  absl::string_view shown = uri.substr(0, 256);
  return absl::InvalidArgumentError(absl::StrCat("SPIFFE ID \"", absl::CEscape(shown),
                                                 uri.size() > shown.size() ? "...\"" : "\"", ": ",
                                                 what));
}

// Fills the Consul fields of `id` from its path segments when they have one of Consul's shapes.
void RecogniseConsulShape(const std::vector<absl::string_view>& segs, SpiffeId& id) {
  size_t i = 0;
  absl::string_view partition;
  if (segs.size() >= 2 && segs[0] == "ap") {
    partition = segs[1];
    i = 2;
  }
  size_t n = segs.size() - i;
  if (n == 6 && segs[i] == "ns" && segs[i + 2] == "dc" && segs[i + 4] == "svc") {
    id.kind = SpiffeId::Kind::kService;
    id.partition = std::string(partition);
    id.ns = std::string(segs[i + 1]);
    id.datacenter = std::string(segs[i + 3]);
    id.service = std::string(segs[i + 5]);
  } else if (n == 4 && segs[i] == "gateway" && segs[i + 1] == "mesh" && segs[i + 2] == "dc") {
    id.kind = SpiffeId::Kind::kMeshGateway;
    id.partition = std::string(partition);
    id.datacenter = std::string(segs[i + 3]);
  }
}

// "/ap/<partition>" for a non-default partition, else "" (Consul omits the default one).
std::string PartitionPrefix(absl::string_view partition) {
  if (partition.empty() || partition == "default") return "";
  return absl::StrCat("/ap/", partition);
}

}  // namespace

std::string SpiffeId::ToString() const { return absl::StrCat(kScheme, trust_domain, path); }

bool IsValidTrustDomain(std::string_view td) {
  if (td.empty() || td.size() > kMaxTrustDomainLength) return false;
  for (char c : td) {
    if (!IsTrustDomainChar(c)) return false;
  }
  return true;
}

absl::StatusOr<SpiffeId> ParseSpiffeId(std::string_view uri_in) {
  const absl::string_view uri = AV(uri_in);
  if (uri.empty()) return absl::InvalidArgumentError("SPIFFE ID is empty");
  if (uri.size() > kMaxIdLength) {
    return Invalid(uri, absl::StrCat("is ", uri.size(), " bytes long; at most ", kMaxIdLength,
                                     " are allowed"));
  }
  if (!absl::StartsWith(uri, kScheme)) {
    if (absl::StartsWithIgnoreCase(uri, kScheme)) {
      return Invalid(uri, "the scheme must be \"spiffe\" in lowercase");
    }
    return Invalid(uri, "does not start with \"spiffe://\"");
  }
  if (size_t q = uri.find_first_of("?#"); q != absl::string_view::npos) {
    return Invalid(uri, absl::StrCat(uri[q] == '?' ? "has a query" : "has a fragment",
                                     " at offset ", q, "; SPIFFE IDs have neither"));
  }
  absl::string_view rest = uri.substr(kScheme.size());
  size_t slash = rest.find('/');
  absl::string_view td = rest.substr(0, slash);
  absl::string_view path =
      slash == absl::string_view::npos ? absl::string_view() : rest.substr(slash);

  if (td.empty()) return Invalid(uri, "has an empty trust domain");
  if (td.find('@') != absl::string_view::npos) {
    return Invalid(uri, "has user info before the trust domain; SPIFFE IDs have none");
  }
  if (td.find(':') != absl::string_view::npos) {
    return Invalid(uri, "has a port after the trust domain; SPIFFE IDs have none");
  }
  if (td.size() > kMaxTrustDomainLength) {
    return Invalid(uri, absl::StrCat("trust domain is ", td.size(), " bytes long; at most ",
                                     kMaxTrustDomainLength, " are allowed"));
  }
  for (size_t i = 0; i < td.size(); ++i) {
    if (!IsTrustDomainChar(td[i])) {
      return Invalid(
          uri, absl::StrCat("trust domain has ", ShowChar(td[i]), " at offset ", kScheme.size() + i,
                            "; only lowercase letters, digits, '.', '-' and '_' are "
                            "allowed"));
    }
  }

  SpiffeId id;
  id.trust_domain = std::string(td);
  id.path = std::string(path);
  if (path.empty()) return id;

  if (path.size() == 1) return Invalid(uri, "path is \"/\"; a trailing '/' is not allowed");
  if (path.back() == '/') return Invalid(uri, "path ends with '/'; a trailing '/' is not allowed");
  // path starts with '/'; split what follows into segments.
  std::vector<absl::string_view> segs = absl::StrSplit(path.substr(1), '/');
  size_t offset = kScheme.size() + td.size() + 1;  // of the current segment in `uri`
  for (absl::string_view seg : segs) {
    if (seg.empty()) {
      return Invalid(uri,
                     absl::StrCat("path has an empty segment (\"//\") at offset ", offset - 1));
    }
    if (seg == "." || seg == "..") {
      return Invalid(uri, absl::StrCat("path has a \"", seg, "\" segment at offset ", offset,
                                       "; relative segments are not allowed"));
    }
    for (size_t i = 0; i < seg.size(); ++i) {
      if (!IsPathChar(seg[i])) {
        return Invalid(uri, absl::StrCat("path has ", ShowChar(seg[i]), " at offset ", offset + i,
                                         "; only letters, digits, '.', '-' and '_' are allowed"));
      }
    }
    offset += seg.size() + 1;
  }
  RecogniseConsulShape(segs, id);
  return id;
}

std::string ServiceSpiffeId(std::string_view trust_domain, std::string_view ns,
                            std::string_view datacenter, std::string_view service,
                            std::string_view partition) {
  return absl::StrCat(kScheme, AV(trust_domain), PartitionPrefix(AV(partition)), "/ns/",
                      ns.empty() ? "default" : AV(ns), "/dc/", AV(datacenter), "/svc/",
                      AV(service));
}

std::string MeshGatewaySpiffeId(std::string_view trust_domain, std::string_view datacenter,
                                std::string_view partition) {
  return absl::StrCat(kScheme, AV(trust_domain), PartitionPrefix(AV(partition)),
                      "/gateway/mesh/dc/", AV(datacenter));
}

std::string_view SpiffeIdKindName(SpiffeId::Kind kind) {
  switch (kind) {
    case SpiffeId::Kind::kService:
      return "service";
    case SpiffeId::Kind::kMeshGateway:
      return "mesh-gateway";
    case SpiffeId::Kind::kOther:
      return "other";
  }
  return "other";
}

}  // namespace meshgw
