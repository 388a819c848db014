// Value: immutable typed values sharing one representation between copies, with cty's equality
// and JSON form. Thread-compatible (the shared representations are never mutated).
#include "hcl/value/value.h"

#include <algorithm>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"

namespace meshgw::hcl {

struct Value::Rep {
  Type type;
  bool null = false;
  bool known = true;
  std::variant<std::monostate, bool, hcl::Number, std::string, std::vector<Value>,
               std::map<std::string, Value>>
      data;
};

namespace {

// cty orders set elements: numbers ascending, strings lexically, false before true; other
// element types keep their first-seen order.
bool SetLess(const Value& a, const Value& b) {
  if (!a.is_known() || a.is_null() || !b.is_known() || b.is_null()) return false;
  switch (a.type().kind()) {
    case Type::Kind::kNumber:
      return a.AsNumber().Compare(b.AsNumber()) < 0;
    case Type::Kind::kString:
      return a.AsString() < b.AsString();
    case Type::Kind::kBool:
      return !a.AsBool() && b.AsBool();
    default:
      return false;
  }
}

}  // namespace

Value::Value() = default;

std::shared_ptr<Value::Rep> Value::NewRep(Type t) {
  auto r = std::make_shared<Rep>();
  r->type = std::move(t);
  return r;
}

Value Value::Null(Type type) {
  auto r = NewRep(std::move(type));
  r->null = true;
  Value v;
  v.rep_ = std::move(r);
  return v;
}

Value Value::Unknown(Type type) {
  auto r = NewRep(std::move(type));
  r->known = false;
  Value v;
  v.rep_ = std::move(r);
  return v;
}

Value Value::Bool(bool b) {
  static const auto* t = new std::shared_ptr<const Rep>([] {
    auto r = NewRep(Type::Bool());
    r->data = true;
    return r;
  }());
  static const auto* f = new std::shared_ptr<const Rep>([] {
    auto r = NewRep(Type::Bool());
    r->data = false;
    return r;
  }());
  Value v;
  v.rep_ = b ? *t : *f;
  return v;
}

Value Value::Number(hcl::Number n) {
  auto r = NewRep(Type::Number());
  r->data = std::move(n);
  Value v;
  v.rep_ = std::move(r);
  return v;
}

Value Value::Number(int64_t n) { return Number(hcl::Number::FromInt64(n)); }

Value Value::String(std::string s) {
  auto r = NewRep(Type::String());
  r->data = std::move(s);
  Value v;
  v.rep_ = std::move(r);
  return v;
}

Value Value::Tuple(std::vector<Value> elements) {
  std::vector<Type> types;
  types.reserve(elements.size());
  for (const Value& e : elements) types.push_back(e.type());
  auto r = NewRep(Type::Tuple(std::move(types)));
  r->data = std::move(elements);
  Value v;
  v.rep_ = std::move(r);
  return v;
}

Value Value::Object(std::map<std::string, Value> attributes) {
  std::map<std::string, Type> types;
  for (const auto& [k, e] : attributes) types.emplace_hint(types.end(), k, e.type());
  auto r = NewRep(Type::Object(std::move(types)));
  r->data = std::move(attributes);
  Value v;
  v.rep_ = std::move(r);
  return v;
}

Value Value::List(Type element, std::vector<Value> elements) {
  auto r = NewRep(Type::List(std::move(element)));
  r->data = std::move(elements);
  Value v;
  v.rep_ = std::move(r);
  return v;
}

Value Value::Set(Type element, std::vector<Value> elements) {
  std::vector<Value> uniq;
  uniq.reserve(elements.size());
  for (Value& e : elements) {
    bool dup = false;
    for (const Value& u : uniq) {
      if (u.RawEquals(e)) {
        dup = true;
        break;
      }
    }
    if (!dup) uniq.push_back(std::move(e));
  }
  std::stable_sort(uniq.begin(), uniq.end(), SetLess);
  auto r = NewRep(Type::Set(std::move(element)));
  r->data = std::move(uniq);
  Value v;
  v.rep_ = std::move(r);
  return v;
}

Value Value::Map(Type element, std::map<std::string, Value> elements) {
  auto r = NewRep(Type::Map(std::move(element)));
  r->data = std::move(elements);
  Value v;
  v.rep_ = std::move(r);
  return v;
}

const Type& Value::type() const {
  static const Type* dyn = new Type();
  return rep_ ? rep_->type : *dyn;
}

bool Value::is_null() const { return !rep_ || rep_->null; }
bool Value::is_known() const { return !rep_ || rep_->known; }

bool Value::IsWhollyKnown() const {
  if (!is_known()) return false;
  if (is_null()) return true;
  if (auto* v = std::get_if<std::vector<Value>>(&rep_->data)) {
    for (const Value& e : *v) {
      if (!e.IsWhollyKnown()) return false;
    }
  } else if (auto* m = std::get_if<std::map<std::string, Value>>(&rep_->data)) {
    for (const auto& [k, e] : *m) {
      if (!e.IsWhollyKnown()) return false;
    }
  }
  return true;
}

bool Value::AsBool() const { return std::get<bool>(rep_->data); }
const hcl::Number& Value::AsNumber() const { return std::get<hcl::Number>(rep_->data); }
const std::string& Value::AsString() const { return std::get<std::string>(rep_->data); }

const std::vector<Value>& Value::Elements() const {
  static const auto* empty = new std::vector<Value>();
  if (!rep_) return *empty;
  auto* v = std::get_if<std::vector<Value>>(&rep_->data);
  return v ? *v : *empty;
}

const std::map<std::string, Value>& Value::Entries() const {
  static const auto* empty = new std::map<std::string, Value>();
  if (!rep_) return *empty;
  auto* m = std::get_if<std::map<std::string, Value>>(&rep_->data);
  return m ? *m : *empty;
}

size_t Value::Length() const {
  if (!rep_) return 0;
  if (auto* v = std::get_if<std::vector<Value>>(&rep_->data)) return v->size();
  if (auto* m = std::get_if<std::map<std::string, Value>>(&rep_->data)) return m->size();
  return 0;
}

Value Value::GetAttr(std::string_view name) const {
  const auto& m = Entries();
  auto it = m.find(std::string(name));
  return it == m.end() ? Value() : it->second;
}

bool Value::RawEquals(const Value& other) const {
  if (rep_ == other.rep_) return true;
  if (type() != other.type()) return false;
  if (is_known() != other.is_known() || is_null() != other.is_null()) return false;
  if (!is_known() || is_null()) return true;
  switch (type().kind()) {
    case Type::Kind::kBool:
      return AsBool() == other.AsBool();
    case Type::Kind::kNumber:
      return AsNumber().SameDecimal(other.AsNumber());
    case Type::Kind::kString:
      return AsString() == other.AsString();
    case Type::Kind::kList:
    case Type::Kind::kSet:
    case Type::Kind::kTuple: {
      const auto& a = Elements();
      const auto& b = other.Elements();
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!a[i].RawEquals(b[i])) return false;
      }
      return true;
    }
    case Type::Kind::kMap:
    case Type::Kind::kObject: {
      const auto& a = Entries();
      const auto& b = other.Entries();
      if (a.size() != b.size()) return false;
      for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
        if (i->first != j->first || !i->second.RawEquals(j->second)) return false;
      }
      return true;
    }
    case Type::Kind::kDynamic:
      return true;
  }
  return false;
}

