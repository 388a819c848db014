// Body content by schema over native bodies, expression variables and evaluation through the
// abstract body (expectations checked against github.com/hashicorp/hcl/v2/hclsyntax v2.14.1).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "hcl/decode/content.h"
#include "hcl/eval/eval.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl {
namespace {

std::string Pos3(const Pos& p) { return absl::StrCat(p.line, ":", p.column, "(", p.byte, ")"); }
std::string R(const Range& r) { return absl::StrCat(Pos3(r.start), "-", Pos3(r.end)); }

std::vector<std::string> Diags(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags) {
    std::string line = absl::StrCat(d.summary, " | ", d.detail, " | ", R(d.subject));
    if (d.context) absl::StrAppend(&line, " ctx=", R(*d.context));
    out.push_back(line);
  }
  return out;
}

BodySchema TestSchema() {
  return BodySchema{{{"name", true}, {"port", false}, {"mode", false}},
                    {{"service", {"id", "kind"}}, {"meta", {}}}};
}

struct Parsed {
  ParseResult r;
  std::shared_ptr<const SyntaxBody> body;
};

Parsed Parse(const std::string& src) {
  Parsed p{ParseConfig(src, "n.hcl"), nullptr};
  EXPECT_FALSE(p.r.diags.HasErrors()) << p.r.diags.ToString();
  p.body = NativeBody(*p.r.file->body);
  return p;
}

TEST(DecodeContent, AttributesAndBlocks) {
  Parsed p = Parse("name = \"gw\"\nservice \"a\" \"b\" {\n  x = 1\n}\nmeta {}\nmeta {}\n");
  Diagnostics diags;
  BodyContent c = p.body->Content(TestSchema(), &diags);
  EXPECT_TRUE(diags.empty()) << diags.ToString();
  ASSERT_EQ(c.attributes.size(), 1u);
  EXPECT_EQ(c.attributes[0].name, "name");
  EXPECT_EQ(R(c.attributes[0].range), "1:1(0)-1:12(11)");
  EXPECT_EQ(R(c.attributes[0].name_range), "1:1(0)-1:5(4)");
  ASSERT_EQ(c.blocks.size(), 3u);
  EXPECT_EQ(c.blocks[0].type, "service");
  EXPECT_EQ(c.blocks[0].labels, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(R(c.blocks[0].def_range), "2:1(12)-2:16(27)");
  EXPECT_EQ(R(c.blocks[0].type_range), "2:1(12)-2:8(19)");
  ASSERT_EQ(c.blocks[0].label_ranges.size(), 2u);
  EXPECT_EQ(R(c.blocks[0].label_ranges[1]), "2:13(24)-2:16(27)");
  EXPECT_EQ(c.blocks[1].type, "meta");
  EXPECT_EQ(c.blocks[2].type, "meta");
  EXPECT_EQ(R(c.missing_item_range), "1:1(0)-1:1(0)");

  Diagnostics inner;
  BodyContent sc = c.blocks[0].body->Content(BodySchema{{{"x"}}, {}}, &inner);
  EXPECT_TRUE(inner.empty());
  ASSERT_NE(sc.Find("x"), nullptr);
  ASSERT_NE(sc.Find("x")->expr->native(), nullptr);

  Diagnostics just;
  std::vector<ContentAttribute> attrs = p.body->JustAttributes(&just);
  EXPECT_EQ(attrs.size(), 1u);
  EXPECT_EQ(Diags(just), (std::vector<std::string>{"Unexpected \"service\" block | Blocks are "
                                                   "not allowed here. | 2:1(12)-2:8(19)"}));
}

TEST(DecodeContent, MissingRequiredAndDidYouMean) {
  Parsed p = Parse("nmae = 1\nport = 2\n");
  Diagnostics diags;
  BodyContent c = p.body->Content(TestSchema(), &diags);
  EXPECT_EQ(Diags(diags),
            (std::vector<std::string>{
                "Missing required argument | The argument \"name\" is required, but no definition "
                "was found. | 1:1(0)-1:1(0)",
                "Unsupported argument | An argument named \"nmae\" is not expected here. Did you "
                "mean \"name\"? | 1:1(0)-1:5(4)"}));
  ASSERT_EQ(c.attributes.size(), 1u);
  EXPECT_EQ(c.attributes[0].name, "port");
}

TEST(DecodeContent, BlockAttributeMixUps) {
  Parsed p = Parse("name = 1\nmeta = 2\nmode = 3\nservic {}\n");
  Diagnostics diags;
  p.body->Content(TestSchema(), &diags);
  EXPECT_EQ(Diags(diags),
            (std::vector<std::string>{
                "Unsupported argument | An argument named \"meta\" is not expected here. Did you "
                "mean to define a block of type \"meta\"? | 2:1(9)-2:5(13)",
                "Unsupported block type | Blocks of type \"servic\" are not expected here. Did you "
                "mean \"service\"? | 4:1(27)-4:7(33)"}));

  Parsed q = Parse("name = 1\nport {}\n");
  Diagnostics diags2;
  q.body->Content(TestSchema(), &diags2);
  EXPECT_EQ(Diags(diags2),
            (std::vector<std::string>{
                "Unsupported block type | Blocks of type \"port\" are not expected here. Did you "
                "mean to define argument \"port\"? If so, use the equals sign to assign it a "
                "value. | 2:1(9)-2:5(13)"}));
}

TEST(DecodeContent, LabelCounts) {
  Parsed p = Parse("name = 1\nservice \"a\" {}\nservice \"a\" \"b\" \"c\" {}\nmeta \"x\" {}\n");
  Diagnostics diags;
  BodyContent c = p.body->Content(TestSchema(), &diags);
  EXPECT_EQ(Diags(diags),
            (std::vector<std::string>{
                "Missing kind for service | All service blocks must have 2 labels (id, kind). | "
                "2:13(21)-2:14(22) ctx=2:1(9)-2:14(22)",
                "Extraneous label for service | Only 2 labels (id, kind) are expected for service "
                "blocks. | 3:17(40)-3:20(43) ctx=3:1(24)-3:22(45)",
                "Extraneous label for meta | No labels are expected for meta blocks. | "
                "4:6(52)-4:9(55) ctx=4:1(47)-4:11(57)"}));
  EXPECT_TRUE(c.blocks.empty());
}

TEST(DecodeContent, PartialContentHidesWhatItTook) {
  Parsed p = Parse("name = 1\nextra = 2\nmeta {}\n");
  Diagnostics diags;
  std::shared_ptr<const SyntaxBody> remain;
  BodyContent c = p.body->PartialContent(BodySchema{{{"name"}}, {{"meta", {}}}}, &remain, &diags);
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ(c.attributes.size(), 1u);
  EXPECT_EQ(c.blocks.size(), 1u);
  // The rest has only `extra`; JustAttributes still reports the (taken) block, as upstream.
  std::vector<ContentAttribute> rest = remain->JustAttributes(&diags);
  EXPECT_EQ(Diags(diags), (std::vector<std::string>{"Unexpected \"meta\" block | Blocks are not "
                                                    "allowed here. | 3:1(19)-3:5(23)"}));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].name, "extra");
  // Asking the remain body for `name` again finds nothing.
  Diagnostics again;
  remain->Content(BodySchema{{{"name", true}, {"extra"}}, {}}, &again);
  EXPECT_EQ(Diags(again),
            (std::vector<std::string>{"Missing required argument | The argument \"name\" is "
                                      "required, but no definition was found. | 1:1(0)-1:1(0)"}));
}

