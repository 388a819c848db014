// Type: cty's type system (primitives, collections, structural types and `dynamic`).
//
// Types are immutable and share their representation; the primitive types are process-wide
// singletons so that building and comparing them is cheap. Thread-safe.
#include <string>

#include "absl/strings/str_cat.h"
#include "hcl/value/value.h"

namespace meshgw::hcl {

struct Type::Rep {
  Kind kind = Kind::kDynamic;
  Type element;                            // list, map, set
  std::map<std::string, Type> attributes;  // object
  std::vector<Type> elements;              // tuple
};

// A null rep_ is the dynamic type, so `Type()` costs nothing.
Type::Type() = default;

Type Type::Dynamic() { return Type(); }

Type Type::Bool() {
  static const auto* r = new std::shared_ptr<const Rep>([] {
    auto p = std::make_shared<Rep>();
    p->kind = Kind::kBool;
    return p;
  }());
  Type t;
  t.rep_ = *r;
  return t;
}

Type Type::Number() {
  static const auto* r = new std::shared_ptr<const Rep>([] {
    auto p = std::make_shared<Rep>();
    p->kind = Kind::kNumber;
    return p;
  }());
  Type t;
  t.rep_ = *r;
  return t;
}

Type Type::String() {
  static const auto* r = new std::shared_ptr<const Rep>([] {
    auto p = std::make_shared<Rep>();
    p->kind = Kind::kString;
    return p;
  }());
  Type t;
  t.rep_ = *r;
  return t;
}

Type Type::List(Type element) {
  auto r = std::make_shared<Rep>();
  r->kind = Kind::kList;
  r->element = std::move(element);
  Type t;
  t.rep_ = std::move(r);
  return t;
}

Type Type::Map(Type element) {
  auto r = std::make_shared<Rep>();
  r->kind = Kind::kMap;
  r->element = std::move(element);
  Type t;
  t.rep_ = std::move(r);
  return t;
}

Type Type::Set(Type element) {
  auto r = std::make_shared<Rep>();
  r->kind = Kind::kSet;
  r->element = std::move(element);
  Type t;
  t.rep_ = std::move(r);
  return t;
}

Type Type::Object(std::map<std::string, Type> attributes) {
  auto r = std::make_shared<Rep>();
  r->kind = Kind::kObject;
  r->attributes = std::move(attributes);
  Type t;
  t.rep_ = std::move(r);
  return t;
}

Type Type::Tuple(std::vector<Type> elements) {
  auto r = std::make_shared<Rep>();
  r->kind = Kind::kTuple;
  r->elements = std::move(elements);
  Type t;
  t.rep_ = std::move(r);
  return t;
}

Type::Kind Type::kind() const { return rep_ ? rep_->kind : Kind::kDynamic; }

bool Type::IsPrimitive() const {
  Kind k = kind();
  return k == Kind::kBool || k == Kind::kNumber || k == Kind::kString;
}

bool Type::IsCollection() const {
  Kind k = kind();
  return k == Kind::kList || k == Kind::kMap || k == Kind::kSet;
}

const Type& Type::element() const {
  static const Type* dyn = new Type();
  return rep_ ? rep_->element : *dyn;
}

const std::map<std::string, Type>& Type::attributes() const {
  static const auto* empty = new std::map<std::string, Type>();
  return rep_ ? rep_->attributes : *empty;
}

const std::vector<Type>& Type::elements() const {
  static const auto* empty = new std::vector<Type>();
  return rep_ ? rep_->elements : *empty;
}

bool Type::operator==(const Type& other) const {
  if (rep_ == other.rep_) return true;
  if (kind() != other.kind()) return false;
  switch (kind()) {
    case Kind::kDynamic:
    case Kind::kBool:
    case Kind::kNumber:
    case Kind::kString:
      return true;
    case Kind::kList:
    case Kind::kMap:
    case Kind::kSet:
      return element() == other.element();
    case Kind::kObject:
      return attributes() == other.attributes();
    case Kind::kTuple:
      return elements() == other.elements();
  }
  return false;
}

namespace {

std::string Friendly(const Type& t, bool constraint) {
  switch (t.kind()) {
    case Type::Kind::kDynamic:
      return constraint ? "any type" : "dynamic";
    case Type::Kind::kBool:
      return "bool";
    case Type::Kind::kNumber:
      return "number";
    case Type::Kind::kString:
      return "string";
    case Type::Kind::kList:
    case Type::Kind::kMap:
    case Type::Kind::kSet: {
      const char* prefix = t.kind() == Type::Kind::kList  ? "list of "
                           : t.kind() == Type::Kind::kMap ? "map of "
                                                          : "set of ";
      if (constraint && t.element().kind() == Type::Kind::kDynamic) {
        return absl::StrCat(prefix, "any single type");
      }
      return absl::StrCat(prefix, Friendly(t.element(), constraint));
    }
    case Type::Kind::kObject:
      return "object";
    case Type::Kind::kTuple:
      return "tuple";
  }
  return "";
}

}  // namespace

std::string Type::FriendlyName() const { return Friendly(*this, false); }
std::string Type::FriendlyNameForConstraint() const { return Friendly(*this, true); }

std::string Type::ToJson() const {
  switch (kind()) {
    case Kind::kDynamic:
      return "\"dynamic\"";
    case Kind::kBool:
      return "\"bool\"";
    case Kind::kNumber:
      return "\"number\"";
    case Kind::kString:
      return "\"string\"";
    case Kind::kList:
      return absl::StrCat("[\"list\",", element().ToJson(), "]");
    case Kind::kMap:
      return absl::StrCat("[\"map\",", element().ToJson(), "]");
    case Kind::kSet:
      return absl::StrCat("[\"set\",", element().ToJson(), "]");
    case Kind::kObject: {
      std::string out = "[\"object\",{";
      bool first = true;
      for (const auto& [name, t] : attributes()) {
        if (!first) out += ",";
        first = false;
        absl::StrAppend(&out, JsonQuote(name), ":", t.ToJson());
      }
      return out + "}]";
    }
    case Kind::kTuple: {
      std::string out = "[\"tuple\",[";
      for (size_t i = 0; i < elements().size(); ++i) {
        if (i > 0) out += ",";
        out += elements()[i].ToJson();
      }
      return out + "]]";
    }
  }
  return "";
}

}  // namespace meshgw::hcl
