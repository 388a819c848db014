// The RBAC network filter (envoy.filters.network.rbac) as Consul programs it for intentions:
// evaluated once per terminated connection, after the TLS handshake, on the caller's certificate
// identity and the requested server name.
//
//   std::vector<std::string_view> uris = {"spiffe://td2.consul/ns/default/dc/dc2/svc/web"};
//   RbacDecision d = EvaluateRbac(*chain.rbac(), {.uri_sans = uris, .subject = "CN=web",
//                                                 .requested_server_name = sni,
//                                                 .authenticated = true});
//   if (!d.allowed) log("denied ", who, ": ", d.reason);   // "no policy matched"
//
// Semantics (Envoy's): a policy matches when any of its permissions and any of its principals
// match. Action ALLOW allows only when some policy matches (no policies: deny everything, which
// is Consul's default-deny); action DENY denies when some policy matches. Policies are tried in
// order and the first match is reported. Principals: any; authenticated (the connection
// presented a verified certificate, and principal_name matches one of its URI SANs, or one of its
// DNS SANs, or its subject; an empty exact principal_name means "any authenticated peer",
// as an unset one does in Envoy); and/or/not. Permissions: any; requested_server_name matches the
// SNI; and/or/not.
//
// Thread-safety: a pure function of its arguments; safe from any thread. No allocation unless a
// policy name or reason is returned.
#ifndef MESHGW_GATEWAY_AUTHZ_RBAC_H_
#define MESHGW_GATEWAY_AUTHZ_RBAC_H_

#include <string>
#include <string_view>

#include "absl/types/span.h"
#include "gateway/config/snapshot.h"

namespace meshgw::gateway::authz {

struct RbacRequest {
  absl::Span<const std::string_view> uri_sans = {};
  std::string_view subject = {};
  std::string_view requested_server_name = {};
  // A certificate was presented and verified (a TLS-terminated connection with a client cert).
  bool authenticated = false;
  absl::Span<const std::string_view> dns_sans = {};
};

struct RbacDecision {
  bool allowed = false;
  std::string policy;  // the policy that decided; empty when none matched
  // For the access and denial logs: "matched ALLOW policy \"x\"", "no policy matched",
  // "matched DENY policy \"x\"", "no DENY policy matched", and for a filter whose ECDS
  // configuration is absent (config_missing, always denied): "configuration \"x\" not received
  // (fail closed)".
  std::string reason;
};

// EvaluateRbac decides one connection; see the header comment for the rules.
RbacDecision EvaluateRbac(const config::RbacFilter& filter, const RbacRequest& request);

// The pieces, for tests and for the HTTP stage that will reuse them.
bool PrincipalMatches(const config::RbacPrincipal& principal, const RbacRequest& request);
bool PermissionMatches(const config::RbacPermission& permission, const RbacRequest& request);

}  // namespace meshgw::gateway::authz

#endif  // MESHGW_GATEWAY_AUTHZ_RBAC_H_
