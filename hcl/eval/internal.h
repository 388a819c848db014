// Pieces of the evaluator shared between its files (not part of the public contract):
// traversal steps on values (hcl.Index / hcl.GetAttr), NFC normalization, "did you mean"
// suggestions, expression start ranges and the argument-error payload of FunctionArgError.
// Stateless; thread-safe.
#ifndef MESHGW_HCL_EVAL_INTERNAL_H_
#define MESHGW_HCL_EVAL_INTERNAL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "hcl/diagnostic.h"
#include "hcl/syntax/ast.h"
#include "hcl/value/value.h"

namespace meshgw::hcl::eval_internal {

// hcl.Index: `coll[key]` with the official diagnostics at `range`.
Value Index(const Value& coll, const Value& key, const Range& range, Diagnostics* diags);
// hcl.GetAttr: `obj.name` with the official diagnostics at `range`.
Value GetAttr(const Value& obj, const std::string& name, const Range& range, Diagnostics* diags);
// Applies the steps of `t` from index `first` on (TraverseRel); stops at the first error.
Value ApplyTraversal(const Value& v, const Traversal& t, size_t first, Diagnostics* diags);

// NFC form of UTF-8 text (cty normalizes every string value).
std::string NormalizeNfc(std::string s);
// The first of `candidates` (sorted) within Levenshtein distance 2 of `given`, or "".
std::string NameSuggestion(std::string_view given, std::vector<std::string> candidates);
// hclsyntax's StartRange() of an expression: where diagnostics about it as an argument point.
Range StartRange(const Expr& e);
// The argument index carried by a FunctionArgError status.
std::optional<size_t> ArgErrorIndex(const absl::Status& s);

}  // namespace meshgw::hcl::eval_internal

#endif  // MESHGW_HCL_EVAL_INTERNAL_H_
