// Tests of the HCL parser: structure, ranges, literals and escapes, templates, heredocs,
// operators, traversals, splats and for expressions. Expectations follow hclsyntax 2.14.1 (checked
// against the official parser).
#include <string>

#include "gtest/gtest.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl {
namespace {

std::string Lit(const LiteralValue& v) {
  switch (v.kind) {
    case LiteralValue::Kind::kNull:
      return "null";
    case LiteralValue::Kind::kBool:
      return v.boolean ? "true" : "false";
    case LiteralValue::Kind::kNumber:
      return v.text;
    case LiteralValue::Kind::kString:
      return "\"" + v.text + "\"";
  }
  return "?";
}

std::string Steps(const Traversal& t) {
  std::string s;
  for (const TraverseStep& step : t) {
    switch (step.kind) {
      case TraverseStep::Kind::kRoot:
        s += step.name;
        break;
      case TraverseStep::Kind::kAttr:
        s += "." + step.name;
        break;
      case TraverseStep::Kind::kIndex:
        s += "[" + Lit(step.key) + "]";
        break;
    }
  }
  return s;
}

// A compact S-expression of the tree, to check AST shapes.
std::string S(const Expr* e) {
  if (e == nullptr) return "nil";
  auto list = [](std::string head, std::initializer_list<std::string> items) {
    std::string s = "(" + head;
    for (const std::string& i : items) s += " " + i;
    return s + ")";
  };
  switch (e->kind) {
    case ExprKind::kLiteral:
      return Lit(e->As<LiteralExpr>().value);
    case ExprKind::kTemplate: {
      std::string s = "(tmpl";
      for (const ExprPtr& p : e->As<TemplateExpr>().parts) s += " " + S(p.get());
      return s + ")";
    }
    case ExprKind::kTemplateWrap:
      return list("wrap", {S(e->As<TemplateWrapExpr>().wrapped.get())});
    case ExprKind::kTemplateJoin:
      return list("join", {S(e->As<TemplateJoinExpr>().tuple.get())});
    case ExprKind::kScopeTraversal:
      return Steps(e->As<ScopeTraversalExpr>().traversal);
    case ExprKind::kRelativeTraversal: {
      const auto& r = e->As<RelativeTraversalExpr>();
      return list("rel", {S(r.source.get()), Steps(r.traversal)});
    }
    case ExprKind::kFunctionCall: {
      const auto& f = e->As<FunctionCallExpr>();
      std::string s = "(" + f.name + "()";
      for (const ExprPtr& a : f.args) s += " " + S(a.get());
      return s + (f.expand_final ? "...)" : ")");
    }
    case ExprKind::kConditional: {
      const auto& c = e->As<ConditionalExpr>();
      return list("?", {S(c.condition.get()), S(c.true_result.get()), S(c.false_result.get())});
    }
    case ExprKind::kBinaryOp: {
      const auto& b = e->As<BinaryOpExpr>();
      return list(std::string(BinaryOpSymbol(b.op)), {S(b.lhs.get()), S(b.rhs.get())});
    }
    case ExprKind::kUnaryOp: {
      const auto& u = e->As<UnaryOpExpr>();
      return list(std::string(UnaryOpSymbol(u.op)) + "u", {S(u.operand.get())});
    }
    case ExprKind::kParentheses:
      return list("paren", {S(e->As<ParenthesesExpr>().inner.get())});
    case ExprKind::kTuple: {
      std::string s = "[";
      for (const ExprPtr& i : e->As<TupleExpr>().items) s += (s.size() > 1 ? " " : "") + S(i.get());
      return s + "]";
    }
    case ExprKind::kObject: {
      std::string s = "{";
      for (const ObjectItem& i : e->As<ObjectExpr>().items) {
        s += (s.size() > 1 ? " " : "") + S(i.key.get()) + "=" + S(i.value.get());
      }
      return s + "}";
    }
    case ExprKind::kObjectKey: {
      const auto& k = e->As<ObjectKeyExpr>();
      return (k.force_non_literal ? "!" : "") + S(k.wrapped.get());
    }
    case ExprKind::kFor: {
      const auto& f = e->As<ForExpr>();
      return list("for", {f.key_var.empty() ? "_" : f.key_var, f.value_var, S(f.collection.get()),
                          S(f.key_expr.get()), S(f.value_expr.get()), S(f.cond_expr.get()),
                          f.group ? "group" : "nogroup"});
    }
    case ExprKind::kIndex: {
      const auto& i = e->As<IndexExpr>();
      return list("index", {S(i.collection.get()), S(i.key.get())});
    }
    case ExprKind::kSplat: {
      const auto& s = e->As<SplatExpr>();
      return list("splat", {S(s.source.get()), S(s.each.get())});
    }
    case ExprKind::kAnonSymbol:
      return "_";
  }
  return "?";
}

std::string P(const Pos& p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column) + ":" + std::to_string(p.byte);
}
std::string R(const Range& r) { return P(r.start) + "-" + P(r.end); }

