// Body content by schema: which attributes and blocks a body holds, checked against what the
// caller expects (the official implementation's `Body.Content` / `PartialContent` /
// `JustAttributes`, with the same diagnostics: "Unsupported argument" with a did-you-mean,
// "Missing required argument", "Unsupported block type", "Missing <label> for <type>",
// "Extraneous label for <type>", and for JSON bodies "Extraneous JSON object property", ...).
//
// It works over an abstract `SyntaxBody` so that the same decoding code serves both syntaxes:
// `NativeBody(ast_body)` wraps a body of the native syntax (`hcl/syntax/ast.h`), and
// `hcl/jsonsyntax/jsonsyntax.h` provides bodies of HCL's JSON syntax. Attribute expressions are
// `SyntaxExpr`s; evaluate them with `EvaluateExpr` (native expressions are evaluated by
// `hcl/eval/eval.h`, JSON ones as HCL's JSON syntax defines: strings are templates when there is a
// context).
//
//   BodySchema schema{.attributes = {{"name", /*required=*/true}, {"port"}},
//                     .blocks = {{"service", {"name"}}}};
//   Diagnostics diags;
//   std::shared_ptr<const SyntaxBody> body = NativeBody(*file->body);
//   BodyContent content = body->Content(schema, &diags);
//   if (const ContentAttribute* a = content.Find("port")) {
//     Value port = EvaluateExpr(*a->expr, &ctx, &diags);
//   }
//   for (const ContentBlock& b : content.blocks) { ... b.labels[0] ... b.body->Content(...) ... }
//
// A body, its content and its expressions point into the parsed file they came from: keep the
// file (`File`, `JsonFile`) alive while using them. Everything here is immutable once built, so
// several threads may read and evaluate it (a JSON string is parsed as a template anew on each
// evaluation, as upstream does, so nothing is cached).
//
// Everything in this header is inline or abstract on purpose: `hcl_jsonsyntax` implements these
// interfaces without linking `hcl_decode`. Only `NativeBody`, `NativeExpr`, `MergeBodies`,
// `EvaluateExpr` and `ExprVariables` live in content.cc.
#ifndef MESHGW_HCL_DECODE_CONTENT_H_
#define MESHGW_HCL_DECODE_CONTENT_H_

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hcl/diagnostic.h"
#include "hcl/source.h"
#include "hcl/syntax/ast.h"
#include "hcl/value/value.h"

namespace meshgw::hcl {

struct EvalContext;  // hcl/eval/eval.h

// ---------------------------------------------------------------------------------------------
// Schema (hcl.BodySchema)

struct AttributeSchema {
  std::string name;
  bool required = false;
};

struct BlockHeaderSchema {
  std::string type;
  std::vector<std::string> label_names;  // one per label the block must have, e.g. {"name"}
};

struct BodySchema {
  std::vector<AttributeSchema> attributes;
  std::vector<BlockHeaderSchema> blocks;
};

// ---------------------------------------------------------------------------------------------
// Expressions of either syntax (hcl.Expression)

class SyntaxExpr {
 public:
  // Evaluates one native-syntax expression: the whole expression of the native syntax, or a
  // template found in a JSON string.
  using NativeEvaluator = std::function<Value(const Expr& expr, Diagnostics* diags)>;

  virtual ~SyntaxExpr() = default;

  // The source range of the whole expression.
  virtual Range range() const = 0;

  // The native syntax tree when the expression was written in the native syntax; null for JSON.
  virtual const Expr* native() const = 0;

  // Evaluate computes the value. `has_context` is false when evaluating without any context
  // (JSON strings are then taken literally, as the official implementation does for a nil
  // context). Problems are added to `diags`; the result is then unknown or partial.
  virtual Value Evaluate(const NativeEvaluator& eval_native, bool has_context,
                         Diagnostics* diags) const = 0;

  // ForEachNative calls `visit` with every native expression this expression is made of (itself
  // for native syntax; the parsed templates of its strings and object keys for JSON, skipping
  // any that fail to parse), so that variable analysis works for both syntaxes.
  virtual void ForEachNative(const std::function<void(const Expr&)>& visit) const = 0;
};

// ---------------------------------------------------------------------------------------------
// Content

class SyntaxBody;

struct ContentAttribute {
  std::string name;
  std::shared_ptr<const SyntaxExpr> expr;
  Range range;       // the whole definition, `name = expr`
  Range name_range;  // the name alone
};

struct ContentBlock {
  std::string type;
  std::vector<std::string> labels;
  std::shared_ptr<const SyntaxBody> body;
  Range def_range;  // what diagnostics about the block point at (type and labels)
  Range type_range;
  std::vector<Range> label_ranges;
};

struct BodyContent {
  std::vector<ContentAttribute> attributes;  // in source order
  std::vector<ContentBlock> blocks;          // in source order
  Range missing_item_range;                  // where to point "missing ..." diagnostics

