// Parsing HCL native syntax into the tree of `hcl/syntax/ast.h`.
//
// The parser accepts exactly what HashiCorp's hclsyntax accepts, reports the same first error at
// the same position, and recovers to report further errors as it does. Diagnostics never abort:
// the returned tree holds everything that could be parsed. Thread-safe (no shared state).
//
//   ParseResult r = ParseConfig(std::move(src), "gateway.hcl");
//   if (r.diags.HasErrors()) return r.diags.ToStatus();
//   for (const Block& b : r.file->body->blocks) ...
#ifndef MESHGW_HCL_SYNTAX_PARSER_H_
#define MESHGW_HCL_SYNTAX_PARSER_H_

#include <memory>
#include <string>
#include <string_view>

#include "hcl/diagnostic.h"
#include "hcl/syntax/ast.h"

namespace meshgw::hcl {

struct ParseResult {
  std::unique_ptr<File> file;  // never null; its body may be partial when diags has errors
  Diagnostics diags;
};

// ParseConfig parses a whole configuration file (a body). A leading UTF-8 BOM is skipped.
ParseResult ParseConfig(std::string src, std::string_view filename, Pos start = Pos{});

// ParseExpression parses `src` as one expression (hclsyntax.ParseExpression). The expression's
// ranges index into `src`; the caller keeps `src` alive for as long as it needs source text.
ExprPtr ParseExpression(std::string_view src, std::string_view filename, Pos start,
                        Diagnostics* diags);

// ParseTemplate parses `src` as a bare template, as in a heredoc body without delimiters
// (hclsyntax.ParseTemplate).
ExprPtr ParseTemplate(std::string_view src, std::string_view filename, Pos start,
                      Diagnostics* diags);

// ParseTraversalAbs parses an absolute traversal such as `a.b[0]` (hclsyntax.ParseTraversalAbs).
Traversal ParseTraversalAbs(std::string_view src, std::string_view filename, Pos start,
                            Diagnostics* diags);

}  // namespace meshgw::hcl

#endif  // MESHGW_HCL_SYNTAX_PARSER_H_
