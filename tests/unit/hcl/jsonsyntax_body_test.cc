// Body content of HCL's JSON syntax by schema, and its expressions (expectations checked against
// github.com/hashicorp/hcl/v2/json v2.14.1).
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

std::vector<std::string> Diags(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags) {
    out.push_back(absl::StrCat(d.summary, " | ", d.detail, " | ", R(d.subject)));
  }
  return out;
}

BodySchema TestSchema() {
  return BodySchema{{{"name", true}, {"port", false}}, {{"service", {"id"}}, {"meta", {}}}};
}

TEST(JsonSyntaxBody, AttributesBlocksLabelsAndComments) {
  JsonParseResult r = ParseJson(
      R"({"name": "gw", "//": "comment", "service": {"web": {"port": 80}, "db": [{"port": 1}, {"port": 2}]}, "meta": [{}, {}]})",
      "b.json");
  ASSERT_TRUE(r.diags.empty());
  Diagnostics diags;
  BodyContent c = r.file->body->Content(TestSchema(), &diags);
  EXPECT_TRUE(diags.empty()) << diags.ToString();
  ASSERT_EQ(c.attributes.size(), 1u);
  EXPECT_EQ(c.attributes[0].name, "name");
  EXPECT_EQ(R(c.attributes[0].range), "1:2(1)-1:14(13)");
  EXPECT_EQ(R(c.attributes[0].name_range), "1:2(1)-1:8(7)");
  ASSERT_EQ(c.blocks.size(), 5u);
  EXPECT_EQ(c.blocks[0].type, "service");
  EXPECT_EQ(c.blocks[0].labels, std::vector<std::string>{"web"});
  EXPECT_EQ(R(c.blocks[0].def_range), "1:52(51)-1:53(52)");
  EXPECT_EQ(R(c.blocks[0].type_range), "1:33(32)-1:42(41)");
  ASSERT_EQ(c.blocks[0].label_ranges.size(), 1u);
  EXPECT_EQ(R(c.blocks[0].label_ranges[0]), "1:45(44)-1:50(49)");
  EXPECT_EQ(c.blocks[1].labels, std::vector<std::string>{"db"});
  EXPECT_EQ(R(c.blocks[1].def_range), "1:72(71)-1:73(72)");  // the array's bracket
  EXPECT_EQ(c.blocks[2].labels, std::vector<std::string>{"db"});
  EXPECT_EQ(c.blocks[3].type, "meta");
  EXPECT_TRUE(c.blocks[3].labels.empty());
  EXPECT_EQ(R(c.blocks[3].def_range), "1:109(108)-1:110(109)");
  EXPECT_EQ(R(c.missing_item_range), "1:117(116)-1:118(117)");

  // The second "db" block's own content.
  Diagnostics inner;
  BodyContent db2 = c.blocks[2].body->Content(BodySchema{{{"port"}}, {}}, &inner);
  EXPECT_TRUE(inner.empty());
  ASSERT_NE(db2.Find("port"), nullptr);
  Value port = db2.Find("port")->expr->Evaluate(nullptr, false, &inner);
  EXPECT_EQ(port.AsNumber().ToString(), "2");
}

TEST(JsonSyntaxBody, ExtraneousPropertyWithSuggestionAfterMissingRequired) {
  JsonParseResult r = ParseJson(R"({"nmae": "gw", "port": 1})", "b.json");
  Diagnostics diags;
  BodyContent c = r.file->body->Content(TestSchema(), &diags);
  EXPECT_EQ(Diags(diags),
            (std::vector<std::string>{
                "Missing required argument | The argument \"name\" is required, but no definition "
                "was found. | 1:25(24)-1:26(25)",
                "Extraneous JSON object property | No argument or block type is named \"nmae\". "
                "Did you mean \"name\"? | 1:2(1)-1:8(7)"}));
  ASSERT_EQ(c.attributes.size(), 1u);
  EXPECT_EQ(c.attributes[0].name, "port");
}

TEST(JsonSyntaxBody, DuplicateArgument) {
  JsonParseResult r = ParseJson("{\"name\": \"a\",\n \"name\": \"b\"}", "b.json");
  Diagnostics diags;
  r.file->body->Content(TestSchema(), &diags);
  EXPECT_EQ(Diags(diags),
            (std::vector<std::string>{"Duplicate argument | The argument \"name\" was already set "
                                      "at b.json:1,2-13. | 2:2(15)-2:8(21)"}));
}

TEST(JsonSyntaxBody, BlockLabelErrors) {
  Diagnostics diags;
  JsonParseResult r1 = ParseJson(R"({"name": "a", "service": "x"})", "b.json");
  r1.file->body->Content(TestSchema(), &diags);
  EXPECT_EQ(Diags(diags),
            (std::vector<std::string>{
                "Incorrect JSON value type | Either a JSON object or JSON array of objects is "
                "required here, to specify id labels for this block. | 1:26(25)-1:29(28)",
                "Missing block label | At least one object property is required, whose name "
                "represents the service block's id. | 1:26(25)-1:29(28)"}));
  Diagnostics diags2;
  JsonParseResult r2 = ParseJson(R"({"name": "a", "service": {}})", "b.json");
  r2.file->body->Content(TestSchema(), &diags2);
  EXPECT_EQ(Diags(diags2),
            (std::vector<std::string>{"Missing block label | At least one object property is "
                                      "required, whose name represents the service block's id. | "
                                      "1:26(25)-1:27(26)"}));
}

