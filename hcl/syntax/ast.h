// The syntax tree of HCL native syntax, as the parser (`hcl/syntax/parser.h`) builds it.
//
// The node kinds follow the official implementation's hclsyntax package one for one (Literal,
// Template, TemplateWrap, TemplateJoin, ScopeTraversal, RelativeTraversal, FunctionCall,
// Conditional, BinaryOp, UnaryOp, Parentheses, Tuple, Object, ObjectKey, For, Index, Splat,
// AnonSymbol), so that evaluation and diagnostics can match it exactly: template directives
// `%{if}` and `%{for}` become Conditional and For nodes inside templates, as there.
//
// Nodes are plain data owned by their parent through `std::unique_ptr`; a `File` owns its source
// bytes and the root `Body`. Every node has its source range. Immutable after parsing, so a tree
// may be read from several threads.
#ifndef MESHGW_HCL_SYNTAX_AST_H_
#define MESHGW_HCL_SYNTAX_AST_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hcl/source.h"

namespace meshgw::hcl {

// A constant written in the source, before evaluation. Numbers keep their decimal source text
// (e.g. "1.5e3", "007") so no precision is lost before the evaluator converts them.
struct LiteralValue {
  enum class Kind { kNull, kBool, kNumber, kString };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // kNumber: the literal's digits as written; kString: decoded, NFC-normalized

  static LiteralValue Null() { return {}; }
  static LiteralValue Bool(bool b) { return {Kind::kBool, b, {}}; }
  static LiteralValue Number(std::string digits) {
    return {Kind::kNumber, false, std::move(digits)};
  }
  static LiteralValue String(std::string s) { return {Kind::kString, false, std::move(s)}; }
};

// One step of a traversal: `root` in `root.attr[0]`, `.attr`, `[0]` or `["k"]`, or the legacy
// index `.0` (an index step with a number key).
struct TraverseStep {
  enum class Kind { kRoot, kAttr, kIndex };
  Kind kind = Kind::kAttr;
  std::string name;  // kRoot and kAttr
  LiteralValue key;  // kIndex: a number or string constant
  Range range;
};
using Traversal = std::vector<TraverseStep>;

enum class ExprKind {
  kLiteral,
  kTemplate,
  kTemplateWrap,
  kTemplateJoin,
  kScopeTraversal,
  kRelativeTraversal,
  kFunctionCall,
  kConditional,
  kBinaryOp,
  kUnaryOp,
  kParentheses,
  kTuple,
  kObject,
  kObjectKey,
  kFor,
  kIndex,
  kSplat,
  kAnonSymbol,
};

// ExprKindName(kTemplateWrap) == "TemplateWrap": the names the oracle JSON uses.
std::string_view ExprKindName(ExprKind kind);

struct Expr {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // Downcast by kind: `if (e.kind == ExprKind::kTuple) { auto& t = e.As<TupleExpr>(); ... }`.
  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }

  const ExprKind kind;
  Range range;
};
using ExprPtr = std::unique_ptr<Expr>;

struct LiteralExpr : Expr {
  LiteralExpr() : Expr(ExprKind::kLiteral) {}
  LiteralValue value;
};

// A quoted string, heredoc or template: the parts are literals and expressions, joined as strings.
struct TemplateExpr : Expr {
  TemplateExpr() : Expr(ExprKind::kTemplate) {}
  std::vector<ExprPtr> parts;
};

// A template that is exactly one interpolation, "${expr}": its value is expr's, unconverted.
struct TemplateWrapExpr : Expr {
  TemplateWrapExpr() : Expr(ExprKind::kTemplateWrap) {}
  ExprPtr wrapped;
};

// The result of a `%{for}` directive: `tuple` (a For expression yielding strings) joined together.
struct TemplateJoinExpr : Expr {
  TemplateJoinExpr() : Expr(ExprKind::kTemplateJoin) {}
  ExprPtr tuple;
};

// A variable reference with its static steps: `var.datacenter`, `a.b[0]["k"]`, `foo.0.bar`.
struct ScopeTraversalExpr : Expr {
  ScopeTraversalExpr() : Expr(ExprKind::kScopeTraversal) {}
  Traversal traversal;  // traversal[0].kind == kRoot
};

// Static steps applied to the result of another expression: `f(x).a[0]`.
struct RelativeTraversalExpr : Expr {
  RelativeTraversalExpr() : Expr(ExprKind::kRelativeTraversal) {}
  ExprPtr source;
  Traversal traversal;  // no root step
};

struct FunctionCallExpr : Expr {
  FunctionCallExpr() : Expr(ExprKind::kFunctionCall) {}
  std::string name;
  std::vector<ExprPtr> args;
  bool expand_final = false;  // `f(a, xs...)`
  Range name_range;
  Range open_paren_range;
  Range close_paren_range;
};

