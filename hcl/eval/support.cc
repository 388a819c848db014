// Evaluator support: indexing and attribute access on values with the official diagnostics
// (hcl/ops.go), NFC normalization, name suggestions, start ranges, function argument errors and
// the Nomad partial-evaluation context. Stateless; thread-safe.
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "hcl/eval/eval.h"
#include "hcl/eval/internal.h"

namespace meshgw::hcl {
namespace eval_internal {
namespace {

using Kind = Type::Kind;

constexpr char kInvalidIndex[] = "Invalid index";
constexpr char kNotElement[] =
    "The given key does not identify an element in this collection value";
constexpr char kArgErrorPayload[] = "meshgw.hcl/function-arg-index";

Value DynamicUnknown() { return Value::Unknown(Type::Dynamic()); }

void AddError(Diagnostics* diags, std::string summary, std::string detail, const Range& r) {
  diags->AddError(std::move(summary), std::move(detail), r);
}

std::vector<uint32_t> Runes(std::string_view s) {
  std::vector<uint32_t> out;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t len = static_cast<utf8proc_ssize_t>(s.size());
  while (len > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, len, &cp);
    if (n <= 0) {
      cp = 0xFFFD;
      n = 1;
    }
    out.push_back(static_cast<uint32_t>(cp));
    p += n;
    len -= n;
  }
  return out;
}

size_t Levenshtein(std::string_view a, std::string_view b) {
  std::vector<uint32_t> x = Runes(a), y = Runes(b);
  std::vector<size_t> prev(y.size() + 1), cur(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      size_t sub = prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[y.size()];
}

}  // namespace

Value Index(const Value& coll, const Value& key, const Range& range, Diagnostics* diags) {
  if (coll.is_null() && coll.is_known()) {
    AddError(diags, "Attempt to index null value",
             "This value is null, so it does not have any indices.", range);
    return DynamicUnknown();
  }
  if (key.is_null() && key.is_known()) {
    AddError(diags, kInvalidIndex, "Can't use a null value as an indexing key.", range);
    return DynamicUnknown();
  }
  const Type& ty = coll.type();
  if (key.type().kind() == Kind::kDynamic || ty.kind() == Kind::kDynamic) return DynamicUnknown();

  switch (ty.kind()) {
    case Kind::kList:
    case Kind::kTuple:
    case Kind::kMap: {
      bool seq = ty.kind() != Kind::kMap;
      absl::StatusOr<Value> k = Convert(key, seq ? Type::Number() : Type::String());
      if (!k.ok()) {
        AddError(diags, kInvalidIndex, absl::StrCat(kNotElement, ": ", k.status().message(), "."),
                 range);
        return DynamicUnknown();
      }
      if (!coll.is_known() || !k->is_known()) {
        if (ty.kind() == Kind::kTuple) return DynamicUnknown();
        return Value::Unknown(ty.element());
      }
      if (!seq) {
        auto it = coll.Entries().find(k->AsString());
        if (it != coll.Entries().end()) return it->second;
      } else {
        const Number& n = k->AsNumber();
        std::optional<int64_t> i = n.ToInt64();
        if (i.has_value() && *i >= 0 && static_cast<size_t>(*i) < coll.Length()) {
          return coll.Elements()[*i];
        }
        if (!n.IsInteger()) {
          AddError(diags, kInvalidIndex,
                   absl::StrCat(kNotElement,
                                ": indexing a sequence requires a whole number, but the given "
                                "index has a fractional part."),
                   range);
          return DynamicUnknown();
        }
        if (n.Sign() < 0) {
          AddError(diags, kInvalidIndex,
                   absl::StrCat(kNotElement,
                                ": a negative number is not a valid index for a "
                                "sequence."),
                   range);
          return DynamicUnknown();
        }
        // As hcl.Index does, the specific messages apply only when key - length < 1.
        Number len = Number::FromInt64(static_cast<int64_t>(coll.Length()));
        if (n.Subtract(len).Sign() < 1) {
          if (coll.Length() == 0) {
            AddError(diags, kInvalidIndex,
                     absl::StrCat(kNotElement, ": the collection has no elements."), range);
          } else {
            AddError(diags, kInvalidIndex,
                     absl::StrCat(kNotElement,
                                  ": the given index is greater than or equal to the length of "
                                  "the collection."),
                     range);
          }
          return DynamicUnknown();
        }
      }
      AddError(diags, kInvalidIndex, absl::StrCat(kNotElement, "."), range);
      return DynamicUnknown();
    }
    case Kind::kObject: {
      bool was_number = key.type().kind() == Kind::kNumber;
      absl::StatusOr<Value> k = Convert(key, Type::String());
      if (!k.ok()) {
        AddError(diags, kInvalidIndex, absl::StrCat(kNotElement, ": ", k.status().message(), "."),
                 range);
        return DynamicUnknown();
      }
      if (!coll.is_known() || !k->is_known()) return DynamicUnknown();
      const std::string& name = k->AsString();
      if (ty.attributes().find(name) == ty.attributes().end()) {
        AddError(diags, kInvalidIndex,
                 absl::StrCat(kNotElement, ".",
                              was_number ? " An object only supports looking up attributes by "
                                           "name, not by numeric index."
                                         : ""),
                 range);
        return DynamicUnknown();
      }
      return coll.GetAttr(name);
    }
    case Kind::kSet:
      AddError(diags, kInvalidIndex,
               "Elements of a set are identified only by their value and don't have any separate "
               "index or key to select with, so it's only possible to perform operations across "
               "all elements of the set.",
               range);
      return DynamicUnknown();
    default:
      AddError(diags, kInvalidIndex, "This value does not have any indices.", range);
      return DynamicUnknown();
  }
}

Value GetAttr(const Value& obj, const std::string& name, const Range& range, Diagnostics* diags) {
  if (obj.is_null() && obj.is_known()) {
    AddError(diags, "Attempt to get attribute from null value",
             "This value is null, so it does not have any attributes.", range);
    return DynamicUnknown();
  }
  constexpr char kUnsupported[] = "Unsupported attribute";
  const Type& ty = obj.type();
  switch (ty.kind()) {
    case Kind::kObject: {
      auto it = ty.attributes().find(name);
      if (it == ty.attributes().end()) {
        AddError(
            diags, kUnsupported,
            absl::StrFormat("This object does not have an attribute named %s.", JsonQuote(name)),
            range);
        return DynamicUnknown();
      }
      if (!obj.is_known()) return Value::Unknown(it->second);
      return obj.GetAttr(name);
    }
    case Kind::kMap: {
      if (!obj.is_known()) return Value::Unknown(ty.element());
      auto it = obj.Entries().find(name);
      if (it == obj.Entries().end()) {
        AddError(
            diags, "Missing map element",
            absl::StrFormat("This map does not have an element with the key %s.", JsonQuote(name)),
            range);
        return DynamicUnknown();
      }
      return it->second;
    }
    case Kind::kDynamic:
      return DynamicUnknown();
    case Kind::kList:
      if (ty.element().kind() == Kind::kObject) {
        if (ty.element().attributes().count(name) != 0) {
          AddError(diags, kUnsupported,
                   absl::StrFormat("Can't access attributes on a list of objects. Did you mean to "
                                   "access attribute %s for a specific element of the list, or "
                                   "across all elements of the list?",
                                   JsonQuote(name)),
                   range);
        } else {
          AddError(diags, kUnsupported,
                   "Can't access attributes on a list of objects. Did you mean to access an "
                   "attribute for a specific element of the list, or across all elements of the "
                   "list?",
                   range);
        }
        return DynamicUnknown();
      }
      break;
    case Kind::kSet:
      if (ty.element().kind() == Kind::kObject) {
        AddError(diags, kUnsupported,
                 "Can't access attributes on a set of objects. Did you mean to access an attribute "
                 "across all elements of the set?",
                 range);
        return DynamicUnknown();
      }
      break;
    case Kind::kBool:
    case Kind::kNumber:
    case Kind::kString:
      AddError(diags, kUnsupported,
               absl::StrCat("Can't access attributes on a primitive-typed value (",
                            ty.FriendlyName(), ")."),
               range);
      return DynamicUnknown();
    default:
      break;
  }
  AddError(diags, kUnsupported, "This value does not have any attributes.", range);
  return DynamicUnknown();
}

Value ApplyTraversal(const Value& v, const Traversal& t, size_t first, Diagnostics* diags) {
  Value cur = v;
  for (size_t i = first; i < t.size(); ++i) {
    const TraverseStep& step = t[i];
    Diagnostics step_diags;
    if (step.kind == TraverseStep::Kind::kIndex) {
      Value key;
      switch (step.key.kind) {
        case LiteralValue::Kind::kNumber: {
          absl::StatusOr<Number> n = Number::Parse(step.key.text);
          key = n.ok() ? Value::Number(*std::move(n)) : Value::Unknown(Type::Number());
          break;
        }
        case LiteralValue::Kind::kString:
          key = Value::String(step.key.text);
          break;
        case LiteralValue::Kind::kBool:
          key = Value::Bool(step.key.boolean);
          break;
        case LiteralValue::Kind::kNull:
          key = Value::Null(Type::Dynamic());
          break;
      }
      cur = Index(cur, key, step.range, &step_diags);
    } else {
      cur = GetAttr(cur, step.name, step.range, &step_diags);
    }
    diags->Append(step_diags);
    if (step_diags.HasErrors()) return DynamicUnknown();
  }
  return cur;
}

std::string NormalizeNfc(std::string s) {
  bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
  if (ascii) return s;
  utf8proc_uint8_t* out = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(s.c_str()));
  if (out == nullptr) return s;
  std::string r(reinterpret_cast<char*>(out));
  std::free(out);
  return r;
}

std::string NameSuggestion(std::string_view given, std::vector<std::string> candidates) {
  std::sort(candidates.begin(), candidates.end());
  for (const std::string& c : candidates) {
    if (Levenshtein(given, c) < 3) return c;
  }
  return "";
}

Range StartRange(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kFunctionCall: {
      const auto& f = e.As<FunctionCallExpr>();
      return Range::Between(f.name_range, f.open_paren_range);
    }
    case ExprKind::kBinaryOp:
      return StartRange(*e.As<BinaryOpExpr>().lhs);
    case ExprKind::kConditional:
      return StartRange(*e.As<ConditionalExpr>().condition);
    case ExprKind::kParentheses:
      return StartRange(*e.As<ParenthesesExpr>().inner);
    case ExprKind::kObjectKey:
      return StartRange(*e.As<ObjectKeyExpr>().wrapped);
    case ExprKind::kUnaryOp:
      return e.As<UnaryOpExpr>().symbol_range;
    case ExprKind::kTemplate: {
      const auto& parts = e.As<TemplateExpr>().parts;
      return parts.empty() ? e.range : StartRange(*parts[0]);
    }
    case ExprKind::kTuple:
      return e.As<TupleExpr>().open_range;
    case ExprKind::kObject:
      return e.As<ObjectExpr>().open_range;
    case ExprKind::kFor:
      return e.As<ForExpr>().open_range;
    case ExprKind::kSplat:
      return e.As<SplatExpr>().marker_range;
    case ExprKind::kIndex: {
      // hclsyntax points at the opening bracket.
      Range r = e.As<IndexExpr>().bracket_range;
      r.end = r.start;
      r.end.byte += 1;
      r.end.column += 1;
      return r;
    }
    default:
      return e.range;
  }
}

std::optional<size_t> ArgErrorIndex(const absl::Status& s) {
  auto p = s.GetPayload(kArgErrorPayload);
  if (!p.has_value()) return std::nullopt;
  return static_cast<size_t>(std::strtoull(std::string(*p).c_str(), nullptr, 10));
}

absl::Status MakeArgError(size_t index, const std::string& message) {
  absl::Status s = absl::InvalidArgumentError(message);
  s.SetPayload(kArgErrorPayload, absl::Cord(absl::StrCat(index)));
  return s;
}

}  // namespace eval_internal

absl::Status FunctionArgError(size_t index, const std::string& message) {
  return eval_internal::MakeArgError(index, message);
}

EvalContext EvalContext::PartialForNomad(Value vars, Value locals, const File& file) {
  EvalContext ctx;
  ctx.variables.emplace("var", std::move(vars));
  ctx.variables.emplace("local", std::move(locals));
  const File* f = &file;
  ctx.undefined_variable = [f](const Traversal&, const Range& range) -> std::optional<Value> {
    return Value::String(absl::StrCat("${", std::string(f->Text(range)), "}"));
  };
  return ctx;
}

}  // namespace meshgw::hcl