std::string ExprS(std::string_view src) {
  Diagnostics diags;
  ExprPtr e = ParseExpression(src, "e.hcl", Pos{}, &diags);
  EXPECT_FALSE(diags.HasErrors()) << src << ": " << diags.ToString();
  return S(e.get());
}

std::string TemplateS(std::string_view src) {
  Diagnostics diags;
  ExprPtr e = ParseTemplate(src, "t.tmpl", Pos{}, &diags);
  EXPECT_FALSE(diags.HasErrors()) << src << ": " << diags.ToString();
  return S(e.get());
}

// The expression of attribute `a` in a config file.
std::string AttrS(std::string src) {
  ParseResult r = ParseConfig(std::move(src), "c.hcl");
  EXPECT_FALSE(r.diags.HasErrors()) << r.diags.ToString();
  const Attribute* a = r.file->body->FindAttribute("a");
  if (a == nullptr) return "<no attribute a>";
  return S(a->expr.get());
}

TEST(ParserTest, BlocksLabelsAttributesAndRanges) {
  ParseResult r = ParseConfig(
      "job \"mesh-gw\" bare {\n  count = 1\n  group \"g\" {}\n  one { x = true }\n}\nz = 2\n",
      "job.hcl");
  ASSERT_FALSE(r.diags.HasErrors()) << r.diags.ToString();
  const Body& body = *r.file->body;
  EXPECT_EQ(r.file->filename, "job.hcl");
  EXPECT_EQ(R(body.src_range), "1:1:0-7:1:75");
  ASSERT_EQ(body.blocks.size(), 1u);
  ASSERT_EQ(body.attributes.size(), 1u);
  EXPECT_EQ(body.attributes[0].name, "z");
  EXPECT_EQ(R(body.attributes[0].src_range), "6:1:69-6:6:74");

  const Block& job = body.blocks[0];
  EXPECT_EQ(job.type, "job");
  EXPECT_EQ(job.labels, (std::vector<std::string>{"mesh-gw", "bare"}));
  EXPECT_EQ(R(job.type_range), "1:1:0-1:4:3");
  EXPECT_EQ(R(job.label_ranges[0]), "1:5:4-1:14:13");
  EXPECT_EQ(R(job.label_ranges[1]), "1:15:14-1:19:18");
  EXPECT_EQ(R(job.DefRange()), "1:1:0-1:19:18");
  EXPECT_EQ(R(job.open_brace_range), "1:20:19-1:21:20");
  EXPECT_EQ(R(job.close_brace_range), "5:1:67-5:2:68");
  EXPECT_EQ(R(job.body->src_range), "1:20:19-5:2:68");
  EXPECT_EQ(R(job.body->end_range), "5:2:68-5:2:68");

  const Attribute* count = job.body->FindAttribute("count");
  ASSERT_NE(count, nullptr);
  EXPECT_EQ(R(count->src_range), "2:3:23-2:12:32");
  EXPECT_EQ(R(count->name_range), "2:3:23-2:8:28");
  EXPECT_EQ(R(count->equals_range), "2:9:29-2:10:30");
  EXPECT_EQ(S(count->expr.get()), "1");
  EXPECT_EQ(R(count->expr->range), "2:11:31-2:12:32");
  EXPECT_EQ(job.body->FindAttribute("nope"), nullptr);

  ASSERT_EQ(job.body->blocks.size(), 2u);
  EXPECT_EQ(job.body->blocks[0].type, "group");
  EXPECT_TRUE(job.body->blocks[0].body->attributes.empty());
  const Block& one = job.body->blocks[1];
  EXPECT_EQ(one.type, "one");
  ASSERT_EQ(one.body->attributes.size(), 1u);
  EXPECT_EQ(one.body->attributes[0].name, "x");
  EXPECT_EQ(R(one.body->src_range), "4:9:56-4:17:64");  // a one-line body is its attribute
}