  // Find returns the attribute named `name`, or nullptr.
  const ContentAttribute* Find(std::string_view name) const {
    for (const ContentAttribute& a : attributes) {
      if (a.name == name) return &a;
    }
    return nullptr;
  }
};

// A body (the contents of a file or a block) in either syntax (hcl.Body).
class SyntaxBody {
 public:
  virtual ~SyntaxBody() = default;

  // Content returns the attributes and blocks `schema` asks for and reports anything else in the
  // body as an error ("Unsupported argument", "Unsupported block type", or for JSON "Extraneous
  // JSON object property"), plus missing required attributes and wrong label counts.
  virtual BodyContent Content(const BodySchema& schema, Diagnostics* diags) const = 0;

  // PartialContent is Content without the errors about unexpected items: those stay in
  // `*remain` (when non-null), a body that hides what was taken here, for another decoder.
  virtual BodyContent PartialContent(const BodySchema& schema,
                                     std::shared_ptr<const SyntaxBody>* remain,
                                     Diagnostics* diags) const = 0;

  // JustAttributes returns every attribute of a body that has no blocks (a block is an error,
  // "Unexpected \"x\" block"), in source order.
  virtual std::vector<ContentAttribute> JustAttributes(Diagnostics* diags) const = 0;

  // Where diagnostics about something missing from this body point.
  virtual Range MissingItemRange() const = 0;
};

// NativeBody wraps a body of the native syntax; `body` must outlive the result and everything
// obtained from it.
std::shared_ptr<const SyntaxBody> NativeBody(const Body& body);

// MergeBodies presents several bodies (e.g. the files of a directory) as one (hcl.MergeBodies):
// content is gathered from each in order, an attribute set in two of them is an error
// ("Duplicate argument"), and a required attribute must be set in one of them.
std::shared_ptr<const SyntaxBody> MergeBodies(
    std::vector<std::shared_ptr<const SyntaxBody>> bodies);

// NativeExpr wraps an expression of the native syntax (which must outlive the result).
std::shared_ptr<const SyntaxExpr> NativeExpr(const Expr& expr);

// EvaluateExpr evaluates `expr` with hcl/eval's `Evaluate`; `ctx` may be null (constants only;
// JSON strings are then literal).
Value EvaluateExpr(const SyntaxExpr& expr, const EvalContext* ctx, Diagnostics* diags);

// ExprVariables lists the variables `expr` refers to (hcl.Expression.Variables): every absolute
// traversal, in source order, not counting the names a for expression or splat declares.
std::vector<Traversal> ExprVariables(const SyntaxExpr& expr);
std::vector<Traversal> ExprVariables(const Expr& expr);

// ---------------------------------------------------------------------------------------------
// Helpers shared by the syntaxes

// NameSuggestion returns the first of `candidates` within edit distance 2 of `given` (counted in
// Unicode code points), or "" — the official "Did you mean ...?" rule.
inline std::string NameSuggestion(std::string_view given,
                                  const std::vector<std::string>& candidates);

// QuoteName returns `s` in double quotes with `"` and `\` escaped and control characters as
// \n, \t or \x.., as Go's %q prints names in the official messages.
inline std::string QuoteName(std::string_view s);

// ---------------------------------------------------------------------------------------------
// Implementation details of the inline helpers.

namespace content_internal {

inline std::vector<char32_t> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

inline size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<char32_t> x = CodePoints(a), y = CodePoints(b);
  std::vector<size_t> row(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      size_t up = row[j];
      size_t best = std::min(row[j] + 1, row[j - 1] + 1);
      best = std::min(best, diag + (x[i - 1] == y[j - 1] ? 0 : 1));
      row[j] = best;
      diag = up;
    }
  }
  return row[y.size()];
}

}  // namespace content_internal

inline std::string QuoteName(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

inline std::string NameSuggestion(std::string_view given,
                                  const std::vector<std::string>& candidates) {
  for (const std::string& c : candidates) {
    if (content_internal::EditDistance(given, c) < 3) return c;
  }
  return "";
}

}  // namespace meshgw::hcl

#endif  // MESHGW_HCL_DECODE_CONTENT_H_
