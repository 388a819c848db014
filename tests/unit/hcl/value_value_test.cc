// Type, Value, JSON and conversion: cty's names, JSON forms and conversion messages.
#include "hcl/value/value.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace meshgw::hcl {
namespace {

std::string Json(const Value& v) {
  absl::StatusOr<std::string> j = v.ToJson();
  return j.ok() ? *j : absl::StrCat("ERROR: ", j.status().message());
}

std::string ConvErr(const Value& v, const Type& t) {
  absl::StatusOr<Value> r = Convert(v, t);
  return r.ok() ? "OK" : std::string(r.status().message());
}

TEST(TypeTest, NamesAndJson) {
  EXPECT_EQ(Type::String().FriendlyName(), "string");
  EXPECT_EQ(Type::List(Type::String()).FriendlyName(), "list of string");
  EXPECT_EQ(Type::Map(Type::Number()).FriendlyName(), "map of number");
  EXPECT_EQ(Type::Dynamic().FriendlyName(), "dynamic");
  EXPECT_EQ(Type::Dynamic().FriendlyNameForConstraint(), "any type");
  EXPECT_EQ(Type::List(Type::Dynamic()).FriendlyNameForConstraint(), "list of any single type");
  EXPECT_EQ(Type::Object({{"a", Type::Number()}}).FriendlyName(), "object");
  EXPECT_EQ(Type::List(Type::String()).ToJson(), R"(["list","string"])");
  EXPECT_EQ(Type::Object({{"a", Type::Number()}, {"b", Type::Bool()}}).ToJson(),
            R"(["object",{"a":"number","b":"bool"}])");
  EXPECT_EQ(Type::Tuple({Type::String(), Type::Dynamic()}).ToJson(),
            R"(["tuple",["string","dynamic"]])");
  EXPECT_EQ(Type::List(Type::String()), Type::List(Type::String()));
  EXPECT_NE(Type::List(Type::String()), Type::Set(Type::String()));
}

TEST(ValueTest, BuildAndJson) {
  Value v = Value::Object({{"port", Value::Number(8443)}, {"name", Value::String("gw")}});
  EXPECT_EQ(v.GetAttr("port").AsNumber().ToString(), "8443");
  EXPECT_TRUE(v.GetAttr("nope").is_null());
  EXPECT_EQ(Json(v), R"({"name":"gw","port":8443})");
  EXPECT_EQ(v.type().ToJson(), R"(["object",{"name":"string","port":"number"}])");
  EXPECT_EQ(Json(Value::Tuple({Value::Bool(true), Value::Null(Type::String())})), "[true,null]");
  EXPECT_EQ(Json(Value::String("<a&b>\n\"\x01")), R"("\u003ca\u0026b\u003e\n\"\u0001")");
  EXPECT_EQ(Json(Value::Unknown(Type::String())), "ERROR: value is not known");
  EXPECT_EQ(
      Json(Value::Set(Type::Number(), {Value::Number(3), Value::Number(1), Value::Number(3)})),
      "[1,3]");
  EXPECT_FALSE(Value::Tuple({Value::Unknown(Type::String())}).IsWhollyKnown());
}

TEST(ValueTest, Equality) {
  EXPECT_TRUE(Value::String("a").RawEquals(Value::String("a")));
  EXPECT_FALSE(Value::String("1").RawEquals(Value::Number(1)));
  EXPECT_EQ(Value::String("1").Equals(Value::Number(1)), false);
  EXPECT_EQ(Value::Null(Type::String()).Equals(Value::Null(Type::Number())), true);
  EXPECT_EQ(Value::Unknown(Type::String()).Equals(Value::String("a")), std::nullopt);
  Value t1 = Value::Tuple({Value::Number(1), Value::String("x")});
  Value t2 = Value::Tuple({Value::Number(1), Value::String("x")});
  EXPECT_EQ(t1.Equals(t2), true);
}

TEST(ConvertTest, Primitives) {
  EXPECT_EQ(Convert(Value::Number(5), Type::String())->AsString(), "5");
  EXPECT_EQ(Convert(Value::Bool(true), Type::String())->AsString(), "true");
  EXPECT_EQ(Convert(Value::String("12.5"), Type::Number())->AsNumber().ToString(), "12.5");
  EXPECT_EQ(Convert(Value::String("1"), Type::Bool())->AsBool(), true);
  EXPECT_EQ(ConvErr(Value::String("x"), Type::Number()), "a number is required");
  EXPECT_EQ(ConvErr(Value::String("True"), Type::Bool()),
            "a bool is required; to convert from string, use lowercase \"true\"");
  EXPECT_EQ(ConvErr(Value::String("yes"), Type::Bool()), "a bool is required");
  EXPECT_EQ(ConvErr(Value::Number(1), Type::Bool()), "bool required");
  EXPECT_EQ(ConvErr(Value::Tuple({}), Type::String()), "string required");
  EXPECT_TRUE(Convert(Value::Null(Type::String()), Type::Number())->is_null());
  EXPECT_EQ(Convert(Value::Null(Type::String()), Type::Number())->type(), Type::Number());
  EXPECT_FALSE(ConvertSafe(Value::String("1"), Type::Number()).ok());
}

TEST(ConvertTest, Structural) {
  Value tup = Value::Tuple({Value::String("a"), Value::Number(1)});
  absl::StatusOr<Value> l = Convert(tup, Type::List(Type::Dynamic()));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->type(), Type::List(Type::String()));
  EXPECT_EQ(Json(*l), R"(["a","1"])");
  EXPECT_EQ(
      ConvErr(Value::Tuple({Value::String("a"), Value::Tuple({})}), Type::List(Type::Dynamic())),
      "all list elements must have the same type");
  EXPECT_EQ(
      ConvErr(Value::Tuple({Value::String("a"), Value::Tuple({})}), Type::List(Type::String())),
      "element 1: string required");
  Value obj = Value::Object({{"a", Value::Number(1)}, {"b", Value::Number(2)}});
  absl::StatusOr<Value> m = Convert(obj, Type::Map(Type::String()));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type(), Type::Map(Type::String()));
  EXPECT_EQ(Json(*m), R"({"a":"1","b":"2"})");
  EXPECT_EQ(ConvErr(obj, Type::Object({{"c", Type::Number()}})), "attribute \"c\" is required");
  EXPECT_EQ(ConvErr(obj, Type::Object({{"c", Type::Number()}, {"d", Type::Number()}})),
            "attributes \"c\" and \"d\" are required");
  absl::StatusOr<Value> o = Convert(obj, Type::Object({{"a", Type::String()}}));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(Json(*o), R"({"a":"1"})");
  EXPECT_EQ(ConvErr(Value::List(Type::Number(), {}), Type::Map(Type::Number())),
            "map of number required");
  EXPECT_EQ(ConvErr(Value::List(Type::Bool(), {}), Type::List(Type::Number())),
            "incorrect list element type: number required");
}

TEST(ConvertTest, Unify) {
  EXPECT_EQ(UnifyTypes({Type::Number(), Type::String()}), Type::String());
  EXPECT_EQ(UnifyTypes({Type::Number(), Type::Bool()}), std::nullopt);
  // Dynamic comes last in cty's preference order; it converts to anything (unsafely).
  EXPECT_EQ(UnifyTypes({Type::Number(), Type::Dynamic()}), Type::Number());
  EXPECT_EQ(
      UnifyTypes({Type::Object({{"a", Type::Number()}}), Type::Object({{"b", Type::Number()}})}),
      Type::Map(Type::Number()));
  EXPECT_EQ(UnifyTypes({Type::Tuple({Type::Number()}), Type::Tuple({})}),
            Type::List(Type::Number()));
  EXPECT_EQ(
      UnifyTypes({Type::Object({{"a", Type::Number()}}), Type::Object({{"a", Type::String()}})}),
      Type::Object({{"a", Type::String()}}));
}

}  // namespace
}  // namespace meshgw::hcl