TEST(ParserTest, BomCrlfAndComments) {
  ParseResult r = ParseConfig("\xEF\xBB\xBF# c\r\na = 1 // x\r\nb = /* y */ 2\r\n", "b.hcl");
  ASSERT_FALSE(r.diags.HasErrors()) << r.diags.ToString();
  ASSERT_EQ(r.file->body->attributes.size(), 2u);
  EXPECT_EQ(R(r.file->body->attributes[0].name_range), "2:1:8-2:2:9");
  EXPECT_EQ(S(r.file->body->attributes[1].expr.get()), "2");
}

TEST(ParserTest, KeywordsAreContextual) {
  ParseResult r = ParseConfig("for = 1\nif = 2\ntrue = 3\nnull = 4\n", "k.hcl");
  ASSERT_FALSE(r.diags.HasErrors()) << r.diags.ToString();
  EXPECT_EQ(r.file->body->attributes.size(), 4u);
  EXPECT_EQ(ExprS("true"), "true");
  EXPECT_EQ(ExprS("null"), "null");
  EXPECT_EQ(ExprS("false"), "false");
}

TEST(ParserTest, NumbersKeepTheirText) {
  EXPECT_EQ(ExprS("007"), "007");
  EXPECT_EQ(ExprS("1.5e3"), "1.5e3");
  EXPECT_EQ(ExprS("1.e5"), "1.e5");
  EXPECT_EQ(ExprS("3.14159265358979323846264338327950288419716939937510582097494459"),
            "3.14159265358979323846264338327950288419716939937510582097494459");
}

