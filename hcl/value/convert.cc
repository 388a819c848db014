// Type conversion and unification with cty's rules (cty/convert): which conversions exist,
// "safe" (never lossy) versus "unsafe" (string -> number/bool, list -> set, map -> object), the
// type chosen to unify several types, and cty's mismatch messages. Stateless; thread-safe.
#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "hcl/value/value.h"

namespace meshgw::hcl {
namespace {

using Kind = Type::Kind;

bool IsDyn(const Type& t) { return t.kind() == Kind::kDynamic; }

std::optional<Type> Unify(const std::vector<Type>& types, bool unsafe);

// Whether a conversion from `in` to `out` exists (cty's getConversion != nil), and the type the
// result will have when `out` has dynamic parts.
bool CanConvert(const Type& in, const Type& out, bool unsafe) {
  if (IsDyn(out)) return true;
  if (in == out) return true;
  if (IsDyn(in)) return unsafe;
  if (in.IsPrimitive() && out.IsPrimitive()) {
    if (out.kind() == Kind::kString) return true;  // number/bool -> string are safe
    return unsafe && in.kind() == Kind::kString;
  }
  switch (out.kind()) {
    case Kind::kObject:
      if (in.kind() == Kind::kObject) {
        for (const auto& [name, aty] : out.attributes()) {
          auto it = in.attributes().find(name);
          if (it == in.attributes().end()) return false;
          if (!CanConvert(it->second, aty, unsafe)) return false;
        }
        return true;
      }
      if (in.kind() == Kind::kMap) {
        if (!unsafe) return false;
        for (const auto& [name, aty] : out.attributes()) {
          if (!CanConvert(in.element(), aty, unsafe)) return false;
        }
        return true;
      }
      return false;
    case Kind::kTuple:
      if (in.kind() != Kind::kTuple || in.elements().size() != out.elements().size()) return false;
      for (size_t i = 0; i < in.elements().size(); ++i) {
        if (!CanConvert(in.elements()[i], out.elements()[i], unsafe)) return false;
      }
      return true;
    case Kind::kList:
    case Kind::kSet:
      if (in.kind() == Kind::kList || in.kind() == Kind::kSet) {
        if (out.kind() == Kind::kSet && in.kind() == Kind::kList && !unsafe) return false;
        return CanConvert(in.element(), out.element(), unsafe);
      }
      if (in.kind() == Kind::kTuple) {
        if (IsDyn(out.element())) {
          return in.elements().empty() || Unify(in.elements(), unsafe).has_value();
        }
        for (const Type& e : in.elements()) {
          if (!CanConvert(e, out.element(), unsafe)) return false;
        }
        return true;
      }
      return false;
    case Kind::kMap:
      if (in.kind() == Kind::kMap) return CanConvert(in.element(), out.element(), unsafe);
      if (in.kind() == Kind::kObject) {
        if (IsDyn(out.element())) {
          std::vector<Type> ts;
          for (const auto& [k, t] : in.attributes()) ts.push_back(t);
          return ts.empty() || Unify(ts, unsafe).has_value();
        }
        for (const auto& [k, t] : in.attributes()) {
          if (!CanConvert(t, out.element(), unsafe)) return false;
        }
        return true;
      }
      return false;
    default:
      return false;
  }
}

std::string MismatchMessage(const Type& got, const Type& want);

std::string MismatchObjects(const Type& got, const Type& want) {
  std::vector<std::string> missing;
  std::string unsafe_mismatch, safe_mismatch;
  for (const auto& [name, wt] : want.attributes()) {
    auto it = got.attributes().find(name);
    if (it == got.attributes().end()) {
      missing.push_back(name);
      continue;
    }
    if (it->second == wt) continue;
    if (unsafe_mismatch.empty() && !CanConvert(it->second, wt, true)) {
      unsafe_mismatch =
          absl::StrFormat("attribute %s: %s", JsonQuote(name), MismatchMessage(it->second, wt));
    }
    if (safe_mismatch.empty() && !CanConvert(it->second, wt, false)) {
      safe_mismatch =
          absl::StrFormat("attribute %s: %s", JsonQuote(name), MismatchMessage(it->second, wt));
    }
  }
  if (missing.size() == 1)
    return absl::StrFormat("attribute %s is required", JsonQuote(missing[0]));
  if (missing.size() == 2) {
    return absl::StrFormat("attributes %s and %s are required", JsonQuote(missing[0]),
                           JsonQuote(missing[1]));
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i + 1 < missing.size(); ++i)
      absl::StrAppend(&list, JsonQuote(missing[i]), ", ");
    absl::StrAppend(&list, "and ", JsonQuote(missing.back()));
    return absl::StrFormat("attributes %s are required", list);
  }
  if (!unsafe_mismatch.empty()) return unsafe_mismatch;
  if (!safe_mismatch.empty()) return safe_mismatch;
  return "incorrect object attributes";
}

std::string MismatchMessage(const Type& got, const Type& want) {
  std::string required = absl::StrCat(want.FriendlyNameForConstraint(), " required");
  if (got.kind() == Kind::kObject && want.kind() == Kind::kObject)
    return MismatchObjects(got, want);
  if (got.kind() == Kind::kTuple && want.kind() == Kind::kList && IsDyn(want.element())) {
    return "all list elements must have the same type";
  }
  if (got.kind() == Kind::kTuple && want.kind() == Kind::kSet && IsDyn(want.element())) {
    return "all set elements must have the same type";
  }
  if (got.kind() == Kind::kObject && want.kind() == Kind::kMap && IsDyn(want.element())) {
    return "all map elements must have the same type";
  }
  if ((got.kind() == Kind::kTuple || got.kind() == Kind::kObject) && want.IsCollection()) {
    if ((want.kind() == Kind::kList || want.kind() == Kind::kSet) && got.kind() != Kind::kTuple) {
      return required;
    }
    if (want.kind() == Kind::kMap && got.kind() != Kind::kObject) return required;
    const Type& wety = want.element();
    if (got.kind() == Kind::kTuple) {
      for (size_t i = 0; i < got.elements().size(); ++i) {
        const Type& e = got.elements()[i];
        if (e == wety || CanConvert(e, wety, true)) continue;
        return absl::StrFormat("element %d: %s", i, MismatchMessage(e, wety));
      }
    } else {
      for (const auto& [name, e] : got.attributes()) {
        if (e == wety || CanConvert(e, wety, true)) continue;
        return absl::StrFormat("element %s: %s", JsonQuote(name), MismatchMessage(e, wety));
      }
    }
    return "all elements must be " + wety.FriendlyNameForConstraint();
  }
  if (got.IsCollection() && want.IsCollection()) {
    bool got_seq = got.kind() == Kind::kList || got.kind() == Kind::kSet;
    if (want.kind() != Kind::kMap && !got_seq) return required;
    if (want.kind() == Kind::kMap && got.kind() != Kind::kMap) return required;
    const char* noun = want.kind() == Kind::kList  ? "list element type"
                       : want.kind() == Kind::kSet ? "set element type"
                                                   : "map element type";
    return absl::StrCat("incorrect ", noun, ": ", MismatchMessage(got.element(), want.element()));
  }
  return required;
}

absl::StatusOr<Value> Conv(const Value& v, const Type& want, bool unsafe);

// Converts every element of `elems` to `ety` (or, when `ety` is dynamic, to their unified type)
// and reports the element type used.
absl::StatusOr<std::vector<Value>> ConvElems(const std::vector<Value>& elems, Type* ety,
                                             bool unsafe, const char* what) {
  if (IsDyn(*ety)) {
    std::vector<Type> ts;
    for (const Value& e : elems) ts.push_back(e.type());
    if (ts.empty()) return std::vector<Value>{};
    std::optional<Type> u = Unify(ts, unsafe);
    if (!u.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("element types must all match for conversion to ", what));
    }
    *ety = *u;
  }
  std::vector<Value> out;
  out.reserve(elems.size());
  for (const Value& e : elems) {
    absl::StatusOr<Value> c = Conv(e, *ety, unsafe);
    if (!c.ok()) return c.status();
    out.push_back(*std::move(c));
  }
  return out;
}

