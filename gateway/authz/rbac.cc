#include "gateway/authz/rbac.h"

#include "absl/strings/str_cat.h"

namespace meshgw::gateway::authz {
namespace {

bool AuthenticatedMatches(const config::StringMatcher& name, const RbacRequest& request) {
  if (!request.authenticated) return false;
  if (name.kind() == config::StringMatcher::Kind::kExact && name.pattern().empty()) return true;
  // As Envoy's AuthenticatedMatcher: any URI SAN, then any DNS SAN, then the subject.
  for (std::string_view uri : request.uri_sans) {
    if (name.Matches(uri)) return true;
  }
  for (std::string_view dns : request.dns_sans) {
    if (name.Matches(dns)) return true;
  }
  return name.Matches(request.subject);
}

}  // namespace

bool PrincipalMatches(const config::RbacPrincipal& p, const RbacRequest& request) {
  using Kind = config::RbacPrincipal::Kind;
  switch (p.kind) {
    case Kind::kAny:
      return true;
    case Kind::kAuthenticated:
      return AuthenticatedMatches(p.principal_name, request);
    case Kind::kAnd:
      for (const config::RbacPrincipal& id : p.ids) {
        if (!PrincipalMatches(id, request)) return false;
      }
      return true;
    case Kind::kOr:
      for (const config::RbacPrincipal& id : p.ids) {
        if (PrincipalMatches(id, request)) return true;
      }
      return false;
    case Kind::kNot:
      // Validated to have exactly one; an empty one negates nothing and matches nothing.
      return !p.ids.empty() && !PrincipalMatches(p.ids.front(), request);
  }
  return false;
}

bool PermissionMatches(const config::RbacPermission& p, const RbacRequest& request) {
  using Kind = config::RbacPermission::Kind;
  switch (p.kind) {
    case Kind::kAny:
      return true;
    case Kind::kRequestedServerName:
      return p.server_name.Matches(request.requested_server_name);
    case Kind::kAnd:
      for (const config::RbacPermission& rule : p.rules) {
        if (!PermissionMatches(rule, request)) return false;
      }
      return true;
    case Kind::kOr:
      for (const config::RbacPermission& rule : p.rules) {
        if (PermissionMatches(rule, request)) return true;
      }
      return false;
    case Kind::kNot:
      return !p.rules.empty() && !PermissionMatches(p.rules.front(), request);
  }
  return false;
}

RbacDecision EvaluateRbac(const config::RbacFilter& filter, const RbacRequest& request) {
  // The ECDS configuration has not arrived: no decision can be made, so none allows (the filter
  // also has no policies under ALLOW; this only gives the reason).
  if (filter.config_missing) {
    RbacDecision d;
    d.reason =
        absl::StrCat("configuration \"", filter.config_name, "\" not received (fail closed)");
    return d;
  }
  const config::RbacPolicy* matched = nullptr;
  for (const config::RbacPolicy& policy : filter.policies) {
    bool permission = false;
    for (const config::RbacPermission& p : policy.permissions) {
      if (PermissionMatches(p, request)) {
        permission = true;
        break;
      }
    }
    if (!permission) continue;
    for (const config::RbacPrincipal& p : policy.principals) {
      if (PrincipalMatches(p, request)) {
        matched = &policy;
        break;
      }
    }
    if (matched != nullptr) break;
  }
  RbacDecision d;
  const bool allow_action = filter.action == config::RbacFilter::Action::kAllow;
  if (matched != nullptr) {
    d.policy = matched->name;
    d.allowed = allow_action;
    d.reason = absl::StrCat("matched ", allow_action ? "ALLOW" : "DENY", " policy \"",
                            matched->name, "\"");
  } else {
    d.allowed = !allow_action;
    d.reason = allow_action ? "no policy matched" : "no DENY policy matched";
  }
  return d;
}

}  // namespace meshgw::gateway::authz
