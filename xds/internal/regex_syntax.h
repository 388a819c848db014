// IsPlainRe2Pattern(pattern): true when `pattern` is certainly a valid RE2 regex, decided from its
// shape alone, without compiling it.
//
// Why: a mesh gateway's RBAC filters carry one principal regex per intention source (Consul's
// `^spiffe://<td>/ns/<ns>/dc/[^/]+/svc/<name>$`), so a configuration of 10,000 services brings
// thousands of distinct patterns. Compiling each with RE2 only to learn that it parses was 30% of
// the CPU a gateway spent validating such a configuration. These patterns are all of a trivially
// valid shape; anything else is still compiled by RE2, which gives its reason when it refuses.
//
// The shape accepted (ASCII only, at most kMaxPlainPatternBytes bytes), a sequence of:
//   - the anchors ^ and $;
//   - an atom, optionally followed by one of * + ?, where an atom is
//       a literal: a letter, a digit, or one of  / : _ - @ = , % ~ ! # & ' " < > ; ` space
//       an escaped punctuation character: \ followed by any ASCII character that is neither a
//         letter nor a digit nor a control character ("escaped non-word characters are always
//         themselves" in RE2's syntax),
//       the dot,
//       a bracket class without ranges, escapes or nested brackets: [ then an optional ^ then one
//         or more literals or dots, then ].
// Every such string is a valid RE2 pattern; tests/unit/xds/regex_syntax_test.cc checks it against
// RE2 itself on generated patterns.
#ifndef MESHGW_XDS_INTERNAL_REGEX_SYNTAX_H_
#define MESHGW_XDS_INTERNAL_REGEX_SYNTAX_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace meshgw::xds::internal {

// Longer patterns are left to RE2, whose program-size limit they could approach.
inline constexpr size_t kMaxPlainPatternBytes = 1024;

bool IsPlainRe2Pattern(absl::string_view pattern);

}  // namespace meshgw::xds::internal

#endif  // MESHGW_XDS_INTERNAL_REGEX_SYNTAX_H_