absl::StatusOr<Value> Conv(const Value& v, const Type& want, bool unsafe) {
  const Type& in = v.type();
  if (IsDyn(want) || in == want) return v;
  if (!CanConvert(in, want, unsafe)) {
    return absl::InvalidArgumentError(MismatchMessage(in, want));
  }
  if (!v.is_known()) return Value::Unknown(want);
  if (v.is_null()) return Value::Null(want);
  if (IsDyn(in)) return Value::Null(want);

  if (in.IsPrimitive() && want.IsPrimitive()) {
    if (want.kind() == Kind::kString) {
      if (in.kind() == Kind::kNumber) return Value::String(v.AsNumber().ToString());
      return Value::String(v.AsBool() ? "true" : "false");
    }
    const std::string& s = v.AsString();
    if (want.kind() == Kind::kNumber) {
      absl::StatusOr<Number> n = Number::Parse(s);
      if (!n.ok()) return absl::InvalidArgumentError("a number is required");
      return Value::Number(*std::move(n));
    }
    if (s == "true" || s == "1") return Value::Bool(true);
    if (s == "false" || s == "0") return Value::Bool(false);
    std::string lower = absl::AsciiStrToLower(s);
    if (lower == "true" || lower == "false") {
      return absl::InvalidArgumentError(absl::StrCat(
          "a bool is required; to convert from string, use lowercase \"", lower, "\""));
    }
    return absl::InvalidArgumentError("a bool is required");
  }

  switch (want.kind()) {
    case Kind::kObject: {
      std::map<std::string, Value> out;
      for (const auto& [name, aty] : want.attributes()) {
        Value a = v.GetAttr(name);
        if (in.kind() == Kind::kMap && v.Entries().find(name) == v.Entries().end()) {
          return absl::InvalidArgumentError(
              absl::StrFormat("map has no element for required attribute %s", JsonQuote(name)));
        }
        absl::StatusOr<Value> c = Conv(a, aty, unsafe);
        if (!c.ok()) return c.status();
        out.emplace(name, *std::move(c));
      }
      return Value::Object(std::move(out));
    }
    case Kind::kTuple: {
      std::vector<Value> out;
      for (size_t i = 0; i < v.Elements().size(); ++i) {
        absl::StatusOr<Value> c = Conv(v.Elements()[i], want.elements()[i], unsafe);
        if (!c.ok()) return c.status();
        out.push_back(*std::move(c));
      }
      return Value::Tuple(std::move(out));
    }
    case Kind::kList:
    case Kind::kSet: {
      Type ety = want.element();
      if (IsDyn(ety) && (in.kind() == Kind::kList || in.kind() == Kind::kSet)) ety = in.element();
      const char* what = want.kind() == Kind::kList ? "list" : "set";
      absl::StatusOr<std::vector<Value>> elems = ConvElems(v.Elements(), &ety, unsafe, what);
      if (!elems.ok()) return elems.status();
      if (want.kind() == Kind::kList) return Value::List(ety, *std::move(elems));
      return Value::Set(ety, *std::move(elems));
    }
    case Kind::kMap: {
      Type ety = want.element();
      if (IsDyn(ety) && in.kind() == Kind::kMap) ety = in.element();
      std::vector<Value> vals;
      for (const auto& [k, e] : v.Entries()) vals.push_back(e);
      absl::StatusOr<std::vector<Value>> elems = ConvElems(vals, &ety, unsafe, "map");
      if (!elems.ok()) return elems.status();
      std::map<std::string, Value> out;
      size_t i = 0;
      for (const auto& [k, e] : v.Entries()) out.emplace_hint(out.end(), k, (*elems)[i++]);
      return Value::Map(ety, std::move(out));
    }
    default:
      return absl::InvalidArgumentError(MismatchMessage(in, want));
  }
}

