// Evaluation of `for` expressions and splats with hclsyntax's semantics and diagnostics.
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

bool CanIterate(const Type& t) {
  switch (t.kind()) {
    case Kind::kList:
    case Kind::kSet:
    case Kind::kTuple:
    case Kind::kMap:
    case Kind::kObject:
      return true;
    default:
      return false;
  }
}

// Calls `fn(key, value)` for each element as cty's ElementIterator does: sequences by index,
// maps and objects by key in sorted order.
template <typename Fn>
void ForEachElement(const Value& coll, Fn fn) {
  switch (coll.type().kind()) {
    case Kind::kList:
    case Kind::kSet:
    case Kind::kTuple: {
      const auto& elems = coll.Elements();
      for (size_t i = 0; i < elems.size(); ++i) {
        fn(Value::Number(static_cast<int64_t>(i)), elems[i]);
      }
      break;
    }
    case Kind::kMap:
    case Kind::kObject:
      for (const auto& [k, v] : coll.Entries()) fn(Value::String(k), v);
      break;
    default:
      break;
  }
}
}  // namespace

Value Evaluator::EvalFor(const ForExpr& e, const EvalContext* ctx, Diagnostics* diags) {
  Value coll = Eval(*e.collection, ctx, diags);
  if (coll.is_null() && coll.is_known()) {
    diags->Add(Error("Iteration over null value",
                     "A null value cannot be used as the collection in a 'for' expression.",
                     e.collection->range, e.range));
    return DynamicUnknown();
  }
  if (IsDynamicType(coll)) return DynamicUnknown();
  if (!CanIterate(coll.type())) {
    diags->Add(Error("Iteration over non-iterable value",
                     absl::StrCat("A value of type ", coll.type().FriendlyName(),
                                  " cannot be used as the collection in a 'for' expression."),
                     e.collection->range, e.range));
    return DynamicUnknown();
  }
  if (!coll.is_known()) return DynamicUnknown();

  EvalContext child = ctx != nullptr ? ctx->Child() : EvalContext();
  auto bind = [&](const Value& k, const Value& v) {
    if (!e.key_var.empty()) child.variables.insert_or_assign(e.key_var, k);
    child.variables.insert_or_assign(e.value_var, v);
  };

  if (e.cond_expr) {
    // hclsyntax type-checks the condition once with unknown values before iterating.
    bind(DynamicUnknown(), DynamicUnknown());
    Diagnostics cond_diags;
    Value r = Eval(*e.cond_expr, &child, &cond_diags);
    diags->Append(cond_diags);
    if (r.is_null() && r.is_known()) {
      diags->Add(Error("Condition is null", "The value of the 'if' clause must not be null.",
                       e.cond_expr->range, e.range));
      return DynamicUnknown();
    }
    absl::StatusOr<Value> b = Convert(r, Type::Bool());
    if (!b.ok()) {
      diags->Add(
          Error("Invalid 'for' condition",
                absl::StrCat("The 'if' clause value is invalid: ", b.status().message(), "."),
                e.cond_expr->range, e.range));
      return DynamicUnknown();
    }
    if (cond_diags.HasErrors()) return DynamicUnknown();
  }

  bool known = true;
  // Evaluates the `if` clause for the current binding: true to include the element.
  auto include = [&]() -> bool {
    if (!e.cond_expr) return true;
    Value raw = Eval(*e.cond_expr, &child, diags);
    if (raw.is_null() && raw.is_known()) {
      if (known) {
        diags->Add(Error("Invalid 'for' condition",
                         "The value of the 'if' clause must not be null.", e.cond_expr->range,
                         e.range));
      }
      known = false;
      return false;
    }
    if (!raw.is_known() && !e.key_expr) {
      known = false;
      return false;
    }
    absl::StatusOr<Value> b = Convert(raw, Type::Bool());
    if (!b.ok()) {
      if (known) {
        diags->Add(
            Error("Invalid 'for' condition",
                  absl::StrCat("The 'if' clause value is invalid: ", b.status().message(), "."),
                  e.cond_expr->range, e.range));
      }
      known = false;
      return false;
    }
    if (!b->is_known()) {
      known = false;
      return false;
    }
    return b->AsBool();
  };

  if (e.key_expr) {
    std::map<std::string, Value> vals;
    std::map<std::string, std::vector<Value>> groups;
    ForEachElement(coll, [&](const Value& k, const Value& v) {
      bind(k, v);
      if (!include()) return;
      Value key_raw = Eval(*e.key_expr, &child, diags);
      if (key_raw.is_null() && key_raw.is_known()) {
        if (known) {
          diags->Add(Error("Invalid object key",
                           "Key expression in 'for' expression must not produce a null value.",
                           e.key_expr->range, e.range));
        }
        known = false;
        return;
      }
      if (!key_raw.is_known()) {
        known = false;
        return;
      }
      absl::StatusOr<Value> key = Convert(key_raw, Type::String());
      if (!key.ok()) {
        if (known) {
          diags->Add(Error("Invalid object key",
                           absl::StrCat("The key expression produced an invalid result: ",
                                        key.status().message(), "."),
                           e.key_expr->range, e.range));
        }
        known = false;
        return;
      }
      Value val = Eval(*e.value_expr, &child, diags);
      const std::string& ks = key->AsString();
      if (e.group) {
        groups[ks].push_back(std::move(val));
      } else if (vals.count(ks) != 0) {
        diags->Add(Error("Duplicate object key",
                         absl::StrFormat("Two different items produced the key %s in this 'for' "
                                         "expression. If duplicates are expected, use the "
                                         "ellipsis (...) after the value expression to enable "
                                         "grouping by key.",
                                         JsonQuote(ks)),
                         e.key_expr->range, e.range));
      } else {
        vals.emplace(ks, std::move(val));
      }
    });
    if (!known) return DynamicUnknown();
    if (e.group) {
      for (auto& [k, g] : groups) vals.emplace(k, Value::Tuple(std::move(g)));
    }
    return Value::Object(std::move(vals));
  }

  std::vector<Value> vals;
  ForEachElement(coll, [&](const Value& k, const Value& v) {
    bind(k, v);
    if (!include()) return;
    vals.push_back(Eval(*e.value_expr, &child, diags));
  });
  if (!known) return DynamicUnknown();
  return Value::Tuple(std::move(vals));
}

