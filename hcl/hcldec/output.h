// What `meshgw-hcl hcldec` prints, in the shapes HashiCorp's cmd/hcldec prints them: a value as
// cty JSON (optionally with its type, optionally without null object properties), diagnostics as
// `{"diagnostics": [...]}` and variable references as the list `hclspecsuite` reads.
//
// Strings are escaped as Go's encoding/json does (`<`, `>`, `&` as \u003c..., control characters
// as \u00XX), numbers are exact, object keys are sorted. Stateless; thread-safe.
#ifndef MESHGW_HCL_HCLDEC_OUTPUT_H_
#define MESHGW_HCL_HCLDEC_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hcl/diagnostic.h"
#include "hcl/eval/eval.h"
#include "hcl/syntax/ast.h"
#include "hcl/value/value.h"

namespace meshgw::hcl::hcldec {

struct ValueJsonOptions {
  bool with_type = false;   // {"value": ..., "type": ...}
  bool keep_nulls = false;  // else object/map properties whose value is null are left out
};

// ValueJson: `v` as compact cty JSON. Unknown values are an error.
absl::StatusOr<std::string> ValueJson(const Value& v, const ValueJsonOptions& options);

// TypeJson: cty's JSON form of a type: "string", ["list","number"], ["object",{"a":"bool"}].
std::string TypeJson(const Type& t);

// DiagnosticsJson: cmd/hcldec's `--diags=json` document (indented by two spaces). A diagnostic
// whose subject is the default `Range{}` is written without a subject (upstream's nil subject).
std::string DiagnosticsJson(const Diagnostics& diags);

// VarRefsJson: the `--var-refs` document: each traversal with its steps and ranges, and its
// value in `ctx` when it can be found there.
std::string VarRefsJson(const std::vector<Traversal>& vars, const EvalContext* ctx);

}  // namespace meshgw::hcl::hcldec

#endif  // MESHGW_HCL_HCLDEC_OUTPUT_H_
