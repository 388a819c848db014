// Tests of the oracle-shaped JSON dump (hcl/json/oracle_json.h). The expected documents are what
// tests/conformance/hcl-oracle prints with HashiCorp's parser for the same input, byte for byte.
#include <string>

#include "gtest/gtest.h"
#include "hcl/json/oracle_json.h"

namespace meshgw::hcl {
namespace {

TEST(AppendJsonStringTest, EscapesQuotesBackslashesAndControls) {
  std::string out;
  AppendJsonString(&out, std::string("a\"b\\c\nd\re\tf\x01g\x1fh\xc3\xa9", 17));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001fh\xc3\xa9\"");
}

TEST(AppendJsonStringTest, EmptyAndNul) {
  std::string out;
  AppendJsonString(&out, "");
  AppendJsonString(&out, std::string("\0", 1));
  EXPECT_EQ(out, "\"\"\"\\u0000\"");
}

TEST(OracleRangeStringTest, LineColumnPairs) {
  Range r{"f.hcl", Pos{2, 3, 10}, Pos{4, 1, 20}};
  EXPECT_EQ(OracleRangeString(r), "2:3-4:1");
}

TEST(OracleJsonTest, ConfigBodyWithValuesAndBlocks) {
  std::string got = OracleJsonForSource(
      "j1.hcl", "a = 1 + 2\nb = \"x${y}\"\nblk \"l1\" x {\n  n = null\n  t = [1, \"a\", true]\n}\n",
      OracleParseMode::kConfig);
  EXPECT_EQ(
      got,
      R"({"file":"j1.hcl","body":{"attributes":{)"
      R"("a":{"range":"1:5-1:10","byte":[4,9],"src":"1 + 2","value":{"type":"number","value":3}},)"
      R"("b":{"range":"2:5-2:12","byte":[14,21],"src":"\"x${y}\""}},)"
      R"("blocks":[{"type":"blk","labels":["l1","x"],"range":"3:1-6:2","body":{"attributes":{)"
      R"("n":{"range":"4:7-4:11","byte":[41,45],"src":"null","value":{"type":"dynamic","value":null}},)"
      R"("t":{"range":"5:7-5:21","byte":[52,66],"src":"[1, \"a\", true]","value":{"type":["tuple",["number","string","bool"]],"value":[1,"a",true]}}},)"
      R"("blocks":[]}}]}})");
}

TEST(OracleJsonTest, DiagnosticsDocument) {
  bool has_errors = false;
  std::string got =
      OracleJsonForSource("j2.hcl", "a = 1\na = 2\n", OracleParseMode::kConfig, &has_errors);
  EXPECT_TRUE(has_errors);
  EXPECT_EQ(
      got,
      R"({"file":"j2.hcl","diagnostics":[{"severity":"error","summary":"Attribute redefined",)"
      R"("detail":"The argument \"a\" was already set at j2.hcl:1,1-2. Each argument may be set only once.",)"
      R"("range":"2:1-2:2","byte":[6,7]}]})");
}

TEST(OracleJsonTest, ExactNumbersStringsAndObjects) {
  bool has_errors = true;
  std::string got =
      OracleJsonForSource("j3.hcl",
                          "pi = 3.14159265358979323846264338327950288419716939937510582097494459\n"
                          "big = 12345678901234567890\n"
                          "s = \"tab\\t \\\"q\\\" \\u00e9 $${x}\"\n"
                          "o = {k = 1, \"z\" = [2]}\n",
                          OracleParseMode::kConfig, &has_errors);
  EXPECT_FALSE(has_errors);
  EXPECT_EQ(
      got,
      R"({"file":"j3.hcl","body":{"attributes":{)"
      R"("big":{"range":"2:7-2:27","byte":[76,96],"src":"12345678901234567890","value":{"type":"number","value":12345678901234567890}},)"
      R"("o":{"range":"4:5-4:23","byte":[132,150],"src":"{k = 1, \"z\" = [2]}","value":{"type":["object",{"k":"number","z":["tuple",["number"]]}],"value":{"k":1,"z":[2]}}},)"
      R"("pi":{"range":"1:6-1:70","byte":[5,69],"src":"3.14159265358979323846264338327950288419716939937510582097494459","value":{"type":"number","value":3.14159265358979323846264338327950288419716939937510582097494459}},)"
      R"("s":{"range":"3:5-3:31","byte":[101,127],"src":"\"tab\\t \\\"q\\\" \\u00e9 $${x}\"","value":{"type":"string","value":"tab\t \"q\" )"
      "\xc3\xa9"
      R"( ${x}"}}},"blocks":[]}})");
}

TEST(OracleJsonTest, ExpressionMode) {
  EXPECT_EQ(
      OracleJsonForSource("j4.hcle", "\"${1 + 1}\"", OracleParseMode::kExpression),
      R"({"file":"j4.hcle","expr":{"range":"1:1-1:11","byte":[0,10],"src":"\"${1 + 1}\"","value":{"type":"number","value":2}}})");
}

TEST(OracleJsonTest, TemplateMode) {
  EXPECT_EQ(
      OracleJsonForSource("j5.tmpl", "a ${~ \"b\" ~} c", OracleParseMode::kTemplate),
      R"({"file":"j5.tmpl","expr":{"range":"1:1-1:15","byte":[0,14],"src":"a ${~ \"b\" ~} c","value":{"type":"string","value":"abc"}}})");
}

TEST(OracleJsonTest, NoValueWhenEvaluationNeedsAContext) {
  std::string got =
      OracleJsonForSource("v.hcl", "a = var.x\nb = upper(\"x\")\n", OracleParseMode::kConfig);
  EXPECT_EQ(got,
            R"j({"file":"v.hcl","body":{"attributes":{)j"
            R"j("a":{"range":"1:5-1:10","byte":[4,9],"src":"var.x"},)j"
            R"j("b":{"range":"2:5-2:15","byte":[14,24],"src":"upper(\"x\")"}},"blocks":[]}})j");
}

TEST(OracleJsonTest, TraversalMode) {
  bool has_errors = true;
  EXPECT_EQ(OracleJsonForSource("t.hclt", "a.b[0][\"k\"].c[007]", OracleParseMode::kTraversal,
                                &has_errors),
            R"({"file":"t.hclt","traversal":[{"kind":"root","name":"a","range":"1:1-1:2"},)"
            R"({"kind":"attr","name":"b","range":"1:2-1:4"},)"
            R"({"kind":"index","key":{"type":"number","value":0},"range":"1:4-1:7"},)"
            R"({"kind":"index","key":{"type":"string","value":"k"},"range":"1:7-1:12"},)"
            R"({"kind":"attr","name":"c","range":"1:12-1:14"},)"
            R"({"kind":"index","key":{"type":"number","value":7},"range":"1:14-1:19"}]})");
  EXPECT_FALSE(has_errors);
}

TEST(OracleJsonTest, TraversalErrors) {
  bool has_errors = false;
  EXPECT_EQ(
      OracleJsonForSource("t2.hclt", "a[*].b", OracleParseMode::kTraversal, &has_errors),
      R"({"file":"t2.hclt","diagnostics":[{"severity":"error","summary":"Attribute name required",)"
      R"("detail":"Splat expressions ([*]) may not be used here.","range":"1:3-1:4","byte":[2,3]}]})");
  EXPECT_TRUE(has_errors);
}

}  // namespace
}  // namespace meshgw::hcl
