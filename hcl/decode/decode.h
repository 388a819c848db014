// Decoding HCL bodies into C++ structs, from a schema declared once next to the struct.
//
// This is what the gateway's bootstrap file, the control component's config and the Consul
// config entries are read with. A `Schema<T>` lists T's labels, attributes and nested blocks;
// `Decode` checks a body against it (unknown names are errors with a "Did you mean" suggestion,
// missing required ones too), evaluates each attribute in the caller's `EvalContext` and converts
// the value to the field's C++ type, reporting "which attribute, where, what was expected".
//
//   struct Listener {
//     std::string name;
//     std::string address;
//     int64_t port = 8443;                   // the default when `port` is absent
//     std::vector<std::string> alpn;
//   };
//   const auto kListenerSchema = decode::Schema<Listener>()
//       .Label("name", &Listener::name)
//       .Attr("address", &Listener::address, decode::kRequired)
//       .Attr("port", &Listener::port)
//       .Attr("alpn", &Listener::alpn);
//   struct Gateway { std::map<std::string, Listener> listeners; };
//   const auto kGatewaySchema = decode::Schema<Gateway>()
//       .Block("listener", &Gateway::listeners, kListenerSchema);   // listener "public" { ... }
//
//   absl::StatusOr<Gateway> gw = decode::DecodeNative(src, "gateway.hcl", kGatewaySchema);
//
// Attribute field types: std::string, bool, any integer type (range-checked), double, Number,
// absl::Duration (Go duration strings: "5s", "1m30s", "250ms"), Value (raw), std::vector<X>,
// std::map<std::string, X> and std::optional<X> of those. A null value means "not set".
//
// Nested struct fields (`Block`) choose their cardinality by type: `C` (one; `kRequired` makes
// it mandatory), `std::optional<C>` (at most one), `std::vector<C>` (any number, in source order)
// and `std::map<std::string, C>` (keyed by the first label, which must be unique). A nested
// struct may be written as a block (`Peering { ... }`, `listener "a" { ... }`) or, as Consul's
// config entries do, as an attribute value: an object (`Peering = { ... }`), a list of objects
// (`Services = [{ ... }]`) or, for a map, an object of objects (`Failover = { "*" = { ... } }`).
// In the value form a label may be given as a key named like the label.
//
// `ConsulKeys()` accepts every name both in CamelCase and in snake_case, as Consul does for its
// config entries (`PeerThroughMeshGateways` == `peer_through_mesh_gateways`, `Kind` == `kind`);
// declare Consul names in CamelCase (acronyms such as `TLS` survive only in that direction).
//
// Schemas are immutable once built and may be shared between threads; decoding is reentrant.
#ifndef MESHGW_HCL_DECODE_DECODE_H_
#define MESHGW_HCL_DECODE_DECODE_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hcl/decode/content.h"
#include "hcl/diagnostic.h"
#include "hcl/eval/eval.h"
#include "hcl/value/value.h"