TEST(ParserTest, StringEscapes) {
  EXPECT_EQ(ExprS(R"("a\nb\rc\td\"e\\f")"), "(tmpl \"a\nb\rc\td\"e\\f\")");
  EXPECT_EQ(ExprS(R"("\u00e9 \U0001F600")"), "(tmpl \"\xC3\xA9 \xF0\x9F\x98\x80\")");
  // `$${` and `%%{` are literal; the official AST splits the literal there.
  EXPECT_EQ(ExprS(R"("a$${b}%%{c}")"), "(tmpl \"a\" \"${\" \"b}\" \"%{\" \"c}\")");
  EXPECT_EQ(ExprS(R"("cost $5 and 100%")"), "(tmpl \"cost \" \"$\" \"5 and 100\" \"%\")");
  EXPECT_EQ(ExprS(R"("")"), "(tmpl \"\")");
}

TEST(ParserTest, StringsAreNfcNormalized) {
  EXPECT_EQ(ExprS(R"("an\u0303o")"), "(tmpl \"a\xC3\xB1o\")");
  EXPECT_EQ(ExprS("\"cafe\xCC\x81\""), "(tmpl \"caf\xC3\xA9\")");
  // Block labels are names, not values: hclsyntax leaves them as written.
  ParseResult r = ParseConfig("l \"e\\u0301\" {}\n", "l.hcl");
  ASSERT_FALSE(r.diags.HasErrors());
  EXPECT_EQ(r.file->body->blocks[0].labels[0], "e\xCC\x81");
}

TEST(ParserTest, TemplatesAndUnwrapping) {
  EXPECT_EQ(ExprS(R"("${true}")"), "(wrap true)");
  EXPECT_EQ(ExprS(R"("x${a}y")"), "(tmpl \"x\" a \"y\")");
  EXPECT_EQ(ExprS(R"("x${ "}" }y")"), "(tmpl \"x\" (tmpl \"}\") \"y\")");
  EXPECT_EQ(ExprS(R"("x${ {k="v"}.k }y")"), "(tmpl \"x\" (rel {k=(tmpl \"v\")} .k) \"y\")");
  EXPECT_EQ(ExprS(R"("x  ${~ "y" ~}  z")"), "(tmpl \"x\" (tmpl \"y\") \"z\")");
}

TEST(ParserTest, Directives) {
  EXPECT_EQ(ExprS(R"("%{ if true ~}  hi  %{~ endif }")"),
            "(tmpl (? true (tmpl \"hi\") (tmpl \"\")))");
  EXPECT_EQ(ExprS(R"("%{if c}a%{else}b%{endif}")"), "(tmpl (? c (tmpl \"a\") (tmpl \"b\")))");
  EXPECT_EQ(ExprS(R"("%{for k, v in m}${k}=${v},%{endfor}")"),
            "(tmpl (join (for k v m nil (tmpl k \"=\" v \",\") nil nogroup)))");
  EXPECT_EQ(ExprS(R"("%{for v in m}%{endfor}")"),
            "(tmpl (join (for _ v m nil (tmpl \"\") nil nogroup)))");
}

TEST(ParserTest, DirectiveRanges) {
  Diagnostics diags;
  ExprPtr e = ParseExpression("\"%{if c}a%{endif}\"", "d.hcl", Pos{}, &diags);
  ASSERT_FALSE(diags.HasErrors());
  const auto& cond = e->As<TemplateExpr>().parts[0]->As<ConditionalExpr>();
  EXPECT_EQ(R(cond.range), "1:2:1-1:18:17");
  EXPECT_EQ(R(cond.false_result->range), "1:10:9-1:10:9");  // empty, at the endif
}

TEST(ParserTest, BareTemplate) {
  EXPECT_EQ(TemplateS("hello ${name}!"), "(tmpl \"hello \" name \"!\")");
  EXPECT_EQ(TemplateS("${a}"), "(wrap a)");
  EXPECT_EQ(TemplateS("a\\n$"), "(tmpl \"a\\n\" \"$\")");  // no escapes outside quotes
  EXPECT_EQ(TemplateS(""), "(tmpl \"\")");
}

TEST(ParserTest, Heredocs) {
  EXPECT_EQ(AttrS("a = <<EOT\nfoo\n  bar \\n ${x}\nEOT\n"),
            "(tmpl \"foo\n\" \"  bar \\n \" x \"\n\")");
  EXPECT_EQ(AttrS("a = <<EOT\nEOT\n"), "(tmpl \"\")");
  EXPECT_EQ(AttrS("a = <<EOT\r\nx\r\nEOT\r\n"), "(tmpl \"x\r\n\")");
  EXPECT_EQ(AttrS("a = <<END_OF_TEXT\nx\n  END_OF_TEXT\n"), "(tmpl \"x\n\")");
  // `<<-` removes the smallest indentation; each whitespace character counts as one.
  EXPECT_EQ(AttrS("a = <<-EOT\n\tFoo\n  Bar\n  EOT\n"), "(tmpl \"Foo\n\" \" Bar\n\")");
  EXPECT_EQ(AttrS("a = <<-EOT\n    foo\n\n      ${x}\n    EOT\n"),
            "(tmpl \"foo\n\" \"\n\" \"  \" x \"\n\")");
  EXPECT_EQ(AttrS("a = \"${<<EOT\nhi\nEOT\n}\"\n"), "(wrap (tmpl \"hi\n\"))");
  // A line that starts with an interpolation has no indentation, so nothing is removed.
  EXPECT_EQ(AttrS("a = <<-EOT\n${x}\n  foo\n  EOT\n"), "(tmpl x \"\n\" \"  foo\n\")");
  // Lines of only whitespace do not count.
  EXPECT_EQ(AttrS("a = <<-EOT\n    a\n  \n    b\n  EOT\n"), "(tmpl \"a\n\" \"  \n\" \"b\n\")");
}

TEST(ParserTest, HeredocRanges) {
  ParseResult r = ParseConfig("a = <<-EOT\n    foo\n    EOT\n", "h.hcl");
  ASSERT_FALSE(r.diags.HasErrors());
  const Expr& e = *r.file->body->attributes[0].expr;
  EXPECT_EQ(R(e.range), "1:5:4-3:8:26");
  // The trimmed literal starts after the removed indentation.
  EXPECT_EQ(R(e.As<TemplateExpr>().parts[0]->range), "2:5:15-3:1:19");
}

TEST(ParserTest, OperatorPrecedence) {
  EXPECT_EQ(ExprS("1 + 2 * 3 - 4 / 2 % 3"), "(- (+ 1 (* 2 3)) (% (/ 4 2) 3))");
  EXPECT_EQ(ExprS("a || b && c == d < e + f * g"), "(|| a (&& b (== c (< d (+ e (* f g))))))");
  EXPECT_EQ(ExprS("a == b == c"), "(== (== a b) c)");
  EXPECT_EQ(ExprS("-46 + 5"), "(+ (-u 46) 5)");
  EXPECT_EQ(ExprS("!a.b && !!c"), "(&& (!u a.b) (!u (!u c)))");
  EXPECT_EQ(ExprS("(1 + 2) * 3"), "(* (paren (+ 1 2)) 3)");
  EXPECT_EQ(ExprS("true ? 1 : false ? 2 : 3"), "(? true 1 (? false 2 3))");
  EXPECT_EQ(ExprS("a ? b ? c : d : e"), "(? a (? b c d) e)");
  EXPECT_EQ(ExprS("a >= b != c <= d"), "(!= (>= a b) (<= c d))");
  EXPECT_EQ(ExprS("b-1"), "b-1");  // an identifier with a dash
  EXPECT_EQ(ExprS("b - 1"), "(- b 1)");
}

TEST(ParserTest, BinaryOpRanges) {
  Diagnostics diags;
  ExprPtr e = ParseExpression("1 +\n 2", "r.hcl", Pos{}, &diags);
  ASSERT_FALSE(diags.HasErrors());
  EXPECT_EQ(R(e->range), "1:1:0-2:3:6");
  ExprPtr neg = ParseExpression("- x", "r.hcl", Pos{}, &diags);
  EXPECT_EQ(R(neg->As<UnaryOpExpr>().symbol_range), "1:1:0-1:2:1");
}

TEST(ParserTest, CollectionsAndCalls) {
  EXPECT_EQ(ExprS("[1, \"a\",\n true,]"), "[1 (tmpl \"a\") true]");
  EXPECT_EQ(ExprS("[]"), "[]");
  EXPECT_EQ(ExprS("{a = 1, \"b\" : 2\n (c) = 3\n 4 = 5\n d.e = 6}"),
            "{a=1 (tmpl \"b\")=2 !(paren c)=3 4=5 d.e=6}");
  EXPECT_EQ(ExprS("{}"), "{}");
  EXPECT_EQ(ExprS("f()"), "(f())");
  EXPECT_EQ(ExprS("f(1,\n 2,\n)"), "(f() 1 2)");
  EXPECT_EQ(ExprS("f(a, xs...)"), "(f() a xs...)");
  Diagnostics diags;
  ExprPtr call = ParseExpression("upper(x)", "f.hcl", Pos{}, &diags);
  const auto& f = call->As<FunctionCallExpr>();
  EXPECT_EQ(R(f.range), "1:1:0-1:9:8");
  EXPECT_EQ(R(f.name_range), "1:1:0-1:6:5");
  EXPECT_EQ(R(f.open_paren_range), "1:6:5-1:7:6");
  EXPECT_EQ(R(f.close_paren_range), "1:8:7-1:9:8");
}

TEST(ParserTest, ForExpressions) {
  EXPECT_EQ(ExprS("[for s in xs : upper(s)]"), "(for _ s xs nil (upper() s) nil nogroup)");
  EXPECT_EQ(ExprS("[for i, s in xs : s if i > 0]"), "(for i s xs nil s (> i 0) nogroup)");
  EXPECT_EQ(ExprS("{for k, v in m : v => k...}"), "(for k v m v k nil group)");
  EXPECT_EQ(ExprS("{\nfor k, v in m :\n k => v\n}"), "(for k v m k v nil nogroup)");
  Diagnostics diags;
  ExprPtr e = ParseExpression("[for x in y: x]", "f.hcl", Pos{}, &diags);
  const auto& f = e->As<ForExpr>();
  EXPECT_EQ(R(f.open_range), "1:1:0-1:2:1");
  EXPECT_EQ(R(f.close_range), "1:15:14-1:16:15");
  EXPECT_EQ(R(f.value_var_range), "1:6:5-1:7:6");
}

TEST(ParserTest, TraversalsAndIndexes) {
  EXPECT_EQ(ExprS("var.datacenter"), "var.datacenter");
  EXPECT_EQ(ExprS("a.b[0][\"k\"][true]"), "a.b[0][\"k\"][true]");
  EXPECT_EQ(ExprS("foo.0.bar"), "foo[0].bar");  // the legacy index
  EXPECT_EQ(ExprS("a[b]"), "(index a b)");
  EXPECT_EQ(ExprS("a[\"${b}\"]"), "(index a (wrap b))");
  EXPECT_EQ(ExprS("f(x).a[0]"), "(rel (f() x) .a[0])");
  EXPECT_EQ(ExprS("[1][0]"), "(rel [1] [0])");
  Diagnostics diags;
  ExprPtr e = ParseExpression("a.b[0]", "t.hcl", Pos{}, &diags);
  const Traversal& t = e->As<ScopeTraversalExpr>().traversal;
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].kind, TraverseStep::Kind::kRoot);
  EXPECT_EQ(R(t[1].range), "1:2:1-1:4:3");
  EXPECT_EQ(R(t[2].range), "1:4:3-1:7:6");
  EXPECT_EQ(R(e->range), "1:1:0-1:7:6");
}

