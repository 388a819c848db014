// Typed values of evaluated HCL, modelled on the cty type system the official implementation uses.
//
// Types: bool, number, string, list(T), map(T), set(T), object({name: T}), tuple([T...]) and
// `dynamic` (any). A value has a type and is known or unknown, null or not. Objects and maps keep
// their keys sorted (as cty does), which is also the order JSON output uses.
//
// Numbers are `Number`: binary floating point with a 512-bit mantissa, rounding to nearest even,
// exactly like Go's big.Float at the precision cty uses, so that arithmetic such as `0.3 % 0.5`
// gives the official implementation's digits. `Number::ToString` prints the shortest decimal that
// reads back to the same value, with no exponent (Go's `Text('f', -1)`).
//
// Values are immutable and cheap to copy (collections share their elements). Thread-compatible.
//
//   Value v = Value::Object({{"port", Value::Number(8443)}, {"name", Value::String("gw")}});
//   v.GetAttr("port").AsNumber().ToString() == "8443"
#ifndef MESHGW_HCL_VALUE_VALUE_H_
#define MESHGW_HCL_VALUE_VALUE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "hcl/source.h"

namespace meshgw::hcl {

// Each Number has a precision, as a big.Float has: 512 bits when parsed from text, 64 from an
// integer, 53 from a double; an operation's result takes the larger of its operands' (cty's
// Multiply and Modulo rules included). The printed digits depend on it: 1/3 from two parsed
// literals has 155 digits, from two FromInt64 values 20.
class Number {
 public:
  Number();  // zero
  Number(const Number& other);
  Number& operator=(const Number& other);
  // A moved-from Number may only be destroyed or assigned to.
  Number(Number&& other) noexcept;
  Number& operator=(Number&& other) noexcept;
  ~Number();

  // Number::Parse("1.5e3") is 1500. Accepts HCL's and JSON's number syntax with an optional sign,
  // like Go's big.ParseFloat in base 10; anything else fails with "a number is required".
  static absl::StatusOr<Number> Parse(std::string_view text);
  static Number FromInt64(int64_t v);
  static Number FromDouble(double v);

  // Shortest decimal that reads back to this value, no exponent: "1500", "0.1", "-2.5".
  std::string ToString() const;
  bool IsInteger() const;
  bool IsInfinite() const;
  // The value as int64 when it is an integer in range.
  std::optional<int64_t> ToInt64() const;
  double ToDouble() const;

  // -1, 0 or 1.
  int Compare(const Number& other) const;
  bool operator==(const Number& other) const { return Compare(other) == 0; }

  Number Add(const Number& other) const;
  Number Subtract(const Number& other) const;
  Number Multiply(const Number& other) const;
  // Division by zero gives an infinity, as cty does; callers report it.
  Number Divide(const Number& other) const;
  // cty's Modulo (sign follows the dividend; fractional operands allowed).
  Number Modulo(const Number& other) const;
  Number Negate() const;

  // Additions beyond the shared contract (used by the evaluator's functions).
  Number Abs() const;
  Number Floor() const;
  Number Ceil() const;
  int Sign() const;  // -1, 0 or 1 (0 for both zeros)
  bool IsNaN() const;
  // cty's number equality: equal when their shortest decimals are equal (-0 equals 0).
  bool SameDecimal(const Number& other) const;
  // Go's big.Float.Text(format, prec) for format 'e', 'E', 'f', 'g', 'G' (prec -1: shortest).
  // Text('f', -1) == ToString().
  std::string Text(char format, int prec) const;

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

class Type {
 public:
  enum class Kind { kDynamic, kBool, kNumber, kString, kList, kMap, kSet, kObject, kTuple };

  Type();  // dynamic
  static Type Dynamic();
  static Type Bool();
  static Type Number();
  static Type String();
  static Type List(Type element);
  static Type Map(Type element);
  static Type Set(Type element);
  static Type Object(std::map<std::string, Type> attributes);
  static Type Tuple(std::vector<Type> elements);

