// Evaluating HCL expressions to values.
//
// `Evaluate` computes an expression's value in an `EvalContext` (variables and functions), with
// the semantics and error messages of the official implementation: operators with type
// conversion, templates and their directives, for expressions, splats, indexes, conditionals and
// function calls with `...` expansion. Errors are diagnostics at the offending sub-expression; the
// result is then an unknown value, so evaluation goes on and reports every problem.
//
// Nomad-style partial evaluation: `EvalContext::PartialForNomad(vars, locals, file)` resolves
// `var.*` and `local.*` and leaves any other root (`NOMAD_TASK_DIR`, `attr.kernel.name`, ...)
// as the literal text "${...}" sliced from the source, exactly as Nomad's jobspec parser does.
//
// A context is read-only during evaluation, so several threads may evaluate with one context.
//
//   EvalContext ctx;
//   ctx.variables["var"] = Value::Object({{"datacenter", Value::String("dc1")}});
//   ctx.functions = StandardFunctions(/*base_dir=*/"configs");
//   Diagnostics diags;
//   Value v = Evaluate(*attr.expr, &ctx, &diags);
#ifndef MESHGW_HCL_EVAL_EVAL_H_
#define MESHGW_HCL_EVAL_EVAL_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "hcl/diagnostic.h"
#include "hcl/syntax/ast.h"
#include "hcl/value/value.h"

namespace meshgw::hcl {

// A function callable from HCL. Parameters are checked and converted before `impl` runs; an error
// returned by `impl` becomes a diagnostic at the call ("Error in function call").
struct Function {
  struct Param {
    std::string name;
    Type type;  // Type::Dynamic() accepts anything
    bool allow_null = false;
    // Unknown arguments normally make the call's result unknown without running `impl`.
    bool allow_unknown = false;
  };
  std::vector<Param> params;
  std::optional<Param> variadic;  // for functions such as format(fmt, args...)
  std::function<absl::StatusOr<Value>(const std::vector<Value>& args)> impl;
  // The type of the result when unknown arguments make it unknown (dynamic by default).
  Type returns;
  // Optional, like cty's Type callback: checks the arguments' types before unknown arguments
  // short-circuit the call, so `length("x")` fails even when "x" is an unknown string, and gives
  // the result type when it depends on them (replacing `returns`). Arguments may be unknown.
  // Errors are reported like `impl`'s.
  std::function<absl::StatusOr<Type>(const std::vector<Value>& args)> check_types;
};

// When no context in the chain has any variable (functions), a reference (call) is reported as
// "Variables not allowed" ("Function calls not allowed"), as with the official nil maps.
struct EvalContext {
  std::map<std::string, Value> variables;
  std::map<std::string, Function> functions;
  const EvalContext* parent = nullptr;  // looked up when a name is not found here

  // Called for a root variable found in no context; returning a value uses it instead of
  // reporting "Unknown variable". The value stands for the whole traversal (`attr.kernel.name`),
  // whose source range is `range`; the first hook found up the parent chain is used.
  std::function<std::optional<Value>(const Traversal& traversal, const Range& range)>
      undefined_variable;

  // A child context for scoped names (for expressions, splats): it sees this one's names.
  EvalContext Child() const {
    EvalContext c;
    c.parent = this;
    return c;
  }

  // The context Nomad evaluates a job file in: `var` and `local` objects, no functions of ours
  // unless added, and any other root kept as "${<source text>}" sliced from `file` (which must
  // outlive the context).
  static EvalContext PartialForNomad(Value vars, Value locals, const File& file);
};

// FunctionArgError: the status a Function's `impl` returns to blame argument `index` (0-based,
// counting variadic arguments too); the diagnostic then points at that argument and reads
// `Invalid value for "<param>" parameter: <message>.` like cty's function.ArgError.
absl::Status FunctionArgError(size_t index, const std::string& message);

// Evaluate `expr`; `ctx` may be null (no variables, no functions: constant folding only, like
// the official implementation's Expr.Value(nil)).
Value Evaluate(const Expr& expr, const EvalContext* ctx, Diagnostics* diags);

// The functions configs use: upper, lower, format, join, split, concat, length, lookup, merge,
// coalesce, min, max, tostring, tonumber, tobool, jsonencode, jsondecode, file, and a few more.
// `file(path)` reads relative to `base_dir` (the directory of the config being evaluated).
std::map<std::string, Function> StandardFunctions(std::string base_dir);

}  // namespace meshgw::hcl

#endif  // MESHGW_HCL_EVAL_EVAL_H_