TEST(JsonSyntaxBody, ArrayRootMergesObjects) {
  JsonParseResult r = ParseJson(R"([{"name": "a"}, {"port": 2}, 3])", "b.json");
  Diagnostics diags;
  BodyContent c = r.file->body->Content(TestSchema(), &diags);
  const std::string kBad =
      "Incorrect JSON value type | A JSON object is required here, to define arguments and child "
      "blocks. | 1:30(29)-1:31(30)";
  // Reported by PartialContent and again by Content's check for leftovers, as upstream does.
  EXPECT_EQ(Diags(diags), (std::vector<std::string>{kBad, kBad}));
  ASSERT_EQ(c.attributes.size(), 2u);
  EXPECT_EQ(c.attributes[0].name, "name");
  EXPECT_EQ(c.attributes[1].name, "port");
  EXPECT_EQ(R(c.missing_item_range), "1:1(0)-1:2(1)");
}

TEST(JsonSyntaxBody, PartialContentLeavesTheRest) {
  JsonParseResult r = ParseJson(R"({"name": "a", "extra": 1, "meta": {}})", "b.json");
  Diagnostics diags;
  std::shared_ptr<const SyntaxBody> remain;
  BodyContent c = r.file->body->PartialContent(BodySchema{{{"name"}}, {}}, &remain, &diags);
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ(c.attributes.size(), 1u);
  std::vector<ContentAttribute> rest = remain->JustAttributes(&diags);
  EXPECT_TRUE(diags.empty());
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].name, "extra");
  EXPECT_EQ(rest[1].name, "meta");
}

TEST(JsonSyntaxExpr, StringsAreLiteralWithoutContext) {
  std::unique_ptr<JsonNode> node;
  Diagnostics diags;
  auto e = ParseJsonExpression(R"({"k": ["${a}", 1.25, true, null]})", "e.json", &node, &diags);
  ASSERT_TRUE(diags.empty());
  Value v = e->Evaluate(nullptr, /*has_context=*/false, &diags);
  ASSERT_TRUE(diags.empty());
  const Value& list = v.GetAttr("k");
  ASSERT_EQ(list.Elements().size(), 4u);
  EXPECT_EQ(list.Elements()[0].AsString(), "${a}");
  EXPECT_EQ(list.Elements()[1].AsNumber().ToString(), "1.25");
  EXPECT_TRUE(list.Elements()[2].AsBool());
  EXPECT_TRUE(list.Elements()[3].is_null());
  EXPECT_EQ(e->native(), nullptr);
}

TEST(JsonSyntaxExpr, StringsAreTemplatesWithContext) {
  std::unique_ptr<JsonNode> node;
  Diagnostics diags;
  auto e = ParseJsonExpression(R"({"${k}": "x${v}", "plain": "y"})", "e.json", &node, &diags);
  // A stand-in evaluator: names what it was given, so we see which strings were parsed.
  std::vector<std::string> seen;
  auto eval = [&seen](const Expr& x, Diagnostics*) {
    seen.push_back(absl::StrCat(std::string(ExprKindName(x.kind)), "@", x.range.start.column));
    return Value::String(absl::StrCat("v", seen.size()));
  };
  Value v = e->Evaluate(eval, /*has_context=*/true, &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToString();
  // Keys and values alike; positions start after the opening quote.
  EXPECT_EQ(seen, (std::vector<std::string>{"TemplateWrap@3", "Template@11", "Template@20",
                                            "Template@29"}));
  EXPECT_EQ(v.GetAttr("v1").AsString(), "v2");
  EXPECT_EQ(v.GetAttr("v3").AsString(), "v4");
}

TEST(JsonSyntaxExpr, DuplicateObjectKeysAreAnError) {
  std::unique_ptr<JsonNode> node;
  Diagnostics diags;
  auto e = ParseJsonExpression(R"({"a": 1, "a": 2})", "e.json", &node, &diags);
  Value v = e->Evaluate(nullptr, false, &diags);
  EXPECT_EQ(Diags(diags),
            (std::vector<std::string>{"Duplicate object attribute | An attribute named \"a\" was "
                                      "already defined at e.json:1,2-5. | 1:10(9)-1:13(12)"}));
  EXPECT_EQ(v.GetAttr("a").AsNumber().ToString(), "1");
}

TEST(JsonSyntaxExpr, TemplateParseErrorGivesUnknown) {
  std::unique_ptr<JsonNode> node;
  Diagnostics diags;
  auto e = ParseJsonExpression(R"("${")", "e.json", &node, &diags);
  ASSERT_TRUE(diags.empty());
  bool called = false;
  Value v = e->Evaluate(
      [&called](const Expr&, Diagnostics*) {
        called = true;
        return Value();
      },
      true, &diags);
  EXPECT_TRUE(diags.HasErrors());
  EXPECT_FALSE(called);
  EXPECT_FALSE(v.is_known());
}

TEST(JsonSyntaxExpr, ForEachNativeVisitsKeysAndValues) {
  std::unique_ptr<JsonNode> node;
  Diagnostics diags;
  auto e = ParseJsonExpression(R"([{"${a}": "${b}"}, 1, "c"])", "e.json", &node, &diags);
  int n = 0;
  e->ForEachNative([&n](const Expr&) { ++n; });
  EXPECT_EQ(n, 3);
}

}  // namespace
}  // namespace meshgw::hcl
