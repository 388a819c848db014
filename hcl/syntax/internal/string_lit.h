// Decoding of HCL string literal tokens and the small text helpers the parser shares with the
// scanner (Go's whitespace class, Go-style quoting for diagnostics, name suggestions, number
// literal validation). Private to hcl_syntax. Thread-safe (pure functions).
#ifndef MESHGW_HCL_SYNTAX_INTERNAL_STRING_LIT_H_
#define MESHGW_HCL_SYNTAX_INTERNAL_STRING_LIT_H_

#include <initializer_list>
#include <string>
#include <string_view>

#include "hcl/diagnostic.h"
#include "hcl/syntax/lexer.h"

namespace meshgw::hcl::internal {

// DecodeStringLiteral appends the text of a QuotedLit (`quoted`: backslash escapes are decoded)
// or StringLit token to `out`, turning `$${` into `${` and `%%{` into `%{`. Bad escapes are
// reported like hclsyntax.ParseStringLiteralToken and kept in the output as written.
void DecodeStringLiteral(const Token& tok, bool quoted, std::string* out, Diagnostics* diags);

// Go's unicode.IsSpace.
bool IsGoSpace(int32_t cp);
std::string_view TrimLeftGoSpace(std::string_view s);
std::string_view TrimRightGoSpace(std::string_view s);
inline std::string_view TrimGoSpace(std::string_view s) {
  return TrimRightGoSpace(TrimLeftGoSpace(s));
}

// GoQuote(s) is Go's %q of s: GoQuote("a\"b") == "\"a\\\"b\"".
std::string GoQuote(std::string_view s);

// NameSuggestion returns the first of `candidates` within edit distance 2 of `given`, or "".
std::string NameSuggestion(std::string_view given,
                           std::initializer_list<std::string_view> candidates);

// IsValidNumberLiteral reports whether a NumberLit token is a number the official parser accepts
// (Go's big.ParseFloat in base 10): "1.5e3" and "1.e5" are, "1.2.3" and "1e99999999999" are not.
bool IsValidNumberLiteral(std::string_view text);

}  // namespace meshgw::hcl::internal

#endif  // MESHGW_HCL_SYNTAX_INTERNAL_STRING_LIT_H_