Value Evaluator::EvalSplat(const SplatExpr& e, const EvalContext* ctx, Diagnostics* diags) {
  Diagnostics src_diags;
  Value src = Eval(*e.source, ctx, &src_diags);
  diags->Append(src_diags);
  if (src_diags.HasErrors()) return DynamicUnknown();
  Kind k = src.type().kind();
  bool auto_upgrade = !(k == Kind::kTuple || k == Kind::kList || k == Kind::kSet);
  if (src.is_null() && src.is_known()) {
    if (auto_upgrade) return Value::Tuple({});
    diags->Add(Error("Splat of null value",
                     "Splat expressions (with the * symbol) cannot be applied to null sequences.",
                     e.source->range, Range::Between(e.source->range, e.marker_range)));
    return DynamicUnknown();
  }
  if (k == Kind::kDynamic) return DynamicUnknown();
  bool upgraded_unknown = false;
  if (auto_upgrade) {
    upgraded_unknown = !src.is_known();
    src = Value::Tuple({src});
    k = Kind::kTuple;
  }
  // Evaluates `each` for `item`, collecting its diagnostics into `d`.
  auto each = [&](const Value& item, Diagnostics* d) {
    anon_.emplace_back(e.item, item);
    Value v = Eval(*e.each, ctx, d);
    anon_.pop_back();
    return v;
  };
  // The result type hclsyntax derives by evaluating `each` on unknown elements.
  auto result_type = [&](Diagnostics* d) -> Type {
    if (k == Kind::kList || k == Kind::kSet) {
      return Type::List(each(Value::Unknown(src.type().element()), d).type());
    }
    std::vector<Type> tys;
    for (const Type& et : src.type().elements()) tys.push_back(each(Value::Unknown(et), d).type());
    return Type::Tuple(std::move(tys));
  };
  if (!src.is_known()) return Value::Unknown(result_type(diags));

  std::vector<Value> vals;
  vals.reserve(src.Length());
  bool known = true;
  for (const Value& item : src.Elements()) {
    Diagnostics item_diags;
    vals.push_back(each(item, &item_diags));
    diags->Append(item_diags);
    if (item_diags.HasErrors()) known = false;
  }
  if (upgraded_unknown) return DynamicUnknown();
  if (!known) {
    Diagnostics ignored;
    return Value::Unknown(result_type(&ignored));
  }
  if (k == Kind::kList || k == Kind::kSet) {
    if (vals.empty()) return Value::List(result_type(diags).element(), {});
    std::vector<Type> types;
    for (const Value& v : vals) types.push_back(v.type());
    bool same =
        std::all_of(types.begin(), types.end(), [&](const Type& t) { return t == types[0]; });
    if (same) return Value::List(types[0], std::move(vals));
    if (std::optional<Type> ety = UnifyTypes(types)) {
      absl::StatusOr<Value> l = Convert(Value::Tuple(std::move(vals)), Type::List(*ety));
      if (l.ok()) return *std::move(l);
    }
    return DynamicUnknown();
  }
  return Value::Tuple(std::move(vals));
}

}  // namespace meshgw::hcl::eval_internal
