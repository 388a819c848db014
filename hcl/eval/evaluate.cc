// Evaluate: the value of each node kind of `hcl/syntax/ast.h`, with hclsyntax's semantics and
// diagnostics (summary, detail, subject and context as `hclsyntax/expression*.go` produce them).
//
// One `Evaluator` lives for one call of `Evaluate`; it holds the values of splat placeholders
// (AnonSymbolExpr) while their `each` expression runs, so the tree itself stays read-only and
// several threads may evaluate it at once.
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

Value LiteralToValue(const LiteralValue& lit) {
  switch (lit.kind) {
    case LiteralValue::Kind::kNull:
      return Value::Null(Type::Dynamic());
    case LiteralValue::Kind::kBool:
      return Value::Bool(lit.boolean);
    case LiteralValue::Kind::kNumber: {
      absl::StatusOr<Number> n = Number::Parse(lit.text);
      return n.ok() ? Value::Number(*std::move(n)) : DynamicUnknown();
    }
    case LiteralValue::Kind::kString:
      return Value::String(lit.text);
  }
  return Value();
}

// The keyword an expression stands for when used as an object key or a for variable:
// a single-step traversal `name`, or the literals true/false/null (hcl.ExprAsKeyword).
std::string ExprAsKeyword(const Expr& e) {
  if (e.kind == ExprKind::kScopeTraversal) {
    const auto& t = e.As<ScopeTraversalExpr>().traversal;
    if (t.size() == 1) return t[0].name;
    return "";
  }
  if (e.kind == ExprKind::kLiteral) {
    const LiteralValue& v = e.As<LiteralExpr>().value;
    if (v.kind == LiteralValue::Kind::kNull) return "null";
    if (v.kind == LiteralValue::Kind::kBool) return v.boolean ? "true" : "false";
  }
  return "";
}
}  // namespace

Value Evaluator::Eval(const Expr& e, const EvalContext* ctx, Diagnostics* diags) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return LiteralToValue(e.As<LiteralExpr>().value);
    case ExprKind::kTemplate:
      return EvalTemplate(e.As<TemplateExpr>(), ctx, diags);
    case ExprKind::kTemplateWrap:
      return Eval(*e.As<TemplateWrapExpr>().wrapped, ctx, diags);
    case ExprKind::kTemplateJoin:
      return EvalTemplateJoin(e.As<TemplateJoinExpr>(), ctx, diags);
    case ExprKind::kScopeTraversal:
      return EvalScopeTraversal(e.As<ScopeTraversalExpr>(), ctx, diags);
    case ExprKind::kRelativeTraversal: {
      const auto& rt = e.As<RelativeTraversalExpr>();
      Value src = Eval(*rt.source, ctx, diags);
      return eval_internal::ApplyTraversal(src, rt.traversal, 0, diags);
    }
    case ExprKind::kFunctionCall:
      return EvalFunctionCall(e.As<FunctionCallExpr>(), ctx, diags);
    case ExprKind::kConditional:
      return EvalConditional(e.As<ConditionalExpr>(), ctx, diags);
    case ExprKind::kBinaryOp:
      return EvalBinary(e.As<BinaryOpExpr>(), ctx, diags);
    case ExprKind::kUnaryOp:
      return EvalUnary(e.As<UnaryOpExpr>(), ctx, diags);
    case ExprKind::kParentheses:
      return Eval(*e.As<ParenthesesExpr>().inner, ctx, diags);
    case ExprKind::kTuple: {
      const auto& t = e.As<TupleExpr>();
      std::vector<Value> vals;
      vals.reserve(t.items.size());
      for (const ExprPtr& item : t.items) vals.push_back(Eval(*item, ctx, diags));
      return Value::Tuple(std::move(vals));
    }
    case ExprKind::kObject:
      return EvalObject(e.As<ObjectExpr>(), ctx, diags);
    case ExprKind::kObjectKey:
      return EvalObjectKey(e.As<ObjectKeyExpr>(), ctx, diags);
    case ExprKind::kFor:
      return EvalFor(e.As<ForExpr>(), ctx, diags);
    case ExprKind::kIndex: {
      const auto& ie = e.As<IndexExpr>();
      Value coll = Eval(*ie.collection, ctx, diags);
      Value key = Eval(*ie.key, ctx, diags);
      return eval_internal::Index(coll, key, ie.bracket_range, diags);
    }
    case ExprKind::kSplat:
      return EvalSplat(e.As<SplatExpr>(), ctx, diags);
    case ExprKind::kAnonSymbol: {
      for (auto it = anon_.rbegin(); it != anon_.rend(); ++it) {
        if (it->first == &e) return it->second;
      }
      return DynamicUnknown();
    }
  }
  return DynamicUnknown();
}

