// The JSON documents `meshgw-hcl hcldec` prints; each expected text is byte for byte what
// HashiCorp's cmd/hcldec v2.14.1 prints.
#include <string>

#include "gtest/gtest.h"
#include "hcl/hcldec/output.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl::hcldec {
namespace {

// Strings are written with value.h's JsonQuote, which escapes as Go's json.Marshal does.
TEST(HcldecOutput, JsonQuoteEscapesLikeGo) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\t\x01<&>\xe2\x80\xa8\xc3\xa9"),
            "\"a\\\"b\\\\c\\n\\t\\u0001\\u003c\\u0026\\u003e\\u2028\xc3\xa9\"");
  EXPECT_EQ(JsonQuote("bad\xff"), "\"bad\\ufffd\"");
}

TEST(HcldecOutput, TypeJson) {
  EXPECT_EQ(TypeJson(Type::Object({{"b", Type::List(Type::Bool())}, {"a", Type::Dynamic()}})),
            R"(["object",{"a":"dynamic","b":["list","bool"]}])");
  EXPECT_EQ(TypeJson(Type::Tuple({Type::String(), Type::Map(Type::Set(Type::Number()))})),
            R"(["tuple",["string",["map",["set","number"]]]])");
}

TEST(HcldecOutput, ValueJsonNullsAndTypes) {
  Value v = Value::Object({{"a", Value::Null(Type::String())},
                           {"b", Value::Tuple({Value::Number(1), Value::Null(Type::Dynamic())})},
                           {"c", Value::Object({{"d", Value::Null(Type::Number())}})}});
  EXPECT_EQ(*ValueJson(v, {}), R"({"b":[1,null],"c":{}})");
  EXPECT_EQ(*ValueJson(v, {false, true}), R"({"a":null,"b":[1,null],"c":{"d":null}})");
  // Without --keep-nulls upstream re-encodes through a Go map, so "type" comes first.
  EXPECT_EQ(*ValueJson(Value::Number(2), {true, false}), R"({"type":"number","value":2})");
  EXPECT_EQ(*ValueJson(Value::Number(2), {true, true}), R"({"value":2,"type":"number"})");
  EXPECT_EQ(*ValueJson(Value::Null(Type::Dynamic()), {true, true}), "null");
  EXPECT_FALSE(ValueJson(Value::Unknown(Type::String()), {}).ok());
}

TEST(HcldecOutput, DiagnosticsJson) {
  Diagnostics diags;
  Range r{InternFilename("o2.hcl"), Pos{1, 5, 4}, Pos{1, 6, 5}};
  diags.AddError("Variables not allowed", "Variables may not be used here.", r);
  diags.AddError("Invalid type expression", "", Range{});
  EXPECT_EQ(DiagnosticsJson(diags), R"({
  "diagnostics": [
    {
      "severity": "error",
      "summary": "Variables not allowed",
      "detail": "Variables may not be used here.",
      "subject": {
        "filename": "o2.hcl",
        "start": {
          "line": 1,
          "column": 5,
          "byte": 4
        },
        "end": {
          "line": 1,
          "column": 6,
          "byte": 5
        }
      }
    },
    {
      "severity": "error",
      "summary": "Invalid type expression"
    }
  ]
})");
}

TEST(HcldecOutput, VarRefsJson) {
  Diagnostics diags;
  ExprPtr e = ParseExpression("x.y[0][\"k\"]", "o.hcl", Pos{1, 5, 4}, &diags);
  ASSERT_TRUE(diags.empty());
  ASSERT_EQ(e->kind, ExprKind::kScopeTraversal);
  EvalContext ctx;
  ctx.variables["x"] =
      Value::Object({{"y", Value::Tuple({Value::Object({{"k", Value::String("v")}})})}});
  std::string got = VarRefsJson({e->As<ScopeTraversalExpr>().traversal}, &ctx);
  EXPECT_EQ(got, R"([
  {
    "root_name": "x",
    "value": "v",
    "steps": [
      {
        "kind": "root",
        "name": "x",
        "range": {
          "filename": "o.hcl",
          "start": {
            "line": 1,
            "column": 5,
            "byte": 4
          },
          "end": {
            "line": 1,
            "column": 6,
            "byte": 5
          }
        }
      },
      {
        "kind": "attr",
        "name": "y",
        "range": {
          "filename": "o.hcl",
          "start": {
            "line": 1,
            "column": 6,
            "byte": 5
          },
          "end": {
            "line": 1,
            "column": 8,
            "byte": 7
          }
        }
      },
      {
        "kind": "index",
        "key": 0,
        "range": {
          "filename": "o.hcl",
          "start": {
            "line": 1,
            "column": 8,
            "byte": 7
          },
          "end": {
            "line": 1,
            "column": 11,
            "byte": 10
          }
        }
      },
      {
        "kind": "index",
        "key": "k",
        "range": {
          "filename": "o.hcl",
          "start": {
            "line": 1,
            "column": 11,
            "byte": 10
          },
          "end": {
            "line": 1,
            "column": 16,
            "byte": 15
          }
        }
      }
    ],
    "range": {
      "filename": "o.hcl",
      "start": {
        "line": 1,
        "column": 5,
        "byte": 4
      },
      "end": {
        "line": 1,
        "column": 16,
        "byte": 15
      }
    }
  }
])");
  EXPECT_EQ(VarRefsJson({}, nullptr), "[]");
}

}  // namespace
}  // namespace meshgw::hcl::hcldec