TEST(ParserTest, Splats) {
  EXPECT_EQ(ExprS("list[*].a[0]"), "(splat list (rel _ .a[0]))");
  EXPECT_EQ(ExprS("list[*]"), "(splat list _)");
  EXPECT_EQ(ExprS("list.*.a.0"), "(splat list (rel _ .a[0]))");
  // An attribute-only splat stops at the first bracket.
  EXPECT_EQ(ExprS("x.*.y[0].z"), "(rel (splat x (rel _ .y)) [0].z)");
  EXPECT_EQ(ExprS("x[*].y[*].z"), "(splat x (splat (rel _ .y) (rel _ .z)))");
  Diagnostics diags;
  ExprPtr e = ParseExpression("x.*.y", "s.hcl", Pos{}, &diags);
  const auto& s = e->As<SplatExpr>();
  EXPECT_EQ(R(s.range), "1:1:0-1:6:5");
  EXPECT_EQ(R(s.marker_range), "1:2:1-1:4:3");
  EXPECT_EQ(s.item, &s.each->As<RelativeTraversalExpr>().source->As<AnonSymbolExpr>());
  ExprPtr full = ParseExpression("x[*]", "s.hcl", Pos{}, &diags);
  EXPECT_EQ(full->As<SplatExpr>().item, full->As<SplatExpr>().each.get());
}