  Kind kind() const;
  bool IsPrimitive() const;                               // bool, number, string
  bool IsCollection() const;                              // list, map, set
  const Type& element() const;                            // list, map, set
  const std::map<std::string, Type>& attributes() const;  // object
  const std::vector<Type>& elements() const;              // tuple

  bool operator==(const Type& other) const;
  bool operator!=(const Type& other) const { return !(*this == other); }

  // As cty's FriendlyName: "string", "list of string", "object", "tuple", "dynamic".
  std::string FriendlyName() const;
  // As cty's FriendlyNameForConstraint: "any type" for dynamic, "list of any single type".
  std::string FriendlyNameForConstraint() const;
  // cty's JSON form of a type: "string", ["list","string"], ["object",{"a":"number"}],
  // ["tuple",["string"]], "dynamic".
  std::string ToJson() const;

 private:
  struct Rep;
  std::shared_ptr<const Rep> rep_;
};

class Value {
 public:
  Value();  // null of dynamic type
  static Value Null(Type type);
  static Value Unknown(Type type);
  static Value Bool(bool b);
  static Value Number(hcl::Number n);
  static Value Number(int64_t n);
  static Value String(std::string s);  // callers pass NFC-normalized UTF-8
  static Value Tuple(std::vector<Value> elements);
  static Value Object(std::map<std::string, Value> attributes);
  // Collections: every element must already have type `element` (use Convert first).
  static Value List(Type element, std::vector<Value> elements);
  static Value Set(Type element, std::vector<Value> elements);
  static Value Map(Type element, std::map<std::string, Value> elements);

  const Type& type() const;
  bool is_null() const;
  bool is_known() const;
  // Known, and (for collections) every element wholly known too.
  bool IsWhollyKnown() const;

  // Accessors; the value must be known, not null, and of the right type.
  bool AsBool() const;
  const hcl::Number& AsNumber() const;
  const std::string& AsString() const;
  const std::vector<Value>& Elements() const;           // tuple, list, set
  const std::map<std::string, Value>& Entries() const;  // object, map
  size_t Length() const;                                // elements or entries
  // Object attribute or map element; null of dynamic type when absent.
  Value GetAttr(std::string_view name) const;

  // Same type, same knownness, same nullness, same contents (cty's RawEquals).
  bool RawEquals(const Value& other) const;

  // cty's JSON form of the value alone (numbers exact via Number::ToString); unknown values are
  // an error.
  absl::StatusOr<std::string> ToJson() const;

  // Additions beyond the shared contract.
  // cty's Equals for known, non-null values of any type: true when the types are equal and the
  // contents are (numbers by SameDecimal). Unknown anywhere gives nullopt (an unknown bool).
  std::optional<bool> Equals(const Value& other) const;
  // A string for diagnostics, like "true", "5", "\"x\"", "null".
  std::string DebugString() const;

  // Where the value came from in the source, when it came from a source.
  const Range& range() const { return range_; }
  Value WithRange(const Range& r) const {
    Value v = *this;
    v.range_ = r;
    return v;
  }

 private:
  struct Rep;
  static std::shared_ptr<Rep> NewRep(Type t);
  std::shared_ptr<const Rep> rep_;
  Range range_;
};

// Convert `v` to `want` following cty's conversion rules (string <-> number/bool, tuple -> list,
// object -> map, ... and `dynamic` accepts anything). The error message reads like cty's
// ("a number is required", "string required").
absl::StatusOr<Value> Convert(const Value& v, const Type& want);

// Additions beyond the shared contract.
// cty's convert.UnifyUnsafe: the type every one of `types` converts to, or nullopt.
std::optional<Type> UnifyTypes(const std::vector<Type>& types);
// Like Convert, but only cty's "safe" conversions (never string -> number/bool).
absl::StatusOr<Value> ConvertSafe(const Value& v, const Type& want);
// Go's encoding/json string quoting as cty uses it (<, >, & escaped as \u003c ...).
std::string JsonQuote(std::string_view s);

}  // namespace meshgw::hcl

#endif  // MESHGW_HCL_VALUE_VALUE_H_
