// Number: parsing, printing (Go's Text('f', -1)) and cty's arithmetic, digit for digit.
#include <gtest/gtest.h>

#include "hcl/value/value.h"

namespace meshgw::hcl {
namespace {

Number N(std::string_view s) {
  absl::StatusOr<Number> n = Number::Parse(s);
  EXPECT_TRUE(n.ok()) << s;
  return n.ok() ? *n : Number();
}

TEST(NumberTest, ParseAndPrint) {
  EXPECT_EQ(N("1.5e3").ToString(), "1500");
  EXPECT_EQ(N("007").ToString(), "7");
  EXPECT_EQ(N("0.1").ToString(), "0.1");
  EXPECT_EQ(N("-2.5").ToString(), "-2.5");
  EXPECT_EQ(N("12345678901234567890").ToString(), "12345678901234567890");
  EXPECT_EQ(N("3.14159265358979323846264338327950288419716939937510582097494459").ToString(),
            "3.14159265358979323846264338327950288419716939937510582097494459");
  EXPECT_EQ(N("1e-7").ToString(), "0.0000001");
  EXPECT_EQ(N("0").ToString(), "0");
  EXPECT_FALSE(Number::Parse("1e").ok());
  EXPECT_FALSE(Number::Parse("abc").ok());
  EXPECT_EQ(Number::Parse("x").status().message(), "a number is required");
  EXPECT_EQ(Number::FromInt64(-42).ToString(), "-42");
  EXPECT_EQ(Number::FromDouble(0.1).ToString(), "0.1");
}

// Expected digits from specsuite expressions/operators.t and the official implementation.
TEST(NumberTest, ArithmeticMatchesCty) {
  EXPECT_EQ(N("0.1").Add(N("0.2")).ToString(), "0.3");
  EXPECT_EQ(N("7").Divide(N("2")).ToString(), "3.5");
  EXPECT_EQ(N("-7").Modulo(N("3")).ToString(), "-1");
  EXPECT_EQ(N("0.3").Modulo(N("0.5")).ToString(), "0.3");
  EXPECT_EQ(N("11").Modulo(N("5.1")).ToString(),
            "0.800000000000000000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000024");
  EXPECT_EQ(N("3.3").Modulo(N("2.5")).ToString(),
            "0.799999999999999999999999999999999999999999999999999999999999999999999999999999"
            "99999999999999999999999999999999999999999999999999999999999999999999999999994");
  EXPECT_EQ(
      N("3.14159265358979323846264338327950288419716939937510582097494459").Add(N("1")).ToString(),
      "4.14159265358979323846264338327950288419716939937510582097494459");
  EXPECT_EQ(N("3").Multiply(N("2")).ToString(), "6");
  EXPECT_EQ(N("1").Divide(N("3")).ToString(),
            "0.333333333333333333333333333333333333333333333333333333333333333333333333333333"
            "33333333333333333333333333333333333333333333333333333333333333333333333333335");
  EXPECT_EQ(Number::FromInt64(1).Divide(Number::FromInt64(3)).ToString(), "0.33333333333333333334");
  EXPECT_EQ(N("0").Negate().ToString(), "-0");
  EXPECT_EQ(N("5").Subtract(N("7")).ToString(), "-2");
  EXPECT_EQ(N("5").Negate().ToString(), "-5");
  EXPECT_TRUE(N("1").Divide(N("0")).IsInfinite());
  EXPECT_EQ(N("1").Divide(N("0")).ToString(), "+Inf");
}

TEST(NumberTest, CompareAndConvert) {
  EXPECT_EQ(N("1").Compare(N("2")), -1);
  EXPECT_EQ(N("2").Compare(N("2.0")), 0);
  EXPECT_TRUE(N("0").SameDecimal(N("0").Negate()));
  EXPECT_EQ(N("42").ToInt64(), 42);
  EXPECT_EQ(N("4.5").ToInt64(), std::nullopt);
  EXPECT_TRUE(N("4").IsInteger());
  EXPECT_DOUBLE_EQ(N("4.5").ToDouble(), 4.5);
  EXPECT_EQ(N("4.5").Floor().ToString(), "4");
  EXPECT_EQ(N("-4.5").Ceil().ToString(), "-4");
  EXPECT_EQ(N("-4.5").Abs().ToString(), "4.5");
}

}  // namespace
}  // namespace meshgw::hcl
