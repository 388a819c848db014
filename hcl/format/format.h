// Canonical formatting of HCL native syntax: exactly the output of HashiCorp's `hclfmt`
// (hclwrite.Format in HCL 2.14.1).
//
// Formatting changes only the whitespace between tokens: each line is indented by two spaces per
// open bracket level, the `=` of consecutive attribute lines and their trailing comments are
// aligned, and the spacing between tokens follows fixed rules (`a = [1, 2]`, `f(x)`, `a.b`,
// `-x`, `"${x}"`, `{}`). Comments are kept, heredoc bodies are untouched. Like hclwrite it works on
// the token stream, so it also formats (oddly) text with syntax errors; callers that care parse
// first. Thread-safe (no shared state).
//
//   std::string out = Format("a=1\nbb = [1,2]\n");   // "a  = 1\nbb = [1, 2]\n"
#ifndef MESHGW_HCL_FORMAT_FORMAT_H_
#define MESHGW_HCL_FORMAT_FORMAT_H_

#include <string>
#include <string_view>

namespace meshgw::hcl {

// Format returns `src` in canonical layout. Format(Format(x)) == Format(x) for valid input.
std::string Format(std::string_view src);

}  // namespace meshgw::hcl

#endif  // MESHGW_HCL_FORMAT_FORMAT_H_