namespace meshgw::hcl::decode {

enum Presence { kOptional, kRequired };

// ParseDuration("1m30s") == absl::Seconds(90): Go's time.ParseDuration syntax (a sequence of
// decimal numbers with units ns, us, µs, ms, s, m, h; an optional sign; "0" alone).
std::optional<absl::Duration> ParseDuration(std::string_view s);

// The other case style of a name: "PeerThroughMeshGateways" <-> "peer_through_mesh_gateways",
// "TLSConfig" -> "tls_config", "Kind" <-> "kind".
std::string ToSnakeCase(std::string_view camel);
std::string ToCamelCase(std::string_view snake);

namespace decode_internal {

// A value being decoded, with where it was written. `syntax` is the native expression it came
// from when there is one, so that the parts of an object or tuple can be located precisely.
struct Node {
  Value value;
  Range range;
  const Expr* syntax = nullptr;
};

struct Env {
  const EvalContext* ctx = nullptr;
  Diagnostics* diags = nullptr;
};

// Converts a node to a C++ value. Returns false (having reported why) when it cannot.
template <typename F, typename Enable = void>
struct ValueCodec;

// The helpers below report "Inappropriate value for attribute "x": <what>." at node.range.
void ReportUnsuitable(const Node& node, std::string_view attr, std::string_view what, Env& env);
bool ToStringValue(const Node& node, std::string_view attr, Env& env, std::string* out);
bool ToBoolValue(const Node& node, std::string_view attr, Env& env, bool* out);
bool ToNumberValue(const Node& node, std::string_view attr, Env& env, Number* out);
bool ToIntValue(const Node& node, std::string_view attr, Env& env, int64_t min, int64_t max,
                uint64_t umax, bool is_unsigned, int64_t* out, uint64_t* uout);
bool ToDurationValue(const Node& node, std::string_view attr, Env& env, absl::Duration* out);
// Elements of a list/tuple/set node (false and a report when it is not one).
bool ElementNodes(const Node& node, std::string_view attr, std::string_view what, Env& env,
                  std::vector<Node>* out);
// Entries of a map/object node, in source order when the syntax is known.
bool EntryNodes(const Node& node, std::string_view attr, std::string_view what, Env& env,
                std::vector<std::pair<std::string, Node>>* out,
                std::vector<Range>* key_ranges = nullptr);
template <>
struct ValueCodec<std::string> {
  static std::string Name() { return "a string"; }
  static bool Decode(const Node& n, std::string_view a, Env& e, std::string* out) {
    return ToStringValue(n, a, e, out);
  }
};
template <>
struct ValueCodec<bool> {
  static std::string Name() { return "a bool"; }
  static bool Decode(const Node& n, std::string_view a, Env& e, bool* out) {
    return ToBoolValue(n, a, e, out);
  }
};
template <>
struct ValueCodec<Number> {
  static std::string Name() { return "a number"; }
  static bool Decode(const Node& n, std::string_view a, Env& e, Number* out) {
    return ToNumberValue(n, a, e, out);
  }
};
template <>
struct ValueCodec<double> {
  static std::string Name() { return "a number"; }
  static bool Decode(const Node& n, std::string_view a, Env& e, double* out) {
    Number num;
    if (!ToNumberValue(n, a, e, &num)) return false;
    *out = num.ToDouble();
    return true;
  }
};
template <typename I>
struct ValueCodec<I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>> {
  static std::string Name() { return "a whole number"; }
  static bool Decode(const Node& n, std::string_view a, Env& e, I* out) {
    int64_t v = 0;
    uint64_t u = 0;
    if (!ToIntValue(
            n, a, e, std::is_signed_v<I> ? static_cast<int64_t>(std::numeric_limits<I>::min()) : 0,
            std::is_signed_v<I> ? static_cast<int64_t>(std::numeric_limits<I>::max()) : 0,
            static_cast<uint64_t>(std::numeric_limits<I>::max()), std::is_unsigned_v<I>, &v, &u)) {
      return false;
    }
    *out = std::is_unsigned_v<I> ? static_cast<I>(u) : static_cast<I>(v);
    return true;
  }
};
template <>
struct ValueCodec<absl::Duration> {
  static std::string Name() { return "a duration"; }
  static bool Decode(const Node& n, std::string_view a, Env& e, absl::Duration* out) {
    return ToDurationValue(n, a, e, out);
  }
};
template <>
struct ValueCodec<Value> {
  static std::string Name() { return "any value"; }
  static bool Decode(const Node& n, std::string_view, Env&, Value* out) {
    *out = n.value;
    return true;
  }
};
template <typename X>
struct ValueCodec<std::optional<X>> {
  static std::string Name() { return ValueCodec<X>::Name(); }
  static bool Decode(const Node& n, std::string_view a, Env& e, std::optional<X>* out) {
    X x{};
    if (!ValueCodec<X>::Decode(n, a, e, &x)) return false;
    *out = std::move(x);
    return true;
  }
};
template <typename X>
struct ValueCodec<std::vector<X>> {
  static std::string Name() {
    std::string inner = ValueCodec<X>::Name();
    return "a list of " + inner.substr(inner.find(' ') + 1);
  }
  static bool Decode(const Node& n, std::string_view a, Env& e, std::vector<X>* out) {
    std::vector<Node> elems;
    if (!ElementNodes(n, a, Name(), e, &elems)) return false;
    std::vector<X> result;
    bool ok = true;
    for (const Node& el : elems) {
      X x{};
      ok = ValueCodec<X>::Decode(el, a, e, &x) && ok;
      result.push_back(std::move(x));
    }
    if (ok) *out = std::move(result);
    return ok;
  }
};
template <typename X>
struct ValueCodec<std::map<std::string, X>> {
  static std::string Name() {
    std::string inner = ValueCodec<X>::Name();
    return "a map of " + inner.substr(inner.find(' ') + 1);
  }
  static bool Decode(const Node& n, std::string_view a, Env& e, std::map<std::string, X>* out) {
    std::vector<std::pair<std::string, Node>> entries;
    if (!EntryNodes(n, a, Name(), e, &entries)) return false;
    std::map<std::string, X> result;
    bool ok = true;
    for (const auto& [key, node] : entries) {
      X x{};
      ok = ValueCodec<X>::Decode(node, a, e, &x) && ok;
      result[key] = std::move(x);
    }
    if (ok) *out = std::move(result);
    return ok;
  }
};

// How many nested structs a field holds.
enum class Cardinality { kOne, kOptional, kMany, kKeyed };

struct SchemaRep;

struct FieldRep {
  enum class Kind { kLabel, kAttr, kNested };
  Kind kind = Kind::kAttr;
  std::string name;  // as declared
  bool required = false;