Value Evaluator::EvalTemplate(const TemplateExpr& e, const EvalContext* ctx, Diagnostics* diags) {
  std::string buf;
  bool known = true;
  for (const ExprPtr& part : e.parts) {
    // Literal parts are by far the most common: append them without building a Value.
    if (part->kind == ExprKind::kLiteral &&
        part->As<LiteralExpr>().value.kind == LiteralValue::Kind::kString) {
      buf += part->As<LiteralExpr>().value.text;
      continue;
    }
    Value v = Eval(*part, ctx, diags);
    if (v.is_null() && v.is_known()) {
      diags->Add(Error("Invalid template interpolation value",
                       "The expression result is null. Cannot include a null value in a string "
                       "template.",
                       part->range, e.range));
      continue;
    }
    if (!v.is_known()) {
      known = false;
      continue;
    }
    absl::StatusOr<Value> s = Convert(v, Type::String());
    if (!s.ok()) {
      diags->Add(Error("Invalid template interpolation value",
                       absl::StrCat("Cannot include the given value in a string template: ",
                                    s.status().message(), "."),
                       part->range, e.range));
      continue;
    }
    buf += s->AsString();
  }
  if (!known) return Value::Unknown(Type::String());
  return Value::String(eval_internal::NormalizeNfc(std::move(buf)));
}

Value Evaluator::EvalTemplateJoin(const TemplateJoinExpr& e, const EvalContext* ctx,
                                  Diagnostics* diags) {
  Value tuple = Eval(*e.tuple, ctx, diags);
  if (IsDynamicType(tuple) || !tuple.is_known() || tuple.is_null()) {
    return Value::Unknown(Type::String());
  }
  std::string buf;
  for (const Value& v : tuple.Elements()) {
    if (v.is_null() && v.is_known()) {
      diags->Add(Error("Invalid template interpolation value",
                       "An iteration result is null. Cannot include a null value in a string "
                       "template.",
                       e.range));
      continue;
    }
    if (IsDynamicType(v)) return Value::Unknown(Type::String());
    absl::StatusOr<Value> s = Convert(v, Type::String());
    if (!s.ok()) {
      diags->Add(Error("Invalid template interpolation value",
                       absl::StrCat("Cannot include one of the interpolation results into the "
                                    "string template: ",
                                    s.status().message(), "."),
                       e.range));
      continue;
    }
    if (!v.is_known()) return Value::Unknown(Type::String());
    buf += s->AsString();
  }
  return Value::String(eval_internal::NormalizeNfc(std::move(buf)));
}

Value Evaluator::EvalScopeTraversal(const ScopeTraversalExpr& e, const EvalContext* ctx,
                                    Diagnostics* diags) {
  const Traversal& t = e.traversal;
  if (t.empty()) return DynamicUnknown();
  const TraverseStep& root = t[0];
  bool has_vars = false;
  for (const EvalContext* c = ctx; c != nullptr; c = c->parent) {
    if (c->variables.empty()) continue;
    has_vars = true;
    auto it = c->variables.find(root.name);
    if (it != c->variables.end()) {
      return eval_internal::ApplyTraversal(it->second, t, 1, diags);
    }
  }
  for (const EvalContext* c = ctx; c != nullptr; c = c->parent) {
    if (c->undefined_variable) {
      std::optional<Value> v = c->undefined_variable(t, e.range);
      if (v.has_value()) return *v;
      break;
    }
  }
  if (!has_vars) {
    diags->Add(Error("Variables not allowed", "Variables may not be used here.", root.range));
    return DynamicUnknown();
  }
  std::vector<std::string> names;
  for (const EvalContext* c = ctx; c != nullptr; c = c->parent) {
    for (const auto& [k, v] : c->variables) names.push_back(k);
  }
  std::string suggestion = eval_internal::NameSuggestion(root.name, names);
  if (!suggestion.empty()) suggestion = absl::StrCat(" Did you mean ", JsonQuote(suggestion), "?");
  diags->Add(
      Error("Unknown variable",
            absl::StrCat("There is no variable named ", JsonQuote(root.name), ".", suggestion),
            root.range));
  return DynamicUnknown();
}

