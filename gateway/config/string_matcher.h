// StringMatcher: Envoy's envoy.type.matcher.v3.StringMatcher, compiled once.
//
// Used by the RBAC filter (principal names, requested server name) and by certificate SAN checks
// (Consul pins SPIFFE IDs with exact URIs and, for peers, with safe_regex patterns such as
// "^spiffe://[^/]+/ns/default/dc/[^/]+/svc/web$").
//
//   auto m = StringMatcher::Regex("^spiffe://td/ns/[^/]+/svc/web$");  // StatusOr
//   m->Matches("spiffe://td/ns/default/svc/web") == true
//   StringMatcher::Prefix("spiffe://td/").Matches("spiffe://other/") == false
//
// Regexes are RE2 (linear time, as Envoy's safe_regex) and must match the whole string, as in
// Envoy. Thread-safety: immutable after construction; Matches is safe from any thread.
#ifndef MESHGW_GATEWAY_CONFIG_STRING_MATCHER_H_
#define MESHGW_GATEWAY_CONFIG_STRING_MATCHER_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}

namespace meshgw::gateway::config {

class StringMatcher {
 public:
  enum class Kind : uint8_t { kExact, kPrefix, kSuffix, kContains, kRegex };

  // The default matcher is Exact("") (matches only the empty string).
  StringMatcher() = default;
  static StringMatcher Exact(std::string value, bool ignore_case = false);
  static StringMatcher Prefix(std::string value, bool ignore_case = false);
  static StringMatcher Suffix(std::string value, bool ignore_case = false);
  static StringMatcher Contains(std::string value, bool ignore_case = false);
  // Regex compiles `pattern` with RE2; a bad pattern is InvalidArgument naming RE2's reason.
  static absl::StatusOr<StringMatcher> Regex(std::string pattern);

  bool Matches(std::string_view value) const;

  Kind kind() const { return kind_; }
  const std::string& pattern() const { return pattern_; }
  bool ignore_case() const { return ignore_case_; }
  // "exact:spiffe://td/ns/default/dc/dc1/svc/web", "regex:^spiffe://...$": for logs and dumps.
  std::string DebugString() const;

 private:
  Kind kind_ = Kind::kExact;
  std::string pattern_;  // lower-cased when ignore_case_ (not for regexes)
  bool ignore_case_ = false;
  std::shared_ptr<const re2::RE2> regex_;
};

}  // namespace meshgw::gateway::config

#endif  // MESHGW_GATEWAY_CONFIG_STRING_MATCHER_H_