  // kLabel
  std::function<void(void* obj, const std::string& label)> set_label;
  // kAttr: decode `node` into the field of `obj`.
  std::function<void(void* obj, const Node& node, std::string_view written_name, Env& env)>
      set_value;
  // kNested: the element to decode into. For kKeyed `key` is the map key and `*existed` tells
  // whether it was already there; for kMany a new element is appended.
  Cardinality cardinality = Cardinality::kOne;
  std::shared_ptr<const SchemaRep> nested;
  std::function<void*(void* obj, const std::string& key, bool* existed)> slot;
};

struct SchemaRep {
  bool consul_keys = false;
  std::vector<FieldRep> fields;
  std::vector<std::string> label_names;  // of the kLabel fields, in order
};

// The walkers behind `Decode` (decode.cc).
void DecodeBody(const SchemaRep& schema, const SyntaxBody& body, void* out, Env& env);
void DecodeObject(const SchemaRep& schema, const Node& node, std::string_view attr, void* out,
                  Env& env);

template <typename F>
struct NestedTraits;
template <typename C>
struct NestedTraits {
  using Element = C;
  static constexpr Cardinality kCardinality = Cardinality::kOne;
  static void* Slot(C* f, const std::string&, bool* existed) {
    *existed = false;
    return f;
  }
};
template <typename C>
struct NestedTraits<std::optional<C>> {
  using Element = C;
  static constexpr Cardinality kCardinality = Cardinality::kOptional;
  static void* Slot(std::optional<C>* f, const std::string&, bool* existed) {
    *existed = false;
    return &f->emplace();
  }
};
template <typename C>
struct NestedTraits<std::vector<C>> {
  using Element = C;
  static constexpr Cardinality kCardinality = Cardinality::kMany;
  static void* Slot(std::vector<C>* f, const std::string&, bool* existed) {
    *existed = false;
    return &f->emplace_back();
  }
};
template <typename C>
struct NestedTraits<std::map<std::string, C>> {
  using Element = C;
  static constexpr Cardinality kCardinality = Cardinality::kKeyed;
  static void* Slot(std::map<std::string, C>* f, const std::string& key, bool* existed) {
    auto [it, inserted] = f->try_emplace(key);
    *existed = !inserted;
    return &it->second;
  }
};

}  // namespace decode_internal

template <typename T>
class Schema {
 public:
  Schema() : rep_(std::make_shared<decode_internal::SchemaRep>()) {}

  // ConsulKeys makes every name of this schema match in CamelCase and in snake_case.
  Schema& ConsulKeys() {
    Mutable().consul_keys = true;
    return *this;
  }

  // Label declares the next block label (`listener "public" {}` with Label("name", ...) stores
  // "public"). A block decoded with this schema must have exactly as many labels as declared.
  Schema& Label(std::string_view name, std::string T::*field) {
    decode_internal::FieldRep f;
    f.kind = decode_internal::FieldRep::Kind::kLabel;
    f.name = std::string(name);
    f.set_label = [field](void* obj, const std::string& label) {
      static_cast<T*>(obj)->*field = label;
    };
    Mutable().label_names.push_back(f.name);
    Mutable().fields.push_back(std::move(f));
    return *this;
  }

