// Parsing HCL's JSON syntax: values, positions and the official parser's diagnostics (each
// expectation was checked against github.com/hashicorp/hcl/v2/json v2.14.1).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "hcl/jsonsyntax/jsonsyntax.h"

namespace meshgw::hcl {
namespace {

std::string Pos3(const Pos& p) { return absl::StrCat(p.line, ":", p.column, "(", p.byte, ")"); }
std::string R(const Range& r) { return absl::StrCat(Pos3(r.start), "-", Pos3(r.end)); }

// "summary | detail | range" for each diagnostic.
std::vector<std::string> Diags(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags) {
    out.push_back(absl::StrCat(d.summary, " | ", d.detail, " | ", R(d.subject)));
  }
  return out;
}

std::vector<std::string> ParseDiags(const std::string& src) {
  return Diags(ParseJson(src, "t.json").diags);
}

constexpr char kRootNotObject[] =
    "Root value must be object | The root value in a JSON-based configuration must be either a "
    "JSON object or a JSON array of objects. | 1:1(0)-1:2(1)";

TEST(JsonSyntaxParse, ObjectWithPositions) {
  JsonParseResult r =
      ParseJson("{\n\t\"a\": 1.50,\n  \"b\": [true, null, \"x\\u00e9\"]}", "t.json");
  ASSERT_TRUE(r.diags.empty()) << r.diags.ToString();
  const JsonNode& root = *r.file->root;
  ASSERT_EQ(root.kind, JsonNode::Kind::kObject);
  ASSERT_EQ(root.properties.size(), 2u);
  EXPECT_EQ(root.properties[0].name, "a");
  // A tab counts two columns, as upstream's scanner counts it.
  EXPECT_EQ(R(root.properties[0].name_range), "2:3(3)-2:6(6)");
  EXPECT_EQ(root.properties[0].value->kind, JsonNode::Kind::kNumber);
  EXPECT_EQ(root.properties[0].value->text, "1.50");
  const JsonNode& b = *root.properties[1].value;
  ASSERT_EQ(b.kind, JsonNode::Kind::kArray);
  ASSERT_EQ(b.elements.size(), 3u);
  EXPECT_EQ(b.elements[0]->kind, JsonNode::Kind::kBool);
  EXPECT_TRUE(b.elements[0]->boolean);
  EXPECT_EQ(b.elements[1]->kind, JsonNode::Kind::kNull);
  EXPECT_EQ(b.elements[2]->text, "x\xc3\xa9");
  EXPECT_EQ(R(b.elements[2]->range), "3:21(34)-3:30(43)");
  EXPECT_EQ(R(b.range), "3:8(21)-3:31(44)");
  EXPECT_EQ(R(root.close_range), "3:31(44)-3:32(45)");
}

TEST(JsonSyntaxParse, StringColumnsCountGraphemes) {
  JsonParseResult r = ParseJson("{\"\xc3\xa9\": \"\xc3\xbc\", \"b\": 1 }", "t.json");
  ASSERT_TRUE(r.diags.empty());
  const JsonNode& root = *r.file->root;
  EXPECT_EQ(R(root.properties[0].name_range), "1:2(1)-1:5(5)");
  EXPECT_EQ(R(root.properties[1].name_range), "1:12(13)-1:15(16)");
}

TEST(JsonSyntaxParse, SurrogatePairs) {
  JsonParseResult r = ParseJson(R"({"a": "\ud83d\ude00 \ud800x"})", "t.json");
  ASSERT_TRUE(r.diags.empty());
  EXPECT_EQ(r.file->root->properties[0].value->text, "\xf0\x9f\x98\x80 \xef\xbf\xbdx");
}

TEST(JsonSyntaxParse, TrailingCommaInObject) {
  EXPECT_EQ(ParseDiags(R"({"a": 1,})"),
            (std::vector<std::string>{
                "Trailing comma in object | JSON does not permit a trailing comma after the final "
                "property in an object. | 1:8(7)-1:9(8)",
                kRootNotObject}));
}

TEST(JsonSyntaxParse, KeywordSuggestion) {
  EXPECT_EQ(ParseDiags(R"({"a": tru})"),
            (std::vector<std::string>{"Invalid JSON keyword | \"tru\" is not a valid JSON keyword. "
                                      "Did you mean \"true\"? | 1:7(6)-1:10(9)"}));
}

TEST(JsonSyntaxParse, RootMustBeObject) {
  JsonParseResult r = ParseJson(R"("x")", "t.json");
  EXPECT_EQ(Diags(r.diags),
            (std::vector<std::string>{
                "Root value must be object | The root value in a JSON-based configuration must be "
                "either a JSON object or a JSON array of objects. | 1:1(0)-1:4(3)"}));
  ASSERT_NE(r.file->root, nullptr);
  EXPECT_EQ(r.file->root->kind, JsonNode::Kind::kObject);
  EXPECT_TRUE(r.file->root->properties.empty());
}

TEST(JsonSyntaxParse, InvalidStringPointsPastTheBadByte) {
  EXPECT_EQ(ParseDiags(R"({"a": "\q"})"),
            (std::vector<std::string>{"Invalid JSON string | There is a syntax error in the "
                                      "given JSON string. | 1:10(9)-1:11(10)"}));
  EXPECT_EQ(ParseDiags(R"({"a": "abc)"),
            (std::vector<std::string>{
                "Invalid JSON string | There is a syntax error in the given JSON string. | "
                "1:11(10)-1:12(11)",
                "Unclosed object | No closing brace was found for this JSON object. | "
                "1:1(0)-1:2(1)",
                kRootNotObject}));
}

TEST(JsonSyntaxParse, MissingColon) {
  EXPECT_EQ(ParseDiags(R"({"a" 1})"),
            (std::vector<std::string>{"Missing property value colon | A colon must appear between "
                                      "an object property's name and its value. | 1:6(5)-1:7(6)",
                                      kRootNotObject}));
  EXPECT_EQ(ParseDiags(R"({"a" = 1})"),
            (std::vector<std::string>{"Missing property value colon | JSON uses a colon as its "
                                      "name/value delimiter, not an equals sign. | 1:6(5)-1:7(6)",
                                      kRootNotObject}));
}

TEST(JsonSyntaxParse, ErrorsInsideArrayGoOn) {
  EXPECT_EQ(ParseDiags("{\n\t\"a\": [1, 2,]}"),
            (std::vector<std::string>{
                "Trailing comma in array | JSON does not permit a trailing comma after the final "
                "value in an array. | 2:13(13)-2:14(14)",
                "Mismatched braces | A JSON object must be closed with a brace, not a bracket. | "
                "2:15(15)-2:16(16)",
                kRootNotObject}));
}

TEST(JsonSyntaxParse, NumbersFollowJsonGrammar) {
  EXPECT_EQ(ParseDiags(R"({"a": 01})"),
            (std::vector<std::string>{"Invalid JSON number | There is a syntax error in the given "
                                      "JSON number. | 1:7(6)-1:9(8)"}));
  EXPECT_TRUE(ParseDiags(R"({"a": -0.5e+10})").empty());
}

TEST(JsonSyntaxParse, ExtraneousData) {
  EXPECT_EQ(ParseDiags(R"({"a": 1} x)"),
            (std::vector<std::string>{"Extraneous data after value | Extra characters appear "
                                      "after the JSON value. | 1:10(9)-1:11(10)"}));
}

}  // namespace
}  // namespace meshgw::hcl
