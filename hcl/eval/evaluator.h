// The evaluator's internals shared by evaluate*.cc (not part of the public contract): the
// per-call `Evaluator` and small helpers. An Evaluator is used by one thread for one call.
#ifndef MESHGW_HCL_EVAL_EVALUATOR_H_
#define MESHGW_HCL_EVAL_EVALUATOR_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hcl/eval/eval.h"

namespace meshgw::hcl::eval_internal {

inline Diagnostic Error(std::string summary, std::string detail, const Range& subject,
                        std::optional<Range> context = std::nullopt) {
  return Diagnostic{Severity::kError, std::move(summary), std::move(detail), subject, context};
}

inline Value DynamicUnknown() { return Value::Unknown(Type::Dynamic()); }

inline bool IsDynamicType(const Value& v) { return v.type().kind() == Type::Kind::kDynamic; }

// Evaluates one expression tree; holds the values of splat placeholders (AnonSymbolExpr) while
// their `each` expression runs, so the tree itself stays read-only.
class Evaluator {
 public:
  Value Eval(const Expr& e, const EvalContext* ctx, Diagnostics* diags);

 private:
  Value EvalTemplate(const TemplateExpr& e, const EvalContext* ctx, Diagnostics* diags);
  Value EvalTemplateJoin(const TemplateJoinExpr& e, const EvalContext* ctx, Diagnostics* diags);
  Value EvalScopeTraversal(const ScopeTraversalExpr& e, const EvalContext* ctx, Diagnostics* diags);
  Value EvalFunctionCall(const FunctionCallExpr& e, const EvalContext* ctx, Diagnostics* diags);
  Value EvalConditional(const ConditionalExpr& e, const EvalContext* ctx, Diagnostics* diags);
  Value EvalBinary(const BinaryOpExpr& e, const EvalContext* ctx, Diagnostics* diags);
  Value EvalUnary(const UnaryOpExpr& e, const EvalContext* ctx, Diagnostics* diags);
  Value EvalObject(const ObjectExpr& e, const EvalContext* ctx, Diagnostics* diags);
  Value EvalObjectKey(const ObjectKeyExpr& e, const EvalContext* ctx, Diagnostics* diags);
  Value EvalFor(const ForExpr& e, const EvalContext* ctx, Diagnostics* diags);
  Value EvalSplat(const SplatExpr& e, const EvalContext* ctx, Diagnostics* diags);

  // Splat placeholders currently bound (innermost last).
  std::vector<std::pair<const AnonSymbolExpr*, Value>> anon_;
};

}  // namespace meshgw::hcl::eval_internal

#endif  // MESHGW_HCL_EVAL_EVALUATOR_H_