TEST(DecodeContent, MergedBodies) {
  Parsed a = Parse("name = 1\nmeta {}\n");
  Parsed b = Parse("port = 2\nname = 3\nmeta {}\n");
  std::shared_ptr<const SyntaxBody> merged = MergeBodies({a.body, b.body});
  Diagnostics diags;
  BodyContent c = merged->Content(TestSchema(), &diags);
  EXPECT_EQ(Diags(diags),
            (std::vector<std::string>{"Duplicate argument | Argument \"name\" was already set at "
                                      "n.hcl:1,1-5 | 2:1(9)-2:5(13)"}));
  ASSERT_EQ(c.attributes.size(), 2u);
  EXPECT_EQ(c.attributes[0].name, "name");
  EXPECT_EQ(c.attributes[1].name, "port");
  EXPECT_EQ(c.blocks.size(), 2u);

  Diagnostics missing;
  MergeBodies({b.body})->Content(BodySchema{{{"mode", true}}, {}}, &missing);
  ASSERT_EQ(missing.size(), 4u);  // port, name and meta are unexpected; mode is missing
  EXPECT_EQ(missing[3].detail, "The argument \"mode\" is required, but was not set.");
  EXPECT_TRUE(missing[3].subject == Range{});
}

TEST(DecodeContent, ExprVariablesSkipForLocals) {
  Diagnostics diags;
  ExprPtr e = ParseExpression("[for k, v in var.m : \"${k}-${v}-${local.x[0]}\" if v != other]",
                              "e.hcl", Pos{}, &diags);
  ASSERT_FALSE(diags.HasErrors()) << diags.ToString();
  std::vector<Traversal> vars = ExprVariables(*e);
  std::vector<std::string> roots;
  for (const Traversal& t : vars) roots.push_back(absl::StrCat(t[0].name, "/", t.size()));
  EXPECT_EQ(roots, (std::vector<std::string>{"var/2", "local/3", "other/1"}));
}

TEST(DecodeContent, ObjectKeyNamesAreNotVariables) {
  Diagnostics diags;
  ExprPtr e = ParseExpression("{ a = b, (c) = d }", "e.hcl", Pos{}, &diags);
  ASSERT_FALSE(diags.HasErrors());
  std::vector<std::string> roots;
  for (const Traversal& t : ExprVariables(*e)) roots.push_back(t[0].name);
  EXPECT_EQ(roots, (std::vector<std::string>{"b", "c", "d"}));
}

TEST(DecodeContent, EvaluateExprThroughTheAbstractBody) {
  Parsed p = Parse("port = 8000 + offset\n");
  Diagnostics diags;
  BodyContent c = p.body->Content(BodySchema{{{"port"}}, {}}, &diags);
  EvalContext ctx;
  ctx.variables["offset"] = Value::Number(443);
  Value v = EvaluateExpr(*c.Find("port")->expr, &ctx, &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToString();
  EXPECT_EQ(v.AsNumber().ToString(), "8443");
}

TEST(DecodeContent, NameSuggestionCountsCodePoints) {
  EXPECT_EQ(NameSuggestion("nmae", {"port", "name"}), "name");
  EXPECT_EQ(NameSuggestion("xyz", {"name"}), "");
  EXPECT_EQ(NameSuggestion("caf\xc3\xa9", {"cafe"}), "cafe");
  EXPECT_EQ(QuoteName("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
}

}  // namespace
}  // namespace meshgw::hcl
