#include "gateway/authz/rbac.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace meshgw::gateway::authz {
namespace {

using config::RbacFilter;
using config::RbacPermission;
using config::RbacPolicy;
using config::RbacPrincipal;
using config::StringMatcher;

constexpr std::string_view kWebTd2 = "spiffe://td2.consul/ns/default/dc/dc2/svc/web";
constexpr std::string_view kApiTd2 = "spiffe://td2.consul/ns/default/dc/dc2/svc/api";
constexpr std::string_view kWebTd3 = "spiffe://td3.consul/ns/default/dc/dc9/svc/web";

StringMatcher Regex(const std::string& pattern) {
  auto m = StringMatcher::Regex(pattern);
  EXPECT_TRUE(m.ok()) << m.status();
  return *std::move(m);
}

RbacPrincipal Authenticated(StringMatcher m) {
  return {.kind = RbacPrincipal::Kind::kAuthenticated, .principal_name = std::move(m), .ids = {}};
}
RbacPrincipal Any() { return {.kind = RbacPrincipal::Kind::kAny, .principal_name = {}, .ids = {}}; }
RbacPrincipal Not(RbacPrincipal p) {
  return {.kind = RbacPrincipal::Kind::kNot, .principal_name = {}, .ids = {std::move(p)}};
}
RbacPrincipal And(std::vector<RbacPrincipal> ids) {
  return {.kind = RbacPrincipal::Kind::kAnd, .principal_name = {}, .ids = std::move(ids)};
}
RbacPrincipal Or(std::vector<RbacPrincipal> ids) {
  return {.kind = RbacPrincipal::Kind::kOr, .principal_name = {}, .ids = std::move(ids)};
}
RbacPermission AnyPermission() {
  return {.kind = RbacPermission::Kind::kAny, .server_name = {}, .rules = {}};
}
RbacPermission Sni(StringMatcher m) {
  return {
      .kind = RbacPermission::Kind::kRequestedServerName, .server_name = std::move(m), .rules = {}};
}
RbacPermission NotPermission(RbacPermission p) {
  return {.kind = RbacPermission::Kind::kNot, .server_name = {}, .rules = {std::move(p)}};
}
RbacPermission AndPermission(std::vector<RbacPermission> rules) {
  return {.kind = RbacPermission::Kind::kAnd, .server_name = {}, .rules = std::move(rules)};
}
RbacPermission OrPermission(std::vector<RbacPermission> rules) {
  return {.kind = RbacPermission::Kind::kOr, .server_name = {}, .rules = std::move(rules)};
}

// Consul's intention for a peer source: web from the peer with trust domain td2, any dc.
RbacPrincipal PeerWeb() {
  return Authenticated(Regex("^spiffe://td2\\.consul/ns/default/dc/[^/]+/svc/web$"));
}

struct Case {
  std::string name;
  RbacFilter filter;
  std::vector<std::string_view> uris;
  std::string_view subject;
  std::string_view sni;
  bool authenticated;
  bool allowed;
  std::string policy;
  std::string reason;
};

RbacFilter Allow(std::vector<RbacPolicy> policies) {
  return {.action = RbacFilter::Action::kAllow,
          .policies = std::move(policies),
          .stat_prefix = "",
          .config_name = "",
          .config_missing = false};
}
RbacFilter Deny(std::vector<RbacPolicy> policies) {
  return {.action = RbacFilter::Action::kDeny,
          .policies = std::move(policies),
          .stat_prefix = "",
          .config_name = "",
          .config_missing = false};
}

TEST(EvaluateRbacTest, Table) {
  const std::vector<Case> cases = {
      {"default deny: no policies",
       Allow({}),
       {kWebTd2},
       "CN=web",
       "web.sni",
       true,
       false,
       "",
       "no policy matched"},
      {"allow intention matches the peer's web",
       Allow({{"consul-intentions-layer4", {AnyPermission()}, {PeerWeb()}}}),
       {kWebTd2},
       "CN=web",
       "web.sni",
       true,
       true,
       "consul-intentions-layer4",
       "matched ALLOW policy \"consul-intentions-layer4\""},
      {"allow intention: another service",
       Allow({{"p", {AnyPermission()}, {PeerWeb()}}}),
       {kApiTd2},
       "CN=api",
       "",
       true,
       false,
       "",
       "no policy matched"},
      {"allow intention: same service, another peer's trust domain",
       Allow({{"p", {AnyPermission()}, {PeerWeb()}}}),
       {kWebTd3},
       "",
       "",
       true,
       false,
       "",
       "no policy matched"},
      {"authenticated needs a verified certificate",
       Allow({{"p", {AnyPermission()}, {PeerWeb()}}}),
       {kWebTd2},
       "",
       "",
       false,
       false,
       "",
       "no policy matched"},
      {"second URI SAN matches",
       Allow({{"p", {AnyPermission()}, {PeerWeb()}}}),
       {"spiffe://other/x", kWebTd2},
       "",
       "",
       true,
       true,
       "p",
       "matched ALLOW policy \"p\""},
      {"subject when no SAN matches",
       Allow({{"subj", {AnyPermission()}, {Authenticated(StringMatcher::Exact("CN=legacy"))}}}),
       {},
       "CN=legacy",
       "",
       true,
       true,
       "subj",
       "matched ALLOW policy \"subj\""},
      {"empty principal name: any authenticated peer",
       Allow({{"any-authn", {AnyPermission()}, {Authenticated(StringMatcher())}}}),
       {kApiTd2},
       "",
       "",
       true,
       true,
       "any-authn",
       "matched ALLOW policy \"any-authn\""},
      {"empty principal name still needs authentication",
       Allow({{"any-authn", {AnyPermission()}, {Authenticated(StringMatcher())}}}),
       {},
       "",
       "",
       false,
       false,
       "",
       "no policy matched"},
      {"deny action: matched",
       Deny({{"deny-web", {AnyPermission()}, {PeerWeb()}}}),
       {kWebTd2},
       "",
       "",
       true,
       false,
       "deny-web",
       "matched DENY policy \"deny-web\""},
      {"deny action: not matched",
       Deny({{"deny-web", {AnyPermission()}, {PeerWeb()}}}),
       {kApiTd2},
       "",
       "",
       true,
       true,
       "",
       "no DENY policy matched"},
      {"first matching policy is reported",
       Allow({{"first", {Sni(StringMatcher::Exact("other"))}, {Any()}},
              {"second", {AnyPermission()}, {PeerWeb()}},
              {"third", {AnyPermission()}, {Any()}}}),
       {kWebTd2},
       "",
       "web.sni",
       true,
       true,
       "second",
       "matched ALLOW policy \"second\""},
      {"requested server name permission",
       Allow({{"sni", {Sni(StringMatcher::Suffix(".internal.td1.consul"))}, {Any()}}}),
       {},
       "",
       "web.default.dc1.internal.td1.consul",
       false,
       true,
       "sni",
       "matched ALLOW policy \"sni\""},
      {"requested server name permission: other name",
       Allow({{"sni", {Sni(StringMatcher::Suffix(".internal.td1.consul"))}, {Any()}}}),
       {},
       "",
       "web.default.dc1.internal.td9.consul",
       false,
       false,
       "",
       "no policy matched"},
      {"a policy needs a permission and a principal",
       Allow({{"no-principals", {AnyPermission()}, {}}, {"no-permissions", {}, {Any()}}}),
       {kWebTd2},
       "",
       "",
       true,
       false,
       "",
       "no policy matched"},
      // Consul's deny intention under an allow-all default: and(web, not(api)).
      {"and/not principal",
       Allow({{"p",
               {AnyPermission()},
               {And({Authenticated(Regex("^spiffe://td2\\.consul/.*$")),
                     Not(Authenticated(StringMatcher::Suffix("/svc/api")))})}}}),
       {kWebTd2},
       "",
       "",
       true,
       true,
       "p",
       "matched ALLOW policy \"p\""},
      {"and/not principal excludes",
       Allow({{"p",
               {AnyPermission()},
               {And({Authenticated(Regex("^spiffe://td2\\.consul/.*$")),
                     Not(Authenticated(StringMatcher::Suffix("/svc/api")))})}}}),
       {kApiTd2},
       "",
       "",
       true,
       false,
       "",
       "no policy matched"},
      {"or principal",
       Allow({{"p",
               {AnyPermission()},
               {Or({Authenticated(StringMatcher::Exact(std::string(kApiTd2))), PeerWeb()})}}}),
       {kApiTd2},
       "",
       "",
       true,
       true,
       "p",
       "matched ALLOW policy \"p\""},
      {"and/or/not permissions",
       Allow({{"p",
               {AndPermission(
                   {OrPermission({Sni(StringMatcher::Exact("a")), Sni(StringMatcher::Exact("b"))}),
                    NotPermission(Sni(StringMatcher::Prefix("b")))})},
               {Any()}}}),
       {},
       "",
       "a",
       false,
       true,
       "p",
       "matched ALLOW policy \"p\""},
      {"and/or/not permissions exclude",
       Allow({{"p",
               {AndPermission(
                   {OrPermission({Sni(StringMatcher::Exact("a")), Sni(StringMatcher::Exact("b"))}),
                    NotPermission(Sni(StringMatcher::Prefix("b")))})},
               {Any()}}}),
       {},
       "",
       "b",
       false,
       false,
       "",
       "no policy matched"},
  };
  for (const Case& c : cases) {
    RbacDecision d = EvaluateRbac(c.filter, {.uri_sans = c.uris,
                                             .subject = c.subject,
                                             .requested_server_name = c.sni,
                                             .authenticated = c.authenticated});
    EXPECT_EQ(d.allowed, c.allowed) << c.name;
    EXPECT_EQ(d.policy, c.policy) << c.name;
    EXPECT_EQ(d.reason, c.reason) << c.name;
  }
}

TEST(EvaluateRbacTest, DnsSansAreTriedAfterUriSans) {
  RbacFilter f = Allow(
      {{"dns", {AnyPermission()}, {Authenticated(StringMatcher::Exact("mesh-gateway.dc1"))}}});
  std::vector<std::string_view> uris = {kWebTd2};
  std::vector<std::string_view> dns = {"mesh-gateway.dc1"};
  EXPECT_TRUE(EvaluateRbac(f, {.uri_sans = uris, .authenticated = true, .dns_sans = dns}).allowed);
  EXPECT_FALSE(EvaluateRbac(f, {.uri_sans = uris, .authenticated = true}).allowed);
}

// A filter whose ECDS configuration has not arrived decides nothing, so it allows nothing: not even
// a policy that would match everyone (there is none in practice; the translation leaves it empty).
TEST(EvaluateRbacTest, MissingDiscoveredConfigurationDeniesEverything) {
  RbacFilter f = Allow({{"everyone", {AnyPermission()}, {Any()}}});
  f.config_name = "intentions~api";
  f.config_missing = true;
  std::vector<std::string_view> uris = {kWebTd2};
  RbacDecision d = EvaluateRbac(f, {.uri_sans = uris, .authenticated = true});
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.policy, "");
  EXPECT_EQ(d.reason, "configuration \"intentions~api\" not received (fail closed)");

  RbacFilter placeholder;  // what translation puts in the chain: ALLOW without policies
  placeholder.config_name = "intentions~api";
  placeholder.config_missing = true;
  EXPECT_FALSE(EvaluateRbac(placeholder, {.uri_sans = uris, .authenticated = true}).allowed);
  placeholder.config_missing = false;  // even ignoring the flag, ALLOW without policies denies
  EXPECT_FALSE(EvaluateRbac(placeholder, {.uri_sans = uris, .authenticated = true}).allowed);
}

}  // namespace
}  // namespace meshgw::gateway::authz
