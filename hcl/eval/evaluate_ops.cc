// Evaluation of conditionals and operators with hclsyntax's semantics and diagnostics: result
// types unified like `cond ? a : b` does, operands converted like cty's operator functions.
// Thread-compatible (see evaluator.h).
#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "hcl/eval/eval.h"
#include "hcl/eval/evaluator.h"
#include "hcl/eval/internal.h"

namespace meshgw::hcl::eval_internal {
namespace {

using Kind = Type::Kind;

std::string DescribeConditionalTypeMismatch(const Type& t, const Type& f) {
  if (t.kind() == Kind::kObject && f.kind() == Kind::kObject) {
    for (const auto& [name, aty] : t.attributes()) {
      auto it = f.attributes().find(name);
      if (it == f.attributes().end()) {
        return absl::StrFormat(
            "The 'true' value includes object attribute %s, which is absent in the 'false' value",
            JsonQuote(name));
      }
      if (aty != it->second) {
        return absl::StrFormat("Type mismatch for object attribute %s: %s", JsonQuote(name),
                               DescribeConditionalTypeMismatch(aty, it->second));
      }
    }
    for (const auto& [name, aty] : f.attributes()) {
      if (t.attributes().find(name) == t.attributes().end()) {
        return absl::StrFormat(
            "The 'false' value includes object attribute %s, which is absent in the 'true' value",
            JsonQuote(name));
      }
    }
  } else if (t.kind() == Kind::kTuple && f.kind() == Kind::kTuple) {
    if (t.elements().size() != f.elements().size()) {
      return absl::StrFormat("The 'true' tuple has length %d, but the 'false' tuple has length %d",
                             t.elements().size(), f.elements().size());
    }
    for (size_t i = 0; i < t.elements().size(); ++i) {
      if (t.elements()[i] != f.elements()[i]) {
        return absl::StrFormat("Type mismatch for tuple element %d: %s", i,
                               DescribeConditionalTypeMismatch(t.elements()[i], f.elements()[i]));
      }
    }
  } else if (t.IsCollection() && f.IsCollection() && t.kind() == f.kind()) {
    const Type& te = t.element();
    const Type& fe = f.element();
    if ((te.kind() == Kind::kObject && fe.kind() == Kind::kObject) ||
        (te.kind() == Kind::kTuple && fe.kind() == Kind::kTuple)) {
      const char* noun = t.kind() == Kind::kList ? "list" : t.kind() == Kind::kSet ? "set" : "map";
      return absl::StrFormat("Mismatched %s element types: %s", noun,
                             DescribeConditionalTypeMismatch(te, fe));
    }
  }
  if (t.FriendlyName() == f.FriendlyName()) {
    return "At least one deeply-nested attribute or element is not compatible across both the "
           "'true' and the 'false' value";
  }
  return absl::StrFormat("The 'true' value is %s, but the 'false' value is %s", t.FriendlyName(),
                         f.FriendlyName());
}
}  // namespace

Value Evaluator::EvalConditional(const ConditionalExpr& e, const EvalContext* ctx,
                                 Diagnostics* diags) {
  Diagnostics true_diags, false_diags;
  Value tv = Eval(*e.true_result, ctx, &true_diags);
  Value fv = Eval(*e.false_result, ctx, &false_diags);
  Value null_dyn = Value::Null(Type::Dynamic());
  std::optional<Type> result_type = Type::Dynamic();
  bool convert_true = false, convert_false = false;
  if (tv.RawEquals(null_dyn)) {
    result_type = fv.type();
    convert_true = true;
  } else if (fv.RawEquals(null_dyn)) {
    result_type = tv.type();
    convert_false = true;
  } else if (IsDynamicType(tv) || IsDynamicType(fv)) {
    // stays dynamic
  } else {
    result_type = UnifyTypes({tv.type(), fv.type()});
    convert_true = convert_false = true;
  }
  if (!result_type.has_value()) {
    diags->Add(Error("Inconsistent conditional result types",
                     absl::StrCat("The true and false result expressions must have consistent "
                                  "types. ",
                                  DescribeConditionalTypeMismatch(tv.type(), fv.type()), "."),
                     Range::Between(e.true_result->range, e.false_result->range), e.range));
    return DynamicUnknown();
  }
  Diagnostics cond_diags;
  Value cond = Eval(*e.condition, ctx, &cond_diags);
  diags->Append(cond_diags);
  if (cond.is_null() && cond.is_known()) {
    diags->Add(Error("Null condition",
                     "The condition value is null. Conditions must either be true or false.",
                     e.condition->range, e.range));
    return Value::Unknown(*result_type);
  }
  if (!cond.is_known()) return Value::Unknown(*result_type);
  absl::StatusOr<Value> b = Convert(cond, Type::Bool());
  if (!b.ok()) {
    diags->Add(Error("Incorrect condition type", "The condition expression must be of type bool.",
                     e.condition->range, e.range));
    return Value::Unknown(*result_type);
  }
  bool which = b->AsBool();
  const Value& chosen = which ? tv : fv;
  diags->Append(which ? true_diags : false_diags);
  if ((which ? convert_true : convert_false) && chosen.type() != *result_type) {
    absl::StatusOr<Value> c = Convert(chosen, *result_type);
    if (!c.ok()) {
      diags->Add(
          Error("Inconsistent conditional result types",
                absl::StrCat("The ", which ? "true" : "false",
                             " result value has the wrong type: ", c.status().message(), "."),
                which ? e.true_result->range : e.false_result->range, e.range));
      return Value::Unknown(*result_type);
    }
    return *std::move(c);
  }
  return chosen;
}

Value Evaluator::EvalBinary(const BinaryOpExpr& e, const EvalContext* ctx, Diagnostics* diags) {
  Type param_type, result_type;
  switch (e.op) {
    case BinaryOp::kOr:
    case BinaryOp::kAnd:
      param_type = Type::Bool();
      result_type = Type::Bool();
      break;
    case BinaryOp::kEqual:
    case BinaryOp::kNotEqual:
      param_type = Type::Dynamic();
      result_type = Type::Bool();
      break;
    case BinaryOp::kGreater:
    case BinaryOp::kGreaterOrEqual:
    case BinaryOp::kLess:
    case BinaryOp::kLessOrEqual:
      param_type = Type::Number();
      result_type = Type::Bool();
      break;
    default:
      param_type = Type::Number();
      result_type = Type::Number();
      break;
  }
  Diagnostics local;
  Value lhs_given = Eval(*e.lhs, ctx, &local);
  Value rhs_given = Eval(*e.rhs, ctx, &local);
  absl::StatusOr<Value> lhs = Convert(lhs_given, param_type);
  if (!lhs.ok()) {
    local.Add(
        Error("Invalid operand",
              absl::StrCat("Unsuitable value for left operand: ", lhs.status().message(), "."),
              e.lhs->range, e.range));
  }
  absl::StatusOr<Value> rhs = Convert(rhs_given, param_type);
  if (!rhs.ok()) {
    local.Add(
        Error("Invalid operand",
              absl::StrCat("Unsuitable value for right operand: ", rhs.status().message(), "."),
              e.rhs->range, e.range));
  }
  diags->Append(local);
  if (local.HasErrors()) return Value::Unknown(result_type);

  auto fail = [&](const std::string& msg) {
    diags->Add(
        Error("Operation failed", absl::StrCat("Error during operation: ", msg, "."), e.range));
    return Value::Unknown(result_type);
  };
  const Value& a = *lhs;
  const Value& b = *rhs;
  if (e.op == BinaryOp::kEqual || e.op == BinaryOp::kNotEqual) {
    std::optional<bool> eq = a.Equals(b);
    if (!eq.has_value()) return Value::Unknown(Type::Bool());
    return Value::Bool(e.op == BinaryOp::kEqual ? *eq : !*eq);
  }
  if ((a.is_null() && a.is_known()) || (b.is_null() && b.is_known())) {
    return fail("argument must not be null");
  }
  if (!a.is_known() || !b.is_known()) return Value::Unknown(result_type);
  switch (e.op) {
    case BinaryOp::kOr:
      return Value::Bool(a.AsBool() || b.AsBool());
    case BinaryOp::kAnd:
      return Value::Bool(a.AsBool() && b.AsBool());
    case BinaryOp::kGreater:
      return Value::Bool(a.AsNumber().Compare(b.AsNumber()) > 0);
    case BinaryOp::kGreaterOrEqual:
      return Value::Bool(a.AsNumber().Compare(b.AsNumber()) >= 0);
    case BinaryOp::kLess:
      return Value::Bool(a.AsNumber().Compare(b.AsNumber()) < 0);
    case BinaryOp::kLessOrEqual:
      return Value::Bool(a.AsNumber().Compare(b.AsNumber()) <= 0);
    default:
      break;
  }
  const Number& x = a.AsNumber();
  const Number& y = b.AsNumber();
  switch (e.op) {
    case BinaryOp::kAdd:
      if (x.IsInfinite() && y.IsInfinite() && x.Sign() != y.Sign()) {
        return fail("can't compute sum of opposing infinities");
      }
      return Value::Number(x.Add(y));
    case BinaryOp::kSubtract:
      if (x.IsInfinite() && y.IsInfinite() && x.Sign() == y.Sign()) {
        return fail("can't subtract infinity from itself");
      }
      return Value::Number(x.Subtract(y));
    case BinaryOp::kMultiply:
      if ((x.IsInfinite() && y.Sign() == 0) || (y.IsInfinite() && x.Sign() == 0)) {
        return fail("can't multiply zero by infinity");
      }
      return Value::Number(x.Multiply(y));
    case BinaryOp::kDivide:
      if ((x.Sign() == 0 && y.Sign() == 0) || (x.IsInfinite() && y.IsInfinite())) {
        return fail("can't divide zero by zero or infinity by infinity");
      }
      return Value::Number(x.Divide(y));
    case BinaryOp::kModulo:
      if ((x.IsInfinite() && y.Sign() == 0) || (y.IsInfinite() && x.Sign() == 0)) {
        return fail("can't use modulo with zero and infinity");
      }
      return Value::Number(x.Modulo(y));
    default:
      break;
  }
  return Value::Unknown(result_type);
}

Value Evaluator::EvalUnary(const UnaryOpExpr& e, const EvalContext* ctx, Diagnostics* diags) {
  Type t = e.op == UnaryOp::kNot ? Type::Bool() : Type::Number();
  Diagnostics local;
  Value given = Eval(*e.operand, ctx, &local);
  absl::StatusOr<Value> v = Convert(given, t);
  if (!v.ok()) {
    local.Add(Error("Invalid operand",
                    absl::StrCat("Unsuitable value for unary operand: ", v.status().message(), "."),
                    e.operand->range, e.range));
  }
  diags->Append(local);
  if (local.HasErrors()) return Value::Unknown(t);
  if (v->is_null() && v->is_known()) {
    diags->Add(
        Error("Operation failed", "Error during operation: argument must not be null.", e.range));
    return Value::Unknown(t);
  }
  if (!v->is_known()) return Value::Unknown(t);
  if (e.op == UnaryOp::kNot) return Value::Bool(!v->AsBool());
  return Value::Number(v->AsNumber().Negate());
}

}  // namespace meshgw::hcl::eval_internal
