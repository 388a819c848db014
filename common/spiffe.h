// SPIFFE IDs in the shapes Consul gives its workloads: parsing (from a certificate's URI SAN, a
// config entry, an RBAC principal) and formatting (for the leaves the embedded CA issues and the
// SANs a gateway pins).
//
//   absl::StatusOr<SpiffeId> id = ParseSpiffeId("spiffe://7f42.consul/ns/default/dc/dc1/svc/web");
//   id->kind == SpiffeId::Kind::kService; id->trust_domain == "7f42.consul"; id->service == "web"
//   ServiceSpiffeId("7f42.consul", "default", "dc1", "web")
//       == "spiffe://7f42.consul/ns/default/dc/dc1/svc/web"
//   MeshGatewaySpiffeId("7f42.consul", "dc2") == "spiffe://7f42.consul/gateway/mesh/dc/dc2"
//
// Shapes recognised (facts from Consul's agent/connect/uri_*.go):
//   service       spiffe://<td>[/ap/<partition>]/ns/<ns>/dc/<dc>/svc/<name>
//   mesh gateway  spiffe://<td>[/ap/<partition>]/gateway/mesh/dc/<dc>
// Anything else that is a valid SPIFFE ID (SPIFFE spec: lowercase trust domain of [a-z0-9.-_],
// path segments of [a-zA-Z0-9.-_], no empty, "." or ".." segment, no trailing slash, no query,
// fragment, port or user info, at most 2048 bytes) parses as Kind::kOther with its trust domain
// and path. The scheme must be "spiffe" in lowercase, as the spec requires.
//
// Thread-safety: plain values and pure functions; safe from any thread.
#ifndef MESHGW_COMMON_SPIFFE_H_
#define MESHGW_COMMON_SPIFFE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace meshgw {

struct SpiffeId {
  enum class Kind : uint8_t { kService, kMeshGateway, kOther };

  Kind kind = Kind::kOther;
  std::string trust_domain;  // "7f42f496-fbc7-8692-05ed-334aa5340c1e.consul"
  std::string path;          // "/ns/default/dc/dc1/svc/web"; empty for the bare trust domain
  // Consul fields, filled for kService (all but partition non-empty) and kMeshGateway
  // (datacenter, and partition when present). `partition` is empty when the ID has no /ap/ part.
  std::string partition;
  std::string ns;
  std::string datacenter;
  std::string service;

  // ToString() == "spiffe://" + trust_domain + path, the form ParseSpiffeId accepts.
  std::string ToString() const;

  friend bool operator==(const SpiffeId&, const SpiffeId&) = default;
};

// ParseSpiffeId parses `uri` and says what is wrong, quoting the input, when it is not a SPIFFE ID:
//   ParseSpiffeId("spiffe://TD/ns/x") -> InvalidArgument("SPIFFE ID \"spiffe://TD/ns/x\": trust
//   domain has 'T' at offset 0; only lowercase letters, digits, '.', '-' and '_' are allowed")
absl::StatusOr<SpiffeId> ParseSpiffeId(std::string_view uri);

// ServiceSpiffeId("td", "default", "dc1", "web") == "spiffe://td/ns/default/dc/dc1/svc/web".
// An empty `ns` means "default". A `partition` other than "" and "default" adds "/ap/<partition>"
// before "/ns" (Consul omits the default partition).
std::string ServiceSpiffeId(std::string_view trust_domain, std::string_view ns,
                            std::string_view datacenter, std::string_view service,
                            std::string_view partition = "");

// MeshGatewaySpiffeId("td", "dc2") == "spiffe://td/gateway/mesh/dc/dc2"; a partition other than
// "" and "default" gives "spiffe://td/ap/<partition>/gateway/mesh/dc/dc2".
std::string MeshGatewaySpiffeId(std::string_view trust_domain, std::string_view datacenter,
                                std::string_view partition = "");

// IsValidTrustDomain("abc.consul") == true; IsValidTrustDomain("ABC") == false (SPIFFE spec
// characters, non-empty, at most 255 bytes).
bool IsValidTrustDomain(std::string_view trust_domain);

// SpiffeIdKindName(Kind::kMeshGateway) == "mesh-gateway" ("service", "other"): for logs.
std::string_view SpiffeIdKindName(SpiffeId::Kind kind);

}  // namespace meshgw

#endif  // MESHGW_COMMON_SPIFFE_H_