struct ConditionalExpr : Expr {
  ConditionalExpr() : Expr(ExprKind::kConditional) {}
  ExprPtr condition;
  ExprPtr true_result;
  ExprPtr false_result;
};

enum class BinaryOp {
  kOr,
  kAnd,
  kEqual,
  kNotEqual,
  kGreater,
  kGreaterOrEqual,
  kLess,
  kLessOrEqual,
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo
};
enum class UnaryOp { kNot, kNegate };

// BinaryOpSymbol(kAdd) == "+"; UnaryOpSymbol(kNot) == "!".
std::string_view BinaryOpSymbol(BinaryOp op);
std::string_view UnaryOpSymbol(UnaryOp op);

struct BinaryOpExpr : Expr {
  BinaryOpExpr() : Expr(ExprKind::kBinaryOp) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
};

struct UnaryOpExpr : Expr {
  UnaryOpExpr() : Expr(ExprKind::kUnaryOp) {}
  UnaryOp op = UnaryOp::kNot;
  ExprPtr operand;
  Range symbol_range;
};

struct ParenthesesExpr : Expr {
  ParenthesesExpr() : Expr(ExprKind::kParentheses) {}
  ExprPtr inner;
};

struct TupleExpr : Expr {
  TupleExpr() : Expr(ExprKind::kTuple) {}
  std::vector<ExprPtr> items;
  Range open_range;
};

// The key of an object item. A bare identifier (`name = 1`) is the string "name" unless
// `force_non_literal` (it was written in parentheses, `(name) = 1`), when it is evaluated.
struct ObjectKeyExpr : Expr {
  ObjectKeyExpr() : Expr(ExprKind::kObjectKey) {}
  ExprPtr wrapped;
  bool force_non_literal = false;
};

struct ObjectItem {
  ExprPtr key;  // an ObjectKeyExpr
  ExprPtr value;
};

struct ObjectExpr : Expr {
  ObjectExpr() : Expr(ExprKind::kObject) {}
  std::vector<ObjectItem> items;
  Range open_range;
};

// `[for k, v in coll : val if cond]` or `{for k, v in coll : key => val... if cond}`.
struct ForExpr : Expr {
  ForExpr() : Expr(ExprKind::kFor) {}
  std::string key_var;  // empty when only one variable is named
  std::string value_var;
  ExprPtr collection;
  ExprPtr key_expr;  // null for the tuple form
  ExprPtr value_expr;
  ExprPtr cond_expr;   // null without `if`
  bool group = false;  // `...` after the value: group values by key
  Range key_var_range;
  Range value_var_range;
  Range open_range;
  Range close_range;
};

// `coll[key]` where key is not a constant.
struct IndexExpr : Expr {
  IndexExpr() : Expr(ExprKind::kIndex) {}
  ExprPtr collection;
  ExprPtr key;
  Range bracket_range;
};

// `source[*].each` or `source.*.each`: `each` is evaluated for every element, which it reaches
// through `item` (an AnonSymbolExpr, owned by `each`'s subtree or by this node when each is just
// the symbol).
struct AnonSymbolExpr;
struct SplatExpr : Expr {
  SplatExpr() : Expr(ExprKind::kSplat) {}
  ExprPtr source;
  ExprPtr each;
  const AnonSymbolExpr* item = nullptr;  // the placeholder inside `each`
  Range marker_range;                    // `[*]` or `.*`
};

struct AnonSymbolExpr : Expr {
  AnonSymbolExpr() : Expr(ExprKind::kAnonSymbol) {}
};

struct Body;

struct Attribute {
  std::string name;
  ExprPtr expr;
  Range src_range;  // the whole `name = expr`
  Range name_range;
  Range equals_range;
};

struct Block {
  std::string type;
  std::vector<std::string> labels;
  std::unique_ptr<Body> body;
  Range type_range;
  std::vector<Range> label_ranges;
  Range open_brace_range;
  Range close_brace_range;

  // The range diagnostics about the block as a whole point at: type and labels.
  Range DefRange() const;
};

struct Body {
  std::vector<Attribute> attributes;  // in source order; names are unique within a body
  std::vector<Block> blocks;          // in source order
  Range src_range;
  Range end_range;  // an empty range at the end, for "missing attribute" diagnostics

  // Attribute named `name`, or nullptr.
  const Attribute* FindAttribute(std::string_view name) const;
};

// A parsed file: the source it was parsed from (ranges index into `bytes`) and its body.
struct File {
  std::string_view filename;  // interned
  std::string bytes;
  std::unique_ptr<Body> body;

  // The source text of `r` (which must lie in this file).
  std::string_view Text(const Range& r) const {
    return std::string_view(bytes).substr(r.start.byte, r.end.byte - r.start.byte);
  }
};

}  // namespace meshgw::hcl

#endif  // MESHGW_HCL_SYNTAX_AST_H_