// cty's preference order for unifying unlike types (sortTypes): string before the other
// primitives, dynamic last.
std::optional<Type> UnifyByPreference(const std::vector<Type>& types, bool unsafe) {
  std::vector<size_t> order;
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i].kind() == Kind::kString) order.push_back(i);
  }
  for (size_t i = 0; i < types.size(); ++i) {
    if (!IsDyn(types[i]) && types[i].kind() != Kind::kString) order.push_back(i);
  }
  for (size_t i = 0; i < types.size(); ++i) {
    if (IsDyn(types[i])) order.push_back(i);
  }
  for (size_t w : order) {
    bool ok = true;
    for (size_t i = 0; i < types.size() && ok; ++i) {
      if (i == w || types[i] == types[w]) continue;
      ok = CanConvert(types[i], types[w], unsafe);
    }
    if (ok) return types[w];
  }
  return std::nullopt;
}

// The type when every one of `types` converts to `ret`, else nullopt.
std::optional<Type> IfAllConvert(const std::vector<Type>& types, const Type& ret, bool unsafe) {
  for (const Type& t : types) {
    if (t != ret && !CanConvert(t, ret, unsafe)) return std::nullopt;
  }
  return ret;
}

// unifyObjectTypesToMap / unifyTupleTypesToList: a map (list) of the unified attribute
// (element) types of all the objects (tuples) in `types`.
std::optional<Type> UnifyStructuralAsCollection(const std::vector<Type>& types, bool unsafe,
                                                bool as_map) {
  std::vector<Type> etys;
  for (const Type& t : types) {
    if (as_map && t.kind() == Kind::kObject) {
      for (const auto& [k, a] : t.attributes()) etys.push_back(a);
    } else if (!as_map && t.kind() == Kind::kTuple) {
      for (const Type& e : t.elements()) etys.push_back(e);
    }
  }
  std::optional<Type> e = Unify(etys, unsafe);
  if (!e) return std::nullopt;
  return IfAllConvert(types, as_map ? Type::Map(*e) : Type::List(*e), unsafe);
}