Value Evaluator::EvalFunctionCall(const FunctionCallExpr& e, const EvalContext* ctx,
                                  Diagnostics* diags) {
  const Function* f = nullptr;
  bool has_functions = false;
  for (const EvalContext* c = ctx; c != nullptr; c = c->parent) {
    if (c->functions.empty()) continue;
    has_functions = true;
    auto it = c->functions.find(e.name);
    if (it != c->functions.end()) {
      f = &it->second;
      break;
    }
  }
  if (f == nullptr) {
    if (!has_functions) {
      diags->Add(Error("Function calls not allowed", "Functions may not be called here.", e.range));
      return DynamicUnknown();
    }
    std::vector<std::string> names;
    if (ctx != nullptr) {
      for (const auto& [k, v] : ctx->functions) names.push_back(k);
    }
    std::string suggestion = eval_internal::NameSuggestion(e.name, names);
    if (!suggestion.empty()) {
      suggestion = absl::StrCat(" Did you mean ", JsonQuote(suggestion), "?");
    }
    diags->Add(
        Error("Call to unknown function",
              absl::StrCat("There is no function named ", JsonQuote(e.name), ".", suggestion),
              e.name_range, e.range));
    return DynamicUnknown();
  }

  // Arguments: an expression to evaluate, or (after `...` expansion) a value already known.
  struct Arg {
    const Expr* expr;
    Value value;
    Range start;
  };
  std::vector<Arg> args;
  args.reserve(e.args.size());
  Diagnostics local;
  size_t plain = e.args.size();
  std::vector<Value> expanded;
  Range expand_range;
  if (e.expand_final && !e.args.empty()) {
    plain = e.args.size() - 1;
    const Expr& ex = *e.args.back();
    Diagnostics ed;
    Value ev = Eval(ex, ctx, &ed);
    diags->Append(ed);
    if (ed.HasErrors()) return DynamicUnknown();
    Kind k = ev.type().kind();
    if (k == Kind::kDynamic) {
      if (ev.is_null() && ev.is_known()) {
        diags->Add(Error("Invalid expanding argument value",
                         "The expanding argument (indicated by ...) must not be null.", ex.range,
                         e.range));
      }
      return DynamicUnknown();
    }
    if (k != Kind::kTuple && k != Kind::kList && k != Kind::kSet) {
      diags->Add(Error("Invalid expanding argument value",
                       "The expanding argument (indicated by ...) must be of a tuple, list, or "
                       "set type.",
                       ex.range, e.range));
      return DynamicUnknown();
    }
    if (ev.is_null() && ev.is_known()) {
      diags->Add(Error("Invalid expanding argument value",
                       "The expanding argument (indicated by ...) must not be null.", ex.range,
                       e.range));
      return DynamicUnknown();
    }
    if (!ev.is_known()) return DynamicUnknown();
    expanded = ev.Elements();
    expand_range = ex.range;
  }
  for (size_t i = 0; i < plain; ++i) {
    args.push_back(Arg{e.args[i].get(), Value(), eval_internal::StartRange(*e.args[i])});
  }
  for (const Value& v : expanded) args.push_back(Arg{nullptr, v, expand_range});

  const auto& params = f->params;
  const auto& var = f->variadic;
  if (args.size() < params.size()) {
    diags->Add(Error("Not enough function arguments",
                     absl::StrFormat("Function %s expects%s %d argument(s). Missing value for %s.",
                                     JsonQuote(e.name), var ? " at least" : "", params.size(),
                                     JsonQuote(params[args.size()].name)),
                     e.close_paren_range, e.range));
    return DynamicUnknown();
  }
  if (!var && args.size() > params.size()) {
    diags->Add(Error("Too many function arguments",
                     absl::StrFormat("Function %s expects only %d argument(s).", JsonQuote(e.name),
                                     params.size()),
                     args[params.size()].start, e.range));
    return DynamicUnknown();
  }

  std::vector<Value> vals;
  vals.reserve(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    const Function::Param& p = i < params.size() ? params[i] : *var;
    Value v = args[i].expr != nullptr ? Eval(*args[i].expr, ctx, &local) : args[i].value;
    absl::StatusOr<Value> c = Convert(v, p.type);
    if (!c.ok()) {
      local.Add(Error("Invalid function argument",
                      absl::StrFormat("Invalid value for %s parameter: %s.", JsonQuote(p.name),
                                      c.status().message()),
                      args[i].start, e.range));
      vals.push_back(DynamicUnknown());
      continue;
    }
    vals.push_back(*std::move(c));
  }
  diags->Append(local);
  if (local.HasErrors()) return DynamicUnknown();

  // cty's Function.Call: nulls are rejected unless allowed; unknowns short-circuit.
  for (size_t i = 0; i < vals.size(); ++i) {
    const Function::Param& p = i < params.size() ? params[i] : *var;
    if (vals[i].is_null() && vals[i].is_known() && !p.allow_null) {
      diags->Add(Error("Invalid function argument",
                       absl::StrFormat("Invalid value for %s parameter: argument must not be null.",
                                       JsonQuote(p.name)),
                       args[i].start, e.range));
      return DynamicUnknown();
    }
  }
  // Reports an error of check_types or impl like hclsyntax reports a cty function error.
  auto report = [&](const absl::Status& status) {
    std::optional<size_t> idx = eval_internal::ArgErrorIndex(status);
    std::string msg(status.message());
    if (idx.has_value()) {
      const Function::Param* p = *idx < params.size() ? &params[*idx] : (var ? &*var : nullptr);
      if (p != nullptr) {
        Range subject = *idx < args.size() ? args[*idx].start : e.range;
        std::optional<Range> context;
        if (*idx < args.size()) context = e.range;
        diags->Add(
            Error("Invalid function argument",
                  absl::StrFormat("Invalid value for %s parameter: %s.", JsonQuote(p->name), msg),
                  subject, context));
        return DynamicUnknown();
      }
    }
    diags->Add(Error("Error in function call",
                     absl::StrFormat("Call to function %s failed: %s.", JsonQuote(e.name), msg),
                     Range::Between(e.name_range, e.open_paren_range), e.range));
    return DynamicUnknown();
  };
  Type result_type = f->returns;
  if (f->check_types) {
    absl::StatusOr<Type> t = f->check_types(vals);
    if (!t.ok()) return report(t.status());
    result_type = *std::move(t);
  }
  for (size_t i = 0; i < vals.size(); ++i) {
    const Function::Param& p = i < params.size() ? params[i] : *var;
    if (!vals[i].is_known() && !p.allow_unknown) return Value::Unknown(result_type);
  }

  absl::StatusOr<Value> result = f->impl(vals);
  if (!result.ok()) return report(result.status());
  return *std::move(result);
}

