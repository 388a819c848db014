// The collection functions of StandardFunctions (length, concat, lookup, merge, coalesce, keys,
// values, contains, element, flatten, distinct, range) with cty's stdlib results and messages,
// including the type checks cty makes before unknown arguments short-circuit a call.
// Stateless; thread-safe.
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "hcl/eval/eval.h"
#include "hcl/eval/functions_internal.h"
#include "hcl/eval/internal.h"

namespace meshgw::hcl::eval_internal {
namespace {

void Flatten(const Value& v, std::vector<Value>* out) {
  for (const Value& e : v.Elements()) {
    if (IsSeq(e.type()) && !e.is_null()) {
      Flatten(e, out);
    } else {
      out->push_back(e);
    }
  }
}

}  // namespace

void AddCollectionFunctions(std::map<std::string, Function>* out) {
  std::map<std::string, Function>& fns = *out;
  const Type kStr = Type::String();
  const Type kNum = Type::Number();
  const Type kDyn = Type::Dynamic();

  fns["length"] =
      Fn({P("collection", kDyn)}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
        Kind k = a[0].type().kind();
        if (!(k == Kind::kTuple || k == Kind::kList || k == Kind::kMap || k == Kind::kSet)) {
          return Err("collection must be a list, a map or a tuple");
        }
        return Value::Number(static_cast<int64_t>(a[0].Length()));
      });
  fns["concat"] = Fn({}, P("seqs", kDyn), [](const Args& a) -> absl::StatusOr<Value> {
    if (a.empty()) return Err("at least one argument is required");
    bool all_lists = std::all_of(a.begin(), a.end(),
                                 [](const Value& v) { return v.type().kind() == Kind::kList; });
    if (all_lists) {
      std::vector<Type> tys;
      for (const Value& v : a) tys.push_back(v.type());
      std::optional<Type> common = UnifyTypes(tys);
      if (common.has_value()) {
        std::vector<Value> vals;
        for (size_t i = 0; i < a.size(); ++i) {
          absl::StatusOr<Value> l = Convert(a[i], *common);
          if (!l.ok()) return FunctionArgError(i, std::string(l.status().message()));
          for (const Value& e : l->Elements()) vals.push_back(e);
        }
        return Value::List(common->element(), std::move(vals));
      }
    }
    std::vector<Value> vals;
    for (size_t i = 0; i < a.size(); ++i) {
      Kind k = a[i].type().kind();
      if (k != Kind::kTuple && k != Kind::kList) {
        return FunctionArgError(i, absl::StrCat("all arguments must be lists or tuples; got ",
                                                a[i].type().FriendlyName()));
      }
      for (const Value& e : a[i].Elements()) vals.push_back(e);
    }
    return Value::Tuple(std::move(vals));
  });
  fns["lookup"] =
      Fn({P("inputMap", kDyn), P("key", kStr), P("default", kDyn)}, std::nullopt,
         [](const Args& a) -> absl::StatusOr<Value> {
           const Value& m = a[0];
           const std::string& key = a[1].AsString();
           switch (m.type().kind()) {
             case Kind::kObject: {
               auto it = m.Entries().find(key);
               if (it != m.Entries().end()) return it->second;
               return a[2];
             }
             case Kind::kMap: {
               absl::StatusOr<Value> d = Convert(a[2], m.type().element());
               if (!d.ok()) {
                 return FunctionArgError(
                     2, "the default value must have the same type as the map elements");
               }
               auto it = m.Entries().find(key);
               if (it != m.Entries().end()) return it->second;
               return *d;
             }
             default:
               return FunctionArgError(0, "lookup() requires a map as the first argument");
           }
         });
  fns["merge"] =
      Fn({}, P("maps", kDyn, /*allow_null=*/true), [](const Args& a) -> absl::StatusOr<Value> {
        if (a.empty()) return Value::Object({});
        bool matching = true;
        for (const Value& v : a) {
          Kind k = v.type().kind();
          if (k == Kind::kDynamic) {
            matching = false;
            continue;
          }
          if (k != Kind::kMap && k != Kind::kObject) {
            return Err(absl::StrCat("arguments must be maps or objects, got ",
                                    JsonQuote(v.type().FriendlyName())));
          }
          if (v.type() != a[0].type()) matching = false;
        }
        std::map<std::string, Value> out;
        for (const Value& v : a) {
          if (v.is_null()) continue;
          for (const auto& [k, e] : v.Entries()) out.insert_or_assign(k, e);
        }
        if (matching && a[0].type().kind() == Kind::kMap) {
          return Value::Map(a[0].type().element(), std::move(out));
        }
        return Value::Object(std::move(out));
      });
  fns["coalesce"] = Fn({}, P("vals", kDyn, /*allow_null=*/true, /*allow_unknown=*/true),
                       [](const Args& a) -> absl::StatusOr<Value> {
                         std::vector<Type> tys;
                         for (const Value& v : a) tys.push_back(v.type());
                         std::optional<Type> t = tys.empty() ? std::nullopt : UnifyTypes(tys);
                         if (!t.has_value()) return Err("all arguments must have the same type");
                         for (const Value& v : a) {
                           if (!v.is_known()) return Value::Unknown(*t);
                           if (v.is_null()) continue;
                           return Convert(v, *t);
                         }
                         return Err("no non-null arguments");
                       });
  fns["keys"] = Fn({P("inputMap", kDyn)}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
    Kind k = a[0].type().kind();
    if (k != Kind::kMap && k != Kind::kObject) {
      return FunctionArgError(0, "must have map or object type");
    }
    std::vector<Value> keys;
    for (const auto& [name, v] : a[0].Entries()) keys.push_back(Value::String(name));
    if (k == Kind::kMap) return Value::List(Type::String(), std::move(keys));
    return Value::Tuple(std::move(keys));
  });
  fns["values"] =
      Fn({P("mapping", kDyn)}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
        Kind k = a[0].type().kind();
        if (k != Kind::kMap && k != Kind::kObject) {
          return Err("values() requires a map as the first argument");
        }
        std::vector<Value> vals;
        for (const auto& [name, v] : a[0].Entries()) vals.push_back(v);
        if (k == Kind::kMap) return Value::List(a[0].type().element(), std::move(vals));
        return Value::Tuple(std::move(vals));
      });
  fns["contains"] = Fn({P("list", kDyn), P("value", kDyn)}, std::nullopt,
                       [](const Args& a) -> absl::StatusOr<Value> {
                         if (!IsSeq(a[0].type()))
                           return Err("argument must be list, tuple, or set");
                         bool unknown = false;
                         for (const Value& e : a[0].Elements()) {
                           std::optional<bool> eq = a[1].Equals(e);
                           if (!eq.has_value()) {
                             unknown = true;
                           } else if (*eq) {
                             return Value::Bool(true);
                           }
                         }
                         if (unknown) return Value::Unknown(Type::Bool());
                         return Value::Bool(false);
                       });
  fns["element"] =
      Fn({P("list", kDyn), P("index", kNum)}, std::nullopt,
         [](const Args& a) -> absl::StatusOr<Value> {
           const Number& n = a[1].AsNumber();
           if (n.Sign() < 0) {
             return Err("cannot use element function with a negative index");
           }
           Kind k = a[0].type().kind();
           if (k != Kind::kList && k != Kind::kTuple) {
             return Err(absl::StrCat("cannot read elements from ", a[0].type().FriendlyName()));
           }
           std::optional<int64_t> i = n.ToInt64();
           if (!i.has_value()) {
             return Err(
                 "invalid index: value must be a whole number, between "
                 "-9223372036854775808 and 9223372036854775807");
           }
           if (a[0].Length() == 0) {
             return Err("cannot use element function with an empty list");
           }
           return a[0].Elements()[*i % static_cast<int64_t>(a[0].Length())];
         });
  fns["flatten"] = Fn({P("list", kDyn)}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
    if (!a[0].IsWhollyKnown()) return Value::Unknown(Type::Dynamic());
    if (!IsSeq(a[0].type())) return Err("can only flatten lists, sets and tuples");
    std::vector<Value> out;
    Flatten(a[0], &out);
    return Value::Tuple(std::move(out));
  });
  fns["distinct"] =
      Fn({P("list", Type::List(kDyn))}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
        if (!a[0].IsWhollyKnown()) return Value::Unknown(a[0].type());
        std::vector<Value> out;
        for (const Value& v : a[0].Elements()) {
          bool dup =
              std::any_of(out.begin(), out.end(), [&](const Value& o) { return o.RawEquals(v); });
          if (!dup) out.push_back(v);
        }
        return Value::List(a[0].type().element(), std::move(out));
      });
  fns["range"] = Fn({}, P("params", kNum), [](const Args& a) -> absl::StatusOr<Value> {
    Number start, end, step;
    switch (a.size()) {
      case 1:
        end = a[0].AsNumber();
        step = Number::FromInt64(end.Sign() < 0 ? -1 : 1);
        break;
      case 2:
        start = a[0].AsNumber();
        end = a[1].AsNumber();
        step = Number::FromInt64(end.Compare(start) < 0 ? -1 : 1);
        break;
      case 3:
        start = a[0].AsNumber();
        end = a[1].AsNumber();
        step = a[2].AsNumber();
        break;
      default:
        return Err("must have one, two, or three arguments");
    }
    // cty's zero-step check compares value identities and so never fires: a zero step runs
    // into the 1024-value limit instead, which we reproduce.
    bool down = step.Sign() < 0;
    if (down && end.Compare(start) > 0) {
      return FunctionArgError(1, "end must be less than start when step is negative");
    }
    if (!down && end.Compare(start) < 0) {
      return FunctionArgError(1, "end must be greater than start when step is positive");
    }
    std::vector<Value> vals;
    Number n = start;
    while (down ? n.Compare(end) > 0 : n.Compare(end) < 0) {
      if (vals.size() >= 1024) {
        return Err(
            "more than 1024 values were generated; either decrease the difference "
            "between start and end or use a smaller step");
      }
      vals.push_back(Value::Number(n));
      n = n.Add(step);
    }
    return Value::List(Type::Number(), std::move(vals));
  });

  // Type checks (and result types) that cty computes before unknown arguments short-circuit a
  // call.
  fns["length"].check_types = [](const Args& a) -> absl::StatusOr<Type> {
    Kind k = a[0].type().kind();
    if (k == Kind::kTuple || k == Kind::kList || k == Kind::kMap || k == Kind::kSet ||
        k == Kind::kDynamic) {
      return Type::Number();
    }
    return Err("collection must be a list, a map or a tuple");
  };
  fns["keys"].check_types = [](const Args& a) -> absl::StatusOr<Type> {
    const Type& t = a[0].type();
    if (t.kind() == Kind::kMap) return Type::List(Type::String());
    if (t.kind() == Kind::kObject) {
      return Type::Tuple(std::vector<Type>(t.attributes().size(), Type::String()));
    }
    return FunctionArgError(0, "must have map or object type");
  };
  fns["values"].check_types = [](const Args& a) -> absl::StatusOr<Type> {
    const Type& t = a[0].type();
    if (t.kind() == Kind::kMap) return Type::List(t.element());
    if (t.kind() == Kind::kObject) {
      std::vector<Type> tys;
      for (const auto& [name, at] : t.attributes()) tys.push_back(at);
      return Type::Tuple(std::move(tys));
    }
    return Err("values() requires a map as the first argument");
  };
  fns["lookup"].check_types = [](const Args& a) -> absl::StatusOr<Type> {
    const Type& t = a[0].type();
    switch (t.kind()) {
      case Kind::kObject: {
        if (!a[1].is_known()) return Type::Dynamic();
        auto it = t.attributes().find(a[1].AsString());
        return it != t.attributes().end() ? it->second : a[2].type();
      }
      case Kind::kMap:
        if (!Convert(a[2], t.element()).ok()) {
          return FunctionArgError(2,
                                  "the default value must have the same type as the map "
                                  "elements");
        }
        return t.element();
      default:
        return FunctionArgError(0, "lookup() requires a map as the first argument");
    }
  };
  fns["element"].check_types = [](const Args& a) -> absl::StatusOr<Type> {
    if (a[1].is_known() && a[1].AsNumber().Sign() < 0) {
      return Err("cannot use element function with a negative index");
    }
    const Type& t = a[0].type();
    if (t.kind() == Kind::kList) return t.element();
    if (t.kind() == Kind::kTuple) {
      if (!a[1].is_known()) return Type::Dynamic();
      if (t.elements().empty()) return Err("cannot use element function with an empty list");
      std::optional<int64_t> i = a[1].AsNumber().ToInt64();
      if (!i.has_value()) return Type::Dynamic();
      return t.elements()[*i % static_cast<int64_t>(t.elements().size())];
    }
    return Err(absl::StrCat("cannot read elements from ", t.FriendlyName()));
  };
  fns["concat"].check_types = [](const Args& a) -> absl::StatusOr<Type> {
    if (a.empty()) return Err("at least one argument is required");
    bool all_lists = std::all_of(a.begin(), a.end(),
                                 [](const Value& v) { return v.type().kind() == Kind::kList; });
    if (all_lists) {
      std::vector<Type> tys;
      for (const Value& v : a) tys.push_back(v.type());
      if (std::optional<Type> common = UnifyTypes(tys)) return *common;
    }
    std::vector<Type> etys;
    for (size_t i = 0; i < a.size(); ++i) {
      const Type& t = a[i].type();
      if (t.kind() == Kind::kTuple) {
        etys.insert(etys.end(), t.elements().begin(), t.elements().end());
      } else if (t.kind() == Kind::kList) {
        if (!a[i].is_known()) return Type::Dynamic();
        etys.insert(etys.end(), a[i].Length(), t.element());
      } else {
        return FunctionArgError(
            i, absl::StrCat("all arguments must be lists or tuples; got ", t.FriendlyName()));
      }
    }
    return Type::Tuple(std::move(etys));
  };
  fns["coalesce"].check_types = [](const Args& a) -> absl::StatusOr<Type> {
    std::vector<Type> tys;
    for (const Value& v : a) tys.push_back(v.type());
    std::optional<Type> t = tys.empty() ? std::nullopt : UnifyTypes(tys);
    if (!t.has_value()) return Err("all arguments must have the same type");
    return *t;
  };
  fns["merge"].check_types = [](const Args& a) -> absl::StatusOr<Type> {
    for (const Value& v : a) {
      Kind k = v.type().kind();
      if (k == Kind::kDynamic) return Type::Dynamic();
      if (k != Kind::kMap && k != Kind::kObject) {
        return Err(absl::StrCat("arguments must be maps or objects, got ",
                                JsonQuote(v.type().FriendlyName())));
      }
    }
    return Type::Dynamic();
  };
  fns["distinct"].check_types = [](const Args& a) -> absl::StatusOr<Type> { return a[0].type(); };
  fns["length"].returns = Type::Number();
  fns["contains"].returns = Type::Bool();
  fns["range"].returns = Type::List(Type::Number());
}

}  // namespace meshgw::hcl::eval_internal