std::optional<Type> Unify(const std::vector<Type>& types, bool unsafe) {
  if (types.empty()) return std::nullopt;
  size_t maps = 0, lists = 0, sets = 0, objects = 0, tuples = 0, dyns = 0;
  for (const Type& t : types) {
    switch (t.kind()) {
      case Kind::kMap:
        ++maps;
        break;
      case Kind::kList:
        ++lists;
        break;
      case Kind::kSet:
        ++sets;
        break;
      case Kind::kObject:
        ++objects;
        break;
      case Kind::kTuple:
        ++tuples;
        break;
      case Kind::kDynamic:
        ++dyns;
        break;
      default:
        break;
    }
  }
  size_t n = types.size();
  auto unify_collections = [&](Kind k) -> std::optional<Type> {
    if (dyns > 0) return Type::Dynamic();
    std::vector<Type> etys;
    for (const Type& t : types) etys.push_back(t.element());
    std::optional<Type> e = Unify(etys, unsafe);
    if (!e) return std::nullopt;
    Type ret = k == Kind::kMap ? Type::Map(*e) : k == Kind::kList ? Type::List(*e) : Type::Set(*e);
    return IfAllConvert(types, ret, unsafe);
  };
  if (maps > 0 && maps + dyns == n) return unify_collections(Kind::kMap);
  if (maps > 0 && maps + objects + dyns == n) {
    std::vector<Type> objs;
    for (const Type& t : types) {
      if (t.kind() == Kind::kObject) objs.push_back(t);
    }
    std::optional<Type> m = UnifyStructuralAsCollection(objs, unsafe, true);
    if (m) {
      std::vector<Type> mapped;
      for (const Type& t : types) mapped.push_back(t.kind() == Kind::kObject ? *m : t);
      std::optional<Type> r = Unify(mapped, unsafe);
      if (r && r->kind() == Kind::kMap) return r;
    }
  } else if (lists > 0 && lists + dyns == n) {
    return unify_collections(Kind::kList);
  } else if (lists > 0 && lists + tuples + dyns == n) {
    std::vector<Type> tups;
    for (const Type& t : types) {
      if (t.kind() == Kind::kTuple) tups.push_back(t);
    }
    std::optional<Type> l = UnifyStructuralAsCollection(tups, unsafe, false);
    if (l) {
      std::vector<Type> listed;
      for (const Type& t : types) listed.push_back(t.kind() == Kind::kTuple ? *l : t);
      std::optional<Type> r = Unify(listed, unsafe);
      if (r && r->kind() == Kind::kList) return r;
    }
  } else if (sets > 0 && sets + dyns == n) {
    return unify_collections(Kind::kSet);
  } else if (objects > 0 && objects + dyns == n) {
    if (dyns > 0) return Type::Dynamic();
    const auto& first = types[0].attributes();
    for (const Type& o : types) {
      if (o.attributes().size() != first.size()) {
        return UnifyStructuralAsCollection(types, unsafe, true);
      }
      for (const auto& [name, t] : o.attributes()) {
        if (first.find(name) == first.end()) {
          return UnifyStructuralAsCollection(types, unsafe, true);
        }
      }
    }
    std::map<std::string, Type> attrs;
    for (const auto& [name, t] : first) {
      std::vector<Type> ts;
      for (const Type& o : types) ts.push_back(o.attributes().at(name));
      std::optional<Type> u = Unify(ts, unsafe);
      if (!u) return std::nullopt;
      attrs.emplace(name, *u);
    }
    std::optional<Type> r = IfAllConvert(types, Type::Object(std::move(attrs)), unsafe);
    if (!r) return UnifyStructuralAsCollection(types, unsafe, true);
    return r;
  } else if (tuples > 0 && tuples + dyns == n) {
    if (dyns > 0) return Type::Dynamic();
    size_t len = types[0].elements().size();
    for (const Type& t : types) {
      if (t.elements().size() != len) return UnifyStructuralAsCollection(types, unsafe, false);
    }
    std::vector<Type> elems;
    for (size_t i = 0; i < len; ++i) {
      std::vector<Type> ts;
      for (const Type& t : types) ts.push_back(t.elements()[i]);
      std::optional<Type> u = Unify(ts, unsafe);
      if (!u) return std::nullopt;
      elems.push_back(*u);
    }
    std::optional<Type> r = IfAllConvert(types, Type::Tuple(std::move(elems)), unsafe);
    if (!r) return UnifyStructuralAsCollection(types, unsafe, false);
    return r;
  } else if (objects > 0 && tuples > 0) {
    return std::nullopt;
  }
  return UnifyByPreference(types, unsafe);
}

}  // namespace

absl::StatusOr<Value> Convert(const Value& v, const Type& want) { return Conv(v, want, true); }
absl::StatusOr<Value> ConvertSafe(const Value& v, const Type& want) { return Conv(v, want, false); }
std::optional<Type> UnifyTypes(const std::vector<Type>& types) { return Unify(types, true); }

}  // namespace meshgw::hcl
