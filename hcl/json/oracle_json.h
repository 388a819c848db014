// The oracle-shaped JSON dump of a parsed HCL file (`meshgw-hcl json`).
//
// It prints what `tests/conformance/hcl-oracle` prints for the same input with HashiCorp's parser,
// so the differential test can compare the two line by line:
//
//   {"file":F,"body":{"attributes":{NAME:{"range":"L:C-L:C","byte":[s,e],"src":S,
//                                         "value":{"type":T,"value":V}}},
//                     "blocks":[{"type":T,"labels":[...],"range":R,"body":{...}}]}}
//   {"file":F,"expr":{"range":R,"byte":[s,e],"src":S,"value":{...}}}      (expression/template)
//   {"file":F,"traversal":[{"kind":"root","name":N,"range":R},{"kind":"attr",...},
//                          {"kind":"index","key":{"type":T,"value":V},"range":R}]}  (traversal)
//   {"file":F,"diagnostics":[{"severity","summary","detail","range":R,"byte":[s,e]}]}
//
// "range" of an attribute is its expression's range and "src" the expression's source text;
// "value" is present only when the expression evaluates with no context (constant folding, like
// the official Expr.Value(nil)) without errors, in cty's JSON form (numbers exact). Attributes
// are listed by name, blocks in source order. A document is printed on one line (no newline).
//
//   std::string line = OracleJsonForSource("f.hcl", "a = 1 + 2\n", OracleParseMode::kConfig);
//   // {"file":"f.hcl","body":{"attributes":{"a":{"range":"1:5-1:10","byte":[4,9],"src":"1 + 2",
//   //  "value":{"type":"number","value":3}}},"blocks":[]}}
//
// Thread-safe (no shared state).
#ifndef MESHGW_HCL_JSON_ORACLE_JSON_H_
#define MESHGW_HCL_JSON_ORACLE_JSON_H_

#include <string>
#include <string_view>

#include "hcl/diagnostic.h"
#include "hcl/syntax/ast.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl {

// How a source is read: a config file (ParseConfig), one expression (ParseExpression), a bare
// template (ParseTemplate) or an absolute traversal (ParseTraversalAbs).
enum class OracleParseMode { kConfig, kExpression, kTemplate, kTraversal };

// OracleJsonForSource parses `src` in `mode` and returns its document; `*has_errors` (when given)
// says whether it is a diagnostics document.
std::string OracleJsonForSource(std::string_view filename, std::string src, OracleParseMode mode,
                                bool* has_errors = nullptr);

// OracleJsonForConfig is the document of an already parsed config file: its diagnostics when
// `result.diags` has errors, else its body.
std::string OracleJsonForConfig(const ParseResult& result);

// OracleJsonForExpr is the document of an expression parsed from `src` (its ranges index into
// `src`), or of `diags` when they hold errors.
std::string OracleJsonForExpr(std::string_view filename, std::string_view src, const Expr* expr,
                              const Diagnostics& diags);

// OracleJsonForTraversal is the document of a traversal parsed by ParseTraversalAbs, or of
// `diags` when they hold errors.
std::string OracleJsonForTraversal(std::string_view filename, const Traversal& traversal,
                                   const Diagnostics& diags);

// The JSON string literal of `s`: quotes, backslashes and control characters escaped, other
// bytes (UTF-8) as they are. AppendJsonString(&out, "a\"b\n") appends "\"a\\\"b\\n\"".
void AppendJsonString(std::string* out, std::string_view s);

// "L:C-L:C", the range form the oracle documents use.
std::string OracleRangeString(const Range& r);

}  // namespace meshgw::hcl

#endif  // MESHGW_HCL_JSON_ORACLE_JSON_H_
