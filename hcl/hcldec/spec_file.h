// The hcldec spec language: a native-syntax file that describes a `Spec` (hcl/hcldec/spec.h), as
// HashiCorp's `cmd/hcldec` reads it.
//
//   variables { greeting = "hello" }        # optional: variables for the input file
//   function "twice" {                      # optional: functions for the input file
//     params = [x]
//     result = x * 2
//   }
//   object {
//     attr "name" { type = string  required = true }
//     block_list "service" { min_items = 1  object { attr "port" { type = number } } }
//     block_map "port" { labels = ["name"]  object { attr "static" { type = number } } }
//     block_attrs "meta" { element_type = string }
//     default { attr { name = "mode" } literal { value = "host" } }
//     transform { result = upper(nested)  attr "x" { type = string } }
//   }
//
// Type expressions: string, number, bool, any, list(T), set(T), map(T), tuple([T...]),
// object({name = T}). A missing `type` means any.
//
// A loaded `SpecFile` owns the parsed file its transform expressions point into. Immutable after
// loading; thread-compatible.
#ifndef MESHGW_HCL_HCLDEC_SPEC_FILE_H_
#define MESHGW_HCL_HCLDEC_SPEC_FILE_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "hcl/diagnostic.h"
#include "hcl/eval/eval.h"
#include "hcl/hcldec/spec.h"
#include "hcl/syntax/ast.h"
#include "hcl/value/value.h"

namespace meshgw::hcl::hcldec {

struct SpecFile {
  std::unique_ptr<File> file;
  SpecPtr root;                               // a null literal when the file has errors
  std::map<std::string, Value> variables;     // from `variables` blocks
  std::map<std::string, Function> functions;  // from `function` blocks
  // The context spec expressions (variables, literal values, transforms) are evaluated in: the
  // spec functions (upper, lower, length, ...), no variables.
  std::shared_ptr<const EvalContext> spec_ctx;
};

// LoadSpecFile parses and decodes a spec file. Problems are added to `diags` with the official
// messages ("Missing spec block", "Extraneous spec block", "Invalid spec block", "Missing name in
// attribute spec", "Missing block_type in block_list spec", ...).
SpecFile LoadSpecFile(std::string src, std::string_view filename, Diagnostics* diags);

// EvalTypeExpr evaluates a type expression such as `map(list(string))`. A null expression (or a
// literal null) means `any`. Errors ("Invalid type expression") are added to `diags` and give
// `any`.
Type EvalTypeExpr(const Expr* expr, Diagnostics* diags);

}  // namespace meshgw::hcl::hcldec

#endif  // MESHGW_HCL_HCLDEC_SPEC_FILE_H_