TEST(ParserTest, ParseTraversalAbs) {
  Diagnostics diags;
  Traversal t = ParseTraversalAbs("a.b[0][\"c\"]", "t", Pos{}, &diags);
  EXPECT_FALSE(diags.HasErrors());
  EXPECT_EQ(Steps(t), "a.b[0][\"c\"]");
  EXPECT_EQ(R(t[3].range), "1:7:6-1:12:11");

  Diagnostics bad;
  ParseTraversalAbs("a[b]", "t", Pos{}, &bad);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].summary, "Index value required");
  EXPECT_EQ(P(bad[0].subject.start), "1:3:2");
}

TEST(ParserTest, FileKeepsItsSource) {
  ParseResult r = ParseConfig("a = \"x${y}\"\n", "src.hcl");
  const Attribute& a = r.file->body->attributes[0];
  EXPECT_EQ(r.file->Text(a.expr->range), "\"x${y}\"");
  EXPECT_EQ(r.file->Text(a.src_range), "a = \"x${y}\"");
}

TEST(AstTest, Names) {
  EXPECT_EQ(ExprKindName(ExprKind::kTemplateWrap), "TemplateWrap");
  EXPECT_EQ(ExprKindName(ExprKind::kScopeTraversal), "ScopeTraversal");
  EXPECT_EQ(BinaryOpSymbol(BinaryOp::kAdd), "+");
  EXPECT_EQ(BinaryOpSymbol(BinaryOp::kLessOrEqual), "<=");
  EXPECT_EQ(UnaryOpSymbol(UnaryOp::kNot), "!");
  EXPECT_EQ(UnaryOpSymbol(UnaryOp::kNegate), "-");
}

}  // namespace
}  // namespace meshgw::hcl