Value Evaluator::EvalObject(const ObjectExpr& e, const EvalContext* ctx, Diagnostics* diags) {
  std::map<std::string, Value> vals;
  bool known = true;
  for (const ObjectItem& item : e.items) {
    Diagnostics key_diags;
    Value key = Eval(*item.key, ctx, &key_diags);
    diags->Append(key_diags);
    Value val = Eval(*item.value, ctx, diags);
    if (key_diags.HasErrors()) {
      known = false;
      continue;
    }
    if (key.is_null() && key.is_known()) {
      diags->Add(Error("Null value as key", "Can't use a null value as a key.", item.value->range));
      known = false;
      continue;
    }
    absl::StatusOr<Value> ks = Convert(key, Type::String());
    if (!ks.ok()) {
      diags->Add(Error("Incorrect key type",
                       absl::StrCat("Can't use this value as a key: ", ks.status().message(), "."),
                       item.key->range));
      known = false;
      continue;
    }
    if (!ks->is_known()) {
      known = false;
      continue;
    }
    vals.insert_or_assign(ks->AsString(), std::move(val));
  }
  if (!known) return DynamicUnknown();
  return Value::Object(std::move(vals));
}

Value Evaluator::EvalObjectKey(const ObjectKeyExpr& e, const EvalContext* ctx, Diagnostics* diags) {
  if (!e.force_non_literal) {
    if (e.wrapped->kind == ExprKind::kScopeTraversal &&
        e.wrapped->As<ScopeTraversalExpr>().traversal.size() > 1) {
      diags->Add(Error("Ambiguous attribute key",
                       "If this expression is intended to be a reference, wrap it in parentheses. "
                       "If it's instead intended as a literal name containing periods, wrap it in "
                       "quotes to create a string literal.",
                       e.wrapped->range));
      return DynamicUnknown();
    }
    std::string name = ExprAsKeyword(*e.wrapped);
    if (!name.empty()) return Value::String(std::move(name));
  }
  return Eval(*e.wrapped, ctx, diags);
}

}  // namespace meshgw::hcl::eval_internal

namespace meshgw::hcl {

Value Evaluate(const Expr& expr, const EvalContext* ctx, Diagnostics* diags) {
  eval_internal::Evaluator ev;
  return ev.Eval(expr, ctx, diags);
}

}  // namespace meshgw::hcl
