// libFuzzer target for the HCL native syntax: the input is parsed as a config file, as an
// expression and as a template; every attribute and expression is evaluated without a context;
// the input is formatted. Under ASan/UBSan none of this may crash, leak or hang, and:
//   - every source range of the tree lies within the input, start before end (after a syntax
//     error an end may be left unset, {0,0,0}, exactly as hclsyntax does for an unclosed
//     function call: `a = f(` has the range 1:5 to 0:0 there too);
//   - formatting an input that parses changes nothing but whitespace.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hcl/eval/eval.h"
#include "hcl/format/format.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl {
namespace {

[[noreturn]] void Fail(const char* what, const Range& r, size_t size) {
  std::fprintf(stderr, "invariant broken: %s: range %d..%d (line %d:%d-%d:%d) in %zu bytes\n", what,
               r.start.byte, r.end.byte, r.start.line, r.start.column, r.end.line, r.end.column,
               size);
  std::abort();
}

// Set while checking a tree that came with errors (see the file comment).
bool allow_unset_end = false;

void CheckRange(const Range& r, size_t size, const char* what) {
  if (allow_unset_end && r.end == Pos{0, 0, 0}) return;
  if (r.start.byte < 0 || r.start.byte > r.end.byte || static_cast<size_t>(r.end.byte) > size) {
    Fail(what, r, size);
  }
}

void CheckExpr(const Expr* e, size_t size);

void CheckTraversal(const Traversal& t, size_t size) {
  for (const TraverseStep& s : t) CheckRange(s.range, size, "traversal step");
}

void CheckExpr(const Expr* e, size_t size) {
  if (e == nullptr) return;
  CheckRange(e->range, size, "expression");
  switch (e->kind) {
    case ExprKind::kLiteral:
    case ExprKind::kAnonSymbol:
      return;
    case ExprKind::kTemplate:
      for (const ExprPtr& p : e->As<TemplateExpr>().parts) CheckExpr(p.get(), size);
      return;
    case ExprKind::kTemplateWrap:
      CheckExpr(e->As<TemplateWrapExpr>().wrapped.get(), size);
      return;
    case ExprKind::kTemplateJoin:
      CheckExpr(e->As<TemplateJoinExpr>().tuple.get(), size);
      return;
    case ExprKind::kScopeTraversal:
      CheckTraversal(e->As<ScopeTraversalExpr>().traversal, size);
      return;
    case ExprKind::kRelativeTraversal:
      CheckExpr(e->As<RelativeTraversalExpr>().source.get(), size);
      CheckTraversal(e->As<RelativeTraversalExpr>().traversal, size);
      return;
    case ExprKind::kFunctionCall:
      for (const ExprPtr& a : e->As<FunctionCallExpr>().args) CheckExpr(a.get(), size);
      return;
    case ExprKind::kConditional: {
      const auto& c = e->As<ConditionalExpr>();
      CheckExpr(c.condition.get(), size);
      CheckExpr(c.true_result.get(), size);
      CheckExpr(c.false_result.get(), size);
      return;
    }
    case ExprKind::kBinaryOp:
      CheckExpr(e->As<BinaryOpExpr>().lhs.get(), size);
      CheckExpr(e->As<BinaryOpExpr>().rhs.get(), size);
      return;
    case ExprKind::kUnaryOp:
      CheckExpr(e->As<UnaryOpExpr>().operand.get(), size);
      return;
    case ExprKind::kParentheses:
      CheckExpr(e->As<ParenthesesExpr>().inner.get(), size);
      return;
    case ExprKind::kTuple:
      for (const ExprPtr& i : e->As<TupleExpr>().items) CheckExpr(i.get(), size);
      return;
    case ExprKind::kObject:
      for (const ObjectItem& i : e->As<ObjectExpr>().items) {
        CheckExpr(i.key.get(), size);
        CheckExpr(i.value.get(), size);
      }
      return;
    case ExprKind::kObjectKey:
      CheckExpr(e->As<ObjectKeyExpr>().wrapped.get(), size);
      return;
    case ExprKind::kFor: {
      const auto& f = e->As<ForExpr>();
      CheckExpr(f.collection.get(), size);
      CheckExpr(f.key_expr.get(), size);
      CheckExpr(f.value_expr.get(), size);
      CheckExpr(f.cond_expr.get(), size);
      return;
    }
    case ExprKind::kIndex:
      CheckExpr(e->As<IndexExpr>().collection.get(), size);
      CheckExpr(e->As<IndexExpr>().key.get(), size);
      return;
    case ExprKind::kSplat:
      CheckExpr(e->As<SplatExpr>().source.get(), size);
      CheckExpr(e->As<SplatExpr>().each.get(), size);
      return;
  }
}

void CheckAndEvaluateBody(const Body& body, size_t size) {
  CheckRange(body.src_range, size, "body");
  for (const Attribute& a : body.attributes) {
    CheckRange(a.src_range, size, "attribute");
    CheckRange(a.name_range, size, "attribute name");
    CheckExpr(a.expr.get(), size);
    if (a.expr != nullptr) {
      Diagnostics diags;
      Evaluate(*a.expr, nullptr, &diags);
    }
  }
  for (const Block& b : body.blocks) {
    CheckRange(b.type_range, size, "block type");
    for (const Range& r : b.label_ranges) CheckRange(r, size, "block label");
    CheckRange(b.open_brace_range, size, "block open brace");
    if (b.body != nullptr) CheckAndEvaluateBody(*b.body, size);
  }
}

std::string WithoutWhitespace(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t') out += c;
  }
  return out;
}

}  // namespace
}  // namespace meshgw::hcl

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meshgw::hcl;  // NOLINT: a fuzz entry point
  const std::string src(reinterpret_cast<const char*>(data), size);

  ParseResult config = ParseConfig(src, "fuzz.hcl");
  allow_unset_end = config.diags.HasErrors();
  if (config.file != nullptr && config.file->body != nullptr) {
    CheckAndEvaluateBody(*config.file->body, config.file->bytes.size());
  }

  Diagnostics expr_diags;
  ExprPtr expr = ParseExpression(src, "fuzz.hcl", Pos{}, &expr_diags);
  allow_unset_end = expr_diags.HasErrors();
  CheckExpr(expr.get(), size);
  if (expr != nullptr) Evaluate(*expr, nullptr, &expr_diags);

  Diagnostics tmpl_diags;
  ExprPtr tmpl = ParseTemplate(src, "fuzz.hcl", Pos{}, &tmpl_diags);
  allow_unset_end = tmpl_diags.HasErrors();
  CheckExpr(tmpl.get(), size);
  if (tmpl != nullptr) Evaluate(*tmpl, nullptr, &tmpl_diags);

  std::string formatted = Format(src);
  if (!config.diags.HasErrors()) {
    std::string_view body = src;
    if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
    if (WithoutWhitespace(formatted) != WithoutWhitespace(body)) {
      std::fprintf(stderr, "invariant broken: formatting changed more than whitespace\n");
      std::abort();
    }
  }
  return 0;
}
