// Tests of the parser's diagnostics: for each invalid input, the first error's summary and start
// position, and how many errors recovery reports, exactly as hclsyntax 2.14.1 does (the tables
// were produced by running the official parser on each input). Also HashiCorp's specsuite
// inputs, whose `.t` files (read with our own parser) give the expected error positions.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl {
namespace {

struct InvalidCase {
  std::string_view src;
  std::string_view summary;  // of the first error
  int line, column, byte;    // start of the first error's subject
  int count;                 // errors reported in all
};

enum class Mode { kConfig, kExpression, kTemplate };

Diagnostics Parse(Mode mode, std::string_view src) {
  Diagnostics diags;
  switch (mode) {
    case Mode::kConfig:
      return ParseConfig(std::string(src), "bad.hcl").diags;
    case Mode::kExpression:
      ParseExpression(src, "bad.hcl", Pos{}, &diags);
      break;
    case Mode::kTemplate:
      ParseTemplate(src, "bad.hcl", Pos{}, &diags);
      break;
  }
  return diags;
}

void CheckTable(Mode mode, const std::vector<InvalidCase>& cases) {
  for (const InvalidCase& c : cases) {
    Diagnostics diags = Parse(mode, c.src);
    ASSERT_FALSE(diags.empty()) << c.src;
    EXPECT_EQ(diags[0].summary, c.summary) << c.src;
    EXPECT_EQ(diags[0].subject.start, (Pos{c.line, c.column, c.byte})) << c.src << "\n"
                                                                       << diags.ToString();
    EXPECT_EQ(static_cast<int>(diags.size()), c.count) << c.src << "\n" << diags.ToString();
  }
}

TEST(DiagnosticsTest, InvalidConfigs) {
  CheckTable(
      Mode::kConfig,
      {
          {"a = <<EOT\nunterminated\n", "Unterminated template string", 3, 1, 23, 1},
          {"a = <<EOT foo\nbar\nEOT\n", "Invalid expression", 1, 5, 4, 3},
          {"a = \"%{for v in m}${v}%{else}x%{endfor}\"\n", "Unexpected else directive", 1, 23, 22,
           2},
          {"a = \"%{if x}a%{else}b%{else}c%{endif}\"\n", "Unexpected else directive", 1, 22, 21, 2},
          {"a = \"%{if x}a%{endfor}\"\n", "Unexpected endfor directive", 1, 14, 13, 1},
          {"a = \"%{if x}a\"\n", "Unexpected end of template", 1, 14, 13, 1},
          {"a = \"%{for x in y}a\"\n", "Unexpected end of template", 1, 20, 19, 1},
          {"a = \"%{endif}\"\n", "Unexpected endif directive", 1, 6, 5, 1},
          {"a = \"%{iff x}a%{endif}\"\n", "Invalid template control keyword", 1, 8, 7, 2},
          {"a = \"%{ }\"\n", "Invalid template directive", 1, 9, 8, 1},
          {"a = \"${}\"\n", "Invalid expression", 1, 8, 7, 1},
          {"a = \"${ a b }\"\n", "Extra characters after interpolation expression", 1, 11, 10, 1},
          {"a = \"${ a :b}\"\n", "Extra characters after interpolation expression", 1, 11, 10, 1},
          {"a = \"${ a \"\n", "Invalid multi-line string", 1, 12, 11, 2},
          {"a = \"%{ if x y }a%{endif}\"\n", "Extra characters in if marker", 1, 14, 13, 1},
          {"a = \"%{ for in y }a%{endfor}\"\n", "Invalid 'for' directive", 1, 16, 15, 2},
          {"a = \"%{ for a, in y }a%{endfor}\"\n", "Invalid 'for' directive", 1, 19, 18, 2},
          {"a = \"%{ for a b }a%{endfor}\"\n", "Invalid 'for' directive", 1, 15, 14, 2},
          {"a = \"%{ 1 }\"\n", "Invalid template directive", 1, 9, 8, 1},
          {"x = \"\\ud800\"\n", "Invalid escape sequence", 1, 6, 5, 1},
          {"x = \"\\U00110000\"\n", "Invalid escape sequence", 1, 6, 5, 1},
          {"x = \"\\q \\\xc3"
           "\xa9"
           "\"\n",
           "Invalid escape sequence", 1, 6, 5, 2},
          {"x = \"\\u00\"\n", "Invalid escape sequence", 1, 6, 5, 1},
          {"x = \"\\U1234\"\n", "Invalid escape sequence", 1, 6, 5, 1},
          {"x = \"\\u\"\n", "Invalid escape sequence", 1, 6, 5, 1},
          {"\"a\" = 1\n", "Invalid argument name", 1, 1, 0, 1},
          {"a.b = 1\n", "Argument or block definition required", 1, 1, 0, 1},
          {"a = 1 b = 2\n", "Missing newline after argument", 1, 7, 6, 1},
          {"a = \"x\", b = \"y\"\n", "Unexpected comma after argument", 1, 8, 7, 1},
          {"a = 1\n+ 2\n", "Argument or block definition required", 2, 1, 6, 1},
          {"a = {a=1 b=2}\n", "Missing attribute separator", 1, 10, 9, 1},
          {"a = {a=1,,}\n", "Invalid expression", 1, 10, 9, 1},
          {"a = {for = 1}\n", "Invalid 'for' expression", 1, 10, 9, 1},
          {"a = {a}\n", "Missing key/value separator", 1, 7, 6, 1},
          {"a = {a=}\n", "Invalid expression", 1, 8, 7, 1},
          {"a = {a = 1 b}\n", "Missing attribute separator", 1, 12, 11, 1},
          {"a = {a\n}\n", "Missing attribute value", 1, 7, 6, 1},
          {"a = {a = 1\n", "Missing expression", 2, 1, 11, 1},
          {"a = [1 2]\n", "Missing item separator", 1, 8, 7, 1},
          {"a = [\n1\n2\n]\n", "Missing item separator", 3, 1, 8, 1},
          {"a = [1,", "Missing expression", 1, 8, 7, 1},
          {"a = f(a b)\n", "Missing argument separator", 1, 9, 8, 1},
          {"a = f(a..., b)\n", "Missing closing parenthesis", 1, 8, 7, 1},
          {"a = f(\n", "Missing expression", 2, 1, 7, 1},
          {"a = a ? b\n", "Missing false expression in conditional", 1, 10, 9, 1},
          {"a = a ? b :\n", "Invalid expression", 1, 12, 11, 1},
          {"a = (1 + 2\n", "Unbalanced parentheses", 2, 1, 11, 1},
          {"a = (1 2)\n", "Unbalanced parentheses", 1, 8, 7, 1},
          {"a = x.0.b\nb = x.0.1\nc = x.*.0.b\nd = x.*.0.1\n", "Invalid legacy index syntax", 2, 7,
           16, 2},
          {"a = x.*.*\n", "Nested splat expression not allowed", 1, 9, 8, 1},
          {"a = x.*.\n", "Invalid attribute name", 1, 7, 6, 1},
          {"a = x.\n", "Invalid attribute name", 1, 7, 6, 1},
          {"a = x.[0]\n", "Invalid attribute name", 1, 7, 6, 1},
          {"a = x[*\n", "Missing close bracket on splat index", 2, 1, 8, 1},
          {"a = x[0\n", "Missing close bracket on index", 2, 1, 8, 1},
          {"a = [for x in y: x => x]\n", "Invalid 'for' expression", 1, 18, 17, 1},
          {"a = [for x in y: x...]\n", "Invalid 'for' expression", 1, 19, 18, 1},
          {"a = {for x in y: x}\n", "Invalid 'for' expression", 1, 18, 17, 1},
          {"a = [for]\n", "Invalid 'for' expression", 1, 9, 8, 1},
          {"a = [for x y]\n", "Invalid 'for' expression", 1, 12, 11, 1},
          {"a = [for x, in y: x]\n", "Invalid 'for' expression", 1, 16, 15, 1},
          {"a = [for x in y x]\n", "Invalid 'for' expression", 1, 17, 16, 1},
          {"a = [for x in y: x if]\n", "Invalid expression", 1, 22, 21, 1},
          {"a = [for x in y: x z]\n", "Invalid 'for' expression", 1, 20, 19, 1},
          {"a \"b\" {\n", "Unclosed configuration block", 1, 7, 6, 1},
          {"a = {\n", "Missing expression", 2, 1, 6, 1},
          {"a \"x${y}\" {}\n", "Invalid string literal", 1, 5, 4, 1},
          {"a \"x%{if y}\" {}\n", "Invalid string literal", 1, 5, 4, 1},
          {"a {\nb = 1 }\n", "Missing newline after argument", 2, 7, 10, 1},
          {"a { b = 1\n}\n", "Invalid single-argument block definition", 1, 10, 9, 1},
          {"a {} b {}\n", "Missing newline after block definition", 1, 6, 5, 1},
          {"a { b {} }\n", "Argument definition required", 1, 5, 4, 1},
          {"a { b \"c\" {} }\n", "Argument definition required", 1, 5, 4, 1},
          {"a { \"b\" = 1 }\n", "Argument or block definition required", 1, 5, 4, 1},
          {"a { b = 1, }\n", "Invalid single-argument block definition", 1, 10, 9, 1},
          {"a { b = 1 c = 2 }\n", "Invalid single-argument block definition", 1, 11, 10, 1},
          {"a { b = 1 \n", "Invalid single-argument block definition", 1, 11, 10, 1},
          {"a \"b\" = 1\n", "Invalid block definition", 1, 7, 6, 1},
          {"a \"b\"\n{}\n", "Invalid block definition", 1, 6, 5, 1},
          {"a = 1\na = 2\nb { c = 1\nc = 2\n}\n", "Attribute redefined", 2, 1, 6, 2},
          {"a = 1 @\n", "Invalid character", 1, 7, 6, 2},
          {"a = \xe2"
           "\x80"
           "\x9c"
           "x\xe2"
           "\x80"
           "\x9d"
           "\n",
           "Invalid character", 1, 5, 4, 3},
          {"a = 'x'\nb = 'y'\n", "Invalid character", 1, 5, 4, 3},
          {"a = `x`\n", "Invalid character", 1, 5, 4, 2},
          {"a = 1;\n", "Invalid character", 1, 6, 5, 2},
          {"a = 1 & 2 | 3 ^ 4 ~ 5\n", "Unsupported operator", 1, 7, 6, 5},
          {"a = 1 ** 2\n", "Invalid expression", 1, 8, 7, 1},
          {"/* unterminated\na = 1\n", "Argument or block definition required", 1, 1, 0, 1},
          {"a = \"x\n", "Invalid multi-line string", 1, 7, 6, 2},
          {"a = \"x\\\n\"\n", "Invalid character", 1, 7, 6, 3},
          {"a = \"x", "Unterminated template string", 1, 7, 6, 1},
          {"a = \"\xff"
           "\"\n",
           "Invalid character encoding", 1, 6, 5, 2},
          {"\xff"
           " = 1\n",
           "Invalid character encoding", 1, 1, 0, 2},
          {"a = 1\n}\n", "Argument or block definition required", 2, 1, 6, 1},
          {"}\n", "Argument or block definition required", 1, 1, 0, 1},
          {"a = 1.\n", "Invalid attribute name", 1, 7, 6, 1},
          {"a = .5\n", "Invalid expression", 1, 5, 4, 1},
          {"a = 1e\n", "Missing newline after argument", 1, 6, 5, 1},
          {"a = 0x10\n", "Missing newline after argument", 1, 6, 5, 1},
          {"a = 1.2.3\n", "Invalid number literal", 1, 5, 4, 1},
          {"a = 1e5e5\n", "Invalid number literal", 1, 5, 4, 1},
          {"\xf0"
           "\x9f"
           "\x98"
           "\x80"
           " = 1\n",
           "Invalid character", 1, 1, 0, 2},
          {"a = \"x\" + \xf0"
           "\x9f"
           "\x98"
           "\x80"
           "\n",
           "Invalid character", 1, 11, 10, 2},
          {"a = a::b(1)\n", "Missing newline after argument", 1, 6, 5, 1},
          {"a = x ~} y\n", "Missing newline after argument", 1, 7, 6, 1},
          {"a = { x ~} \n", "Missing key/value separator", 1, 9, 8, 1},
          {"a = \"a%\"\nb = \"a$\"\nc = \"%{\"\n", "Invalid multi-line string", 3, 9, 26, 2},
          {"a = <<EOT\n\tEOT\t\nEOT\n", "Argument or block definition required", 3, 1, 16, 1},
      });
}

TEST(DiagnosticsTest, InvalidExpressions) {
  CheckTable(Mode::kExpression,
             {
                 {"a b", "Extra characters after expression", 1, 3, 2, 1},
                 {"1 +", "Missing expression", 1, 4, 3, 1},
                 {"(a", "Unbalanced parentheses", 1, 3, 2, 1},
                 {"a ? b : c d", "Extra characters after expression", 1, 11, 10, 1},
                 {"\"x\" \"y\"", "Extra characters after expression", 1, 5, 4, 1},
                 {"~a", "Unsupported operator", 1, 1, 0, 2},
                 {"a.b.", "Invalid attribute name", 1, 5, 4, 1},
                 {"a[", "Missing expression", 1, 3, 2, 1},
                 {"<<EOT\nx\nEOT", "Unterminated template string", 3, 4, 11, 1},
                 {"1 2", "Extra characters after expression", 1, 3, 2, 1},
                 {"a :: b", "Extra characters after expression", 1, 3, 2, 1},
                 {"x.y[ ]", "Invalid expression", 1, 6, 5, 1},
                 {"\"\\x\"", "Invalid escape sequence", 1, 2, 1, 1},
             });
}

TEST(DiagnosticsTest, InvalidTemplates) {
  CheckTable(Mode::kTemplate, {
                                  {"%{endif}", "Unexpected endif directive", 1, 1, 0, 1},
                                  {"${a", "Unclosed template interpolation sequence", 1, 1, 0, 1},
                                  {"%{ if a }", "Unexpected end of template", 1, 10, 9, 1},
                              });
}

TEST(DiagnosticsTest, DetailsAndRanges) {
  Diagnostics d = Parse(Mode::kConfig, "a = 1\na = 2\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].summary, "Attribute redefined");
  EXPECT_EQ(d[0].detail,
            "The argument \"a\" was already set at bad.hcl:1,1-2. Each argument may be set only "
            "once.");
  EXPECT_EQ(d[0].subject.end, (Pos{2, 2, 7}));
  EXPECT_EQ(d[0].subject.filename, "bad.hcl");

  d = Parse(Mode::kConfig, "a = 1 b = 2\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].summary, "Missing newline after argument");
  EXPECT_EQ(d[0].subject.start, (Pos{1, 7, 6}));
  ASSERT_TRUE(d[0].context.has_value());  // from the attribute name to the offending token
  EXPECT_EQ(d[0].context->start, (Pos{1, 1, 0}));
  EXPECT_EQ(d[0].context->end, (Pos{1, 8, 7}));

  d = Parse(Mode::kConfig, "x = \"\\q\"\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].detail, "The symbol \"q\" is not a valid escape sequence selector.");
  EXPECT_EQ(d[0].subject.start, (Pos{1, 6, 5}));
  EXPECT_EQ(d[0].subject.end, (Pos{1, 8, 7}));

  d = Parse(Mode::kConfig, "x = \"\\ud800\"\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].detail, "Cannot encode character U+d800 in UTF-8.");

  d = Parse(Mode::kConfig, "a = \"%{iff x}a%{endif}\"\n");
  ASSERT_GE(d.size(), 1u);
  EXPECT_EQ(d[0].detail, "\"iff\" is not a valid template control keyword. Did you mean \"if\"?");

  d = Parse(Mode::kConfig, "a = \"%{if x}a\"\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].detail,
            "The if directive at bad.hcl:1,6-13 is missing its corresponding endif directive.");
}

TEST(DiagnosticsTest, DeepNestingIsAnErrorNotACrash) {
  // 200 levels parse like hclsyntax does; far deeper input is refused instead of exhausting the
  // stack (hclsyntax itself overflows its stack some ten thousand levels down).
  std::string ok = "a = " + std::string(200, '[') + std::string(200, ']') + "\n";
  EXPECT_TRUE(Parse(Mode::kConfig, ok).empty());
  std::string deep = "a = " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  Diagnostics d = Parse(Mode::kConfig, deep);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].summary, "Expression nested too deeply");
  EXPECT_EQ(d[0].subject.start, (Pos{1, 255, 254}));
  std::string unary = "a = " + std::string(100000, '-') + "1\n";
  EXPECT_EQ(Parse(Mode::kConfig, unary)[0].summary, "Expression nested too deeply");
  std::string splats = "a = x";
  for (int i = 0; i < 100000; ++i) splats += "[*]";
  EXPECT_EQ(Parse(Mode::kConfig, splats + "\n")[0].summary, "Expression nested too deeply");

  std::string directives = "a = \"";
  for (int i = 0; i < 5000; ++i) directives += "%{if x}";
  d = Parse(Mode::kConfig, directives + "\"\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].summary, "Template directives nested too deeply");

  std::string blocks;
  for (int i = 0; i < 100000; ++i) blocks += "b {\n";
  for (int i = 0; i < 100000; ++i) blocks += "}\n";
  d = Parse(Mode::kConfig, blocks);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].summary, "Blocks nested too deeply");
  EXPECT_EQ(d[0].subject.start, (Pos{100, 3, 398}));
}

// The specsuite `.t` files list expected errors as `diagnostics { error { from { line column
// byte } } }`.
std::vector<Pos> ExpectedErrorStarts(const Body& t) {
  std::vector<Pos> out;
  for (const Block& diags : t.blocks) {
    if (diags.type != "diagnostics") continue;
    for (const Block& error : diags.body->blocks) {
      for (const Block& from : error.body->blocks) {
        if (from.type != "from") continue;
        auto num = [&](std::string_view name) {
          const Attribute* a = from.body->FindAttribute(name);
          EXPECT_NE(a, nullptr);
          return a ? std::stoi(a->expr->As<LiteralExpr>().value.text) : 0;
        };
        out.push_back(Pos{num("line"), num("column"), num("byte")});
      }
    }
  }
  return out;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(DiagnosticsTest, Specsuite) {
  const std::filesystem::path root =
      "/usr/share/gocode/src/github.com/hashicorp/hcl/v2/specsuite/tests";
  ASSERT_TRUE(std::filesystem::exists(root)) << "the Debian HCL package provides the specsuite";
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".hcl") continue;
    ++files;
    ParseResult input = ParseConfig(ReadFile(entry.path()), entry.path().string());
    std::filesystem::path t = entry.path();
    t.replace_extension(".t");
    ParseResult expect = ParseConfig(ReadFile(t), t.string());
    ASSERT_FALSE(expect.diags.HasErrors()) << t << expect.diags.ToString();
    std::vector<Pos> starts = ExpectedErrorStarts(*expect.file->body);
    // structure/attributes/unexpected fails only against its schema, not when parsing.
    if (entry.path().filename() == "unexpected.hcl") starts.clear();
    std::vector<Pos> got;
    for (const Diagnostic& d : input.diags) got.push_back(d.subject.start);
    EXPECT_EQ(got, starts) << entry.path() << "\n" << input.diags.ToString();
  }
  EXPECT_EQ(files, 15);
}

}  // namespace
}  // namespace meshgw::hcl