namespace {

bool HasDynamicTypes(const Type& t) {
  switch (t.kind()) {
    case Type::Kind::kDynamic:
      return true;
    case Type::Kind::kList:
    case Type::Kind::kMap:
    case Type::Kind::kSet:
      return HasDynamicTypes(t.element());
    case Type::Kind::kObject:
      for (const auto& [k, a] : t.attributes()) {
        if (HasDynamicTypes(a)) return true;
      }
      return false;
    case Type::Kind::kTuple:
      for (const Type& e : t.elements()) {
        if (HasDynamicTypes(e)) return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace

std::optional<bool> Value::Equals(const Value& other) const {
  if (!is_known() && !other.is_known()) return std::nullopt;
  // One side unknown: still false when the types can never match (cty).
  if (!is_known() || !other.is_known()) {
    const Value& k = is_known() ? *this : other;
    const Value& u = is_known() ? other : *this;
    if (k.is_null() || HasDynamicTypes(u.type())) return std::nullopt;
    if (k.type() != u.type()) return false;
    return std::nullopt;
  }
  if (is_null() || other.is_null()) return is_null() && other.is_null();
  if (type() != other.type()) return false;
  switch (type().kind()) {
    case Type::Kind::kBool:
      return AsBool() == other.AsBool();
    case Type::Kind::kNumber:
      return AsNumber().SameDecimal(other.AsNumber());
    case Type::Kind::kString:
      return AsString() == other.AsString();
    case Type::Kind::kList:
    case Type::Kind::kSet:
    case Type::Kind::kTuple: {
      const auto& a = Elements();
      const auto& b = other.Elements();
      if (a.size() != b.size()) return false;
      bool unknown = false;
      for (size_t i = 0; i < a.size(); ++i) {
        std::optional<bool> eq = a[i].Equals(b[i]);
        if (!eq.has_value()) {
          unknown = true;
        } else if (!*eq) {
          return false;
        }
      }
      if (unknown) return std::nullopt;
      return true;
    }
    case Type::Kind::kMap:
    case Type::Kind::kObject: {
      const auto& a = Entries();
      const auto& b = other.Entries();
      if (a.size() != b.size()) return false;
      bool unknown = false;
      for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
        if (i->first != j->first) return false;
        std::optional<bool> eq = i->second.Equals(j->second);
        if (!eq.has_value()) {
          unknown = true;
        } else if (!*eq) {
          return false;
        }
      }
      if (unknown) return std::nullopt;
      return true;
    }
    case Type::Kind::kDynamic:
      return true;
  }
  return false;
}

std::string JsonQuote(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '<':
        case '>':
        case '&':
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
          break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Multi-byte UTF-8: copy valid sequences, replace invalid bytes by U+FFFD like Go does,
    // and escape U+2028/U+2029.
    int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    bool valid = len > 0 && c < 0xF5 && i + len <= s.size();
    uint32_t cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; valid && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) valid = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (valid) {
      if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
          cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        valid = false;
      }
    }
    if (!valid) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      out += cp == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  out.push_back('"');
  return out;
}

namespace {

absl::Status AppendJson(const Value& v, std::string* out) {
  if (!v.is_known()) return absl::InvalidArgumentError("value is not known");
  if (v.is_null()) {
    *out += "null";
    return absl::OkStatus();
  }
  switch (v.type().kind()) {
    case Type::Kind::kBool:
      *out += v.AsBool() ? "true" : "false";
      return absl::OkStatus();
    case Type::Kind::kNumber:
      if (v.AsNumber().IsInfinite() || v.AsNumber().IsNaN()) {
        return absl::InvalidArgumentError("cannot serialize infinity as JSON");
      }
      *out += v.AsNumber().ToString();
      return absl::OkStatus();
    case Type::Kind::kString:
      *out += JsonQuote(v.AsString());
      return absl::OkStatus();
    case Type::Kind::kList:
    case Type::Kind::kSet:
    case Type::Kind::kTuple: {
      out->push_back('[');
      bool first = true;
      for (const Value& e : v.Elements()) {
        if (!first) out->push_back(',');
        first = false;
        if (absl::Status s = AppendJson(e, out); !s.ok()) return s;
      }
      out->push_back(']');
      return absl::OkStatus();
    }
    case Type::Kind::kMap:
    case Type::Kind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, e] : v.Entries()) {
        if (!first) out->push_back(',');
        first = false;
        *out += JsonQuote(k);
        out->push_back(':');
        if (absl::Status s = AppendJson(e, out); !s.ok()) return s;
      }
      out->push_back('}');
      return absl::OkStatus();
    }
    case Type::Kind::kDynamic:
      return absl::InvalidArgumentError("value is not known");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> Value::ToJson() const {
  std::string out;
  if (absl::Status s = AppendJson(*this, &out); !s.ok()) return s;
  return out;
}

std::string Value::DebugString() const {
  if (!is_known()) return absl::StrCat("(unknown ", type().FriendlyName(), ")");
  if (is_null()) return "null";
  if (type().kind() == Type::Kind::kDynamic) return "null";
  std::string out;
  if (AppendJson(*this, &out).ok()) return out;
  return "(value)";
}

}  // namespace meshgw::hcl
