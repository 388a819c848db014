#include "xds/internal/regex_syntax.h"

namespace meshgw::xds::internal {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A character that stands for itself outside a class and inside one: no operator of RE2's syntax.
bool IsLiteral(char c) {
  if (IsAlnum(c)) return true;
  constexpr absl::string_view kPunctuation = "/:_-@=,%~!#&'\"<>;` ";
  return kPunctuation.find(c) != absl::string_view::npos;
}

// After a backslash: printable ASCII that is not a word character is itself.
bool IsEscapable(char c) { return c >= 0x20 && c < 0x7f && !IsAlnum(c); }

}  // namespace

bool IsPlainRe2Pattern(absl::string_view pattern) {
  if (pattern.size() > kMaxPlainPatternBytes) return false;
  size_t i = 0;
  const size_t n = pattern.size();
  while (i < n) {
    const char c = pattern[i];
    if (c == '^' || c == '$') {  // an anchor takes no repetition operator here
      ++i;
      continue;
    }
    // One atom.
    if (IsLiteral(c) || c == '.') {
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= n || !IsEscapable(pattern[i + 1])) return false;
      i += 2;
    } else if (c == '[') {
      ++i;
      if (i < n && pattern[i] == '^') ++i;
      const size_t first = i;
      while (i < n && ((IsLiteral(pattern[i]) && pattern[i] != '-') || pattern[i] == '.')) ++i;
      if (i == first || i >= n || pattern[i] != ']') return false;
      ++i;
    } else {
      return false;
    }
    // Its optional repetition operator (one: a second is an RE2 error, and {n,m} is not plain).
    if (i < n && (pattern[i] == '*' || pattern[i] == '+' || pattern[i] == '?')) ++i;
  }
  return true;
}

}  // namespace meshgw::xds::internal
