// The token scanner of HCL native syntax, shared by the parser and the canonical formatter.
//
// It produces the same token stream as the official hclsyntax scanner (2.14.1): the same kinds,
// the same byte boundaries and the same ranges, comments and newlines included, so a formatter
// can rebuild a file from its tokens. Tokens are views into the source; the caller keeps the
// source alive. Thread-safe (no shared state).
//
//   std::vector<Token> toks = LexConfig("a = 1 # one\n", "f.hcl", Pos{});
//   // Ident "a", Equal "=", NumberLit "1", Comment "# one\n", EOF ""
//
// A `#` or `//` comment includes the newline that ends it (there is then no separate Newline
// token), as in hclsyntax. A heredoc opener `<<EOT\n` includes its newline; the closing marker
// is a CHeredoc token followed by its own Newline token. Whitespace (spaces and tabs) between
// tokens is not tokenized. The stream always ends with one EOF token of zero length.
#ifndef MESHGW_HCL_SYNTAX_LEXER_H_
#define MESHGW_HCL_SYNTAX_LEXER_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "hcl/diagnostic.h"
#include "hcl/source.h"

namespace meshgw::hcl {

// Token kinds, one for one with hclsyntax's TokenType.
enum class TokenType : uint8_t {
  kOBrace,    // {
  kCBrace,    // }
  kOBrack,    // [
  kCBrack,    // ]
  kOParen,    // (
  kCParen,    // )
  kOQuote,    // " opening a quoted template
  kCQuote,    // " closing it
  kOHeredoc,  // <<EOT or <<-EOT, with the newline after it
  kCHeredoc,  // the closing marker line of a heredoc (leading spaces included, newline excluded)

  kStar,     // *
  kSlash,    // /
  kPlus,     // +
  kMinus,    // -
  kPercent,  // %

  kEqual,          // =
  kEqualOp,        // ==
  kNotEqual,       // !=
  kLessThan,       // <
  kLessThanEq,     // <=
  kGreaterThan,    // >
  kGreaterThanEq,  // >=

  kAnd,   // &&
  kOr,    // ||
  kBang,  // !

  kDot,    // .
  kComma,  // ,

  kEllipsis,  // ...
  kFatArrow,  // =>

  kQuestion,  // ?
  kColon,     // :

  kTemplateInterp,   // ${ or ${~
  kTemplateControl,  // %{ or %{~
  kTemplateSeqEnd,   // } or ~} closing an interpolation or directive

  kQuotedLit,  // literal text inside "...": may hold backslash escapes
  kStringLit,  // literal text of a heredoc or bare template: no escapes
  kNumberLit,
  kIdent,

  kComment,  // # ...\n, // ...\n or /* ... */

  kNewline,  // \n or \r\n
  kEOF,

  // Not part of the language: recognized so the parser can explain the mistake.
  kBitwiseAnd,     // &
  kBitwiseOr,      // |
  kBitwiseNot,     // ~
  kBitwiseXor,     // ^
  kStarStar,       // ** (never produced by the 2.14.1 scanner, kept for parity)
  kApostrophe,     // '
  kBacktick,       // `
  kSemicolon,      // ;
  kTabs,           // (never produced by the 2.14.1 scanner: tabs are whitespace)
  kInvalid,        // a character that is not valid here
  kBadUTF8,        // a byte that is not valid UTF-8
  kQuotedNewline,  // a newline inside a quoted string

  kNil,  // placeholder when no token is available; never produced by the scanner
};

// TokenTypeName(TokenType::kOBrace) == "TokenOBrace": hclsyntax's names, for debugging and tests.
std::string_view TokenTypeName(TokenType type);

struct Token {
  TokenType type = TokenType::kNil;
  std::string_view bytes;  // a view into the scanned source
  Range range;
};

// LexConfig scans a whole configuration file (hclsyntax.LexConfig). A leading UTF-8 BOM is
// skipped: the first token then starts at byte start.byte+3, column start.column. `filename`
// is interned, so token ranges stay valid after the call.
std::vector<Token> LexConfig(std::string_view src, std::string_view filename, Pos start);

// LexExpression scans a standalone expression (the same scanner mode as LexConfig).
std::vector<Token> LexExpression(std::string_view src, std::string_view filename, Pos start);

// LexTemplate scans a bare template, as in a heredoc body without its delimiters.
std::vector<Token> LexTemplate(std::string_view src, std::string_view filename, Pos start);

// CheckInvalidTokens adds the diagnostics hclsyntax reports for tokens that can never appear in
// HCL (bitwise operators, quotes of other languages, bad UTF-8, newlines in quoted strings,
// invalid characters), with its summaries, details and repetition limits.
void CheckInvalidTokens(const std::vector<Token>& tokens, Diagnostics* diags);

// ValidIdentifier reports whether `s` is exactly one HCL identifier (hclsyntax.ValidIdentifier):
// ValidIdentifier("foo-bar") == true, ValidIdentifier("1a") == false.
bool ValidIdentifier(std::string_view s);

}  // namespace meshgw::hcl

#endif  // MESHGW_HCL_SYNTAX_LEXER_H_