  // Attr declares an attribute; an absent optional attribute leaves the field as initialized.
  template <typename F>
  Schema& Attr(std::string_view name, F T::*field, Presence presence = kOptional) {
    decode_internal::FieldRep f;
    f.kind = decode_internal::FieldRep::Kind::kAttr;
    f.name = std::string(name);
    f.required = presence == kRequired;
    f.set_value = [field](void* obj, const decode_internal::Node& node, std::string_view written,
                          decode_internal::Env& env) {
      F value{};
      if (decode_internal::ValueCodec<F>::Decode(node, written, env, &value)) {
        static_cast<T*>(obj)->*field = std::move(value);
      }
    };
    Mutable().fields.push_back(std::move(f));
    return *this;
  }

  // Block declares nested struct(s) decoded with `nested` (see the header comment for the
  // cardinality of C, std::optional<C>, std::vector<C>, std::map<std::string, C>).
  template <typename F, typename C>
  Schema& Block(std::string_view name, F T::*field, const Schema<C>& nested,
                Presence presence = kOptional) {
    using Traits = decode_internal::NestedTraits<F>;
    static_assert(std::is_same_v<typename Traits::Element, C>,
                  "the field must be C, std::optional<C>, std::vector<C> or "
                  "std::map<std::string, C> for a Schema<C>");
    decode_internal::FieldRep f;
    f.kind = decode_internal::FieldRep::Kind::kNested;
    f.name = std::string(name);
    f.required = presence == kRequired;
    f.cardinality = Traits::kCardinality;
    f.nested = nested.rep();
    f.slot = [field](void* obj, const std::string& key, bool* existed) -> void* {
      return Traits::Slot(&(static_cast<T*>(obj)->*field), key, existed);
    };
    Mutable().fields.push_back(std::move(f));
    return *this;
  }

  std::shared_ptr<const decode_internal::SchemaRep> rep() const { return rep_; }

 private:
  // Copy on write: a schema copied into another one never changes under it.
  decode_internal::SchemaRep& Mutable() {
    if (rep_.use_count() > 1) rep_ = std::make_shared<decode_internal::SchemaRep>(*rep_);
    return *rep_;
  }

  std::shared_ptr<decode_internal::SchemaRep> rep_;
};

// Decode reads `body` into `*out` (labels are the caller's business at the top level). `ctx` may
// be null: constants only. Errors are added to `*diags`; fields whose value had an error keep
// their initial value.
template <typename T>
void Decode(const SyntaxBody& body, const Schema<T>& schema, const EvalContext* ctx, T* out,
            Diagnostics* diags) {
  decode_internal::Env env{ctx, diags};
  decode_internal::DecodeBody(*schema.rep(), body, out, env);
}

// DecodeValue reads an object value (e.g. one already evaluated, or from Consul's JSON API) into
// `*out`; `what` names it in messages.
template <typename T>
void DecodeValue(const Value& value, std::string_view what, const Schema<T>& schema, T* out,
                 Diagnostics* diags) {
  decode_internal::Env env{nullptr, diags};
  decode_internal::DecodeObject(*schema.rep(), decode_internal::Node{value, value.range(), nullptr},
                                what, out, env);
}

// ParseNativeBody parses native-syntax source; `*file` keeps the tree alive for the body.
absl::StatusOr<std::shared_ptr<const SyntaxBody>> ParseNativeBody(std::string src,
                                                                  std::string_view filename,
                                                                  std::shared_ptr<File>* file);

// DecodeNative parses `src` (native syntax) and decodes it: the one-call form for config files.
// The status message lists every error as "file:line:col: summary; detail".
template <typename T>
absl::StatusOr<T> DecodeNative(std::string src, std::string_view filename, const Schema<T>& schema,
                               const EvalContext* ctx = nullptr) {
  std::shared_ptr<File> file;
  absl::StatusOr<std::shared_ptr<const SyntaxBody>> body =
      ParseNativeBody(std::move(src), filename, &file);
  if (!body.ok()) return body.status();
  T out{};
  Diagnostics diags;
  Decode(**body, schema, ctx, &out, &diags);
  if (diags.HasErrors()) return diags.ToStatus();
  return out;
}

}  // namespace meshgw::hcl::decode

#endif  // MESHGW_HCL_DECODE_DECODE_H_
