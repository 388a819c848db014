#include "gateway/config/string_matcher.h"

#include <re2/re2.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace meshgw::gateway::config {

#define MESHGW_STRING_MATCHER_FACTORY(Name, KindValue)                          \
  StringMatcher StringMatcher::Name(std::string value, bool ignore_case) {      \
    StringMatcher m;                                                            \
    m.kind_ = Kind::KindValue;                                                  \
    m.ignore_case_ = ignore_case;                                               \
    m.pattern_ = ignore_case ? absl::AsciiStrToLower(value) : std::move(value); \
    return m;                                                                   \
  }
MESHGW_STRING_MATCHER_FACTORY(Exact, kExact)
MESHGW_STRING_MATCHER_FACTORY(Prefix, kPrefix)
MESHGW_STRING_MATCHER_FACTORY(Suffix, kSuffix)
MESHGW_STRING_MATCHER_FACTORY(Contains, kContains)
#undef MESHGW_STRING_MATCHER_FACTORY

absl::StatusOr<StringMatcher> StringMatcher::Regex(std::string pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid regex \"", pattern, "\": ", re->error()));
  }
  StringMatcher m;
  m.kind_ = Kind::kRegex;
  m.pattern_ = std::move(pattern);
  m.regex_ = std::move(re);
  return m;
}

bool StringMatcher::Matches(std::string_view value) const {
  if (kind_ == Kind::kRegex) {
    return RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *regex_);
  }
  absl::string_view v(value.data(), value.size());
  absl::string_view p(pattern_);
  switch (kind_) {
    case Kind::kExact:
      return ignore_case_ ? absl::EqualsIgnoreCase(v, p) : v == p;
    case Kind::kPrefix:
      return ignore_case_ ? absl::StartsWithIgnoreCase(v, p) : absl::StartsWith(v, p);
    case Kind::kSuffix:
      return ignore_case_ ? absl::EndsWithIgnoreCase(v, p) : absl::EndsWith(v, p);
    case Kind::kContains:
      return ignore_case_ ? absl::StrContains(absl::AsciiStrToLower(v), p)
                          : absl::StrContains(v, p);
    case Kind::kRegex:
      break;
  }
  return false;
}

std::string StringMatcher::DebugString() const {
  static constexpr absl::string_view kNames[] = {"exact", "prefix", "suffix", "contains", "regex"};
  return absl::StrCat(kNames[static_cast<int>(kind_)], ignore_case_ ? "(ignore_case)" : "", ":",
                      pattern_);
}

}  // namespace meshgw::gateway::config
