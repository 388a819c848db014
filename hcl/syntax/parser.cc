// The recursive-descent parser of HCL native syntax (see parser.h).
//
// It follows hclsyntax 2.14.1 decision for decision, because callers compare its diagnostics with
// the official parser's: the same token look-ahead, the same "recovery" flag that, once set,
// silences follow-on errors for the rest of the file, and the same recovery scans. Templates are
// parsed in two passes like there: the token stream becomes a flat list of template parts
// (literals with strip markers applied, interpolations, directive openers and closers), then the
// parts become a tree in which `%{if}` is a Conditional and `%{for}` a TemplateJoin over a For.
//
// A Parser reads one token vector and is used by one thread; the functions of parser.h make their
// own, so they are thread-safe.
#include "hcl/syntax/parser.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hcl/syntax/internal/string_lit.h"
#include "hcl/syntax/internal/unicode.h"
#include "hcl/syntax/lexer.h"

namespace meshgw::hcl {
namespace {

using TT = TokenType;

std::string Quoted(std::string_view s) { return internal::GoQuote(s); }

Range EmptyRangeAt(const Range& r, bool at_end) {
  Pos p = at_end ? r.end : r.start;
  return Range{r.filename, p, p};
}

template <typename T>
std::unique_ptr<T> MakeExpr(const Range& r) {
  auto e = std::make_unique<T>();
  e->range = r;
  return e;
}

// A placeholder where an expression could not be parsed (hclsyntax uses cty.DynamicVal).
ExprPtr Placeholder(const Range& r) { return MakeExpr<LiteralExpr>(r); }

// Nesting limits, far beyond any real configuration, so that hostile input cannot exhaust the
// stack (hclsyntax has none: it overflows its own stack some ten thousand levels down). A level
// of brackets, templates or directives counts two towards kMaxDepth, an operator or a unary sign
// one. Worst case, the stack stays around a megabyte, a few under sanitizers.
constexpr int kMaxDepth = 500;
constexpr int kMaxBlockDepth = 100;

struct DepthGuard {
  explicit DepthGuard(int* depth) : depth(depth) { ++*depth; }
  ~DepthGuard() { --*depth; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
  int* depth;
};

// Binary operator precedence levels, loosest first.
struct OpLevel {
  TT tokens[4];
  BinaryOp ops[4];
  int count;
};
constexpr OpLevel kBinaryLevels[] = {
    {{TT::kOr}, {BinaryOp::kOr}, 1},
    {{TT::kAnd}, {BinaryOp::kAnd}, 1},
    {{TT::kEqualOp, TT::kNotEqual}, {BinaryOp::kEqual, BinaryOp::kNotEqual}, 2},
    {{TT::kGreaterThan, TT::kGreaterThanEq, TT::kLessThan, TT::kLessThanEq},
     {BinaryOp::kGreater, BinaryOp::kGreaterOrEqual, BinaryOp::kLess, BinaryOp::kLessOrEqual},
     4},
    {{TT::kPlus, TT::kMinus}, {BinaryOp::kAdd, BinaryOp::kSubtract}, 2},
    {{TT::kStar, TT::kSlash, TT::kPercent},
     {BinaryOp::kMultiply, BinaryOp::kDivide, BinaryOp::kModulo},
     3},
};
constexpr int kNumBinaryLevels = sizeof(kBinaryLevels) / sizeof(kBinaryLevels[0]);

bool IsKeyword(const Token& t, std::string_view kw) {
  return t.type == TT::kIdent && t.bytes == kw;
}

// The flat form of a template, before directives are matched up.
struct TemplatePart {
  enum class Kind { kLiteral, kInterp, kIf, kFor, kElse, kEndIf, kEndFor, kEnd };
  Kind kind = Kind::kEnd;
  Range range;
  std::string literal;  // kLiteral: the decoded text, before NFC
  ExprPtr expr;         // kInterp: the expression; kIf: the condition; kFor: the collection
  std::string key_var, value_var;  // kFor
  Range key_var_range, value_var_range;

  std::string_view EndName() const {
    switch (kind) {
      case Kind::kElse:
        return "else";
      case Kind::kEndIf:
        return "endif";
      default:
        return "endfor";
    }
  }
};

TemplatePart MakePart(TemplatePart::Kind kind, const Range& range, ExprPtr expr = nullptr) {
  TemplatePart part;
  part.kind = kind;
  part.range = range;
  part.expr = std::move(expr);
  return part;
}

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, Diagnostics* diags) : toks_(tokens), diags_(diags) {
    newlines_.reserve(16);
    newlines_.push_back(true);
  }

  // ---- token peeking (hclsyntax's peeker) ----

  Token Peek() {
    size_t next;
    return NextToken(&next);
  }
  Token Read() {
    size_t next;
    Token t = NextToken(&next);
    next_ = next;
    return t;
  }
  TT PeekType() const {
    bool as_newline;
    size_t i = NextIndex(&as_newline);
    return as_newline ? TT::kNewline : toks_[i].type;
  }
  Range NextRange() { return Peek().range; }
  Range PrevRange() {
    if (next_ == 0) return NextRange();
    return toks_[next_ - 1].range;
  }
  void PushNewlines(bool include) { newlines_.push_back(include); }
  void PopNewlines() { newlines_.pop_back(); }
  bool recovery() const { return recovery_; }

  // ---- bodies ----

  std::unique_ptr<Body> ParseBody(TT end) {
    auto body = std::make_unique<Body>();
    Range start_range = PrevRange();
    Range end_range;
    if (block_depth_ >= kMaxBlockDepth) {
      if (!recovery_) {
        Error("Blocks nested too deeply",
              "This block is nested more deeply than this parser accepts (" +
                  std::to_string(kMaxBlockDepth) + " levels).",
              start_range);
      }
      end_range = Recover(end).range;
      body->src_range = Range::Between(start_range, end_range);
      body->end_range = EmptyRangeAt(end_range, /*at_end=*/true);
      return body;
    }
    DepthGuard guard(&block_depth_);
    for (;;) {
      Token next = Peek();
      if (next.type == end) {
        end_range = NextRange();
        Read();
        break;
      }
      if (next.type == TT::kNewline) {
        Read();
        continue;
      }
      if (next.type == TT::kIdent) {
        ParseBodyItem(body.get());
        continue;
      }
      Token bad = Read();
      if (!recovery_) {
        if (bad.type == TT::kOQuote) {
          Error("Invalid argument name", "Argument names must not be quoted.", bad.range);
        } else if (bad.type == TT::kEOF) {
          if (end == TT::kCBrace) {
            Error("Unclosed configuration block",
                  "There is no closing brace for this block before the end of the file. This "
                  "may be caused by incorrect brace nesting elsewhere in this file.",
                  start_range);
          } else {
            Error("Unclosed configuration body",
                  "Found end of file before the end of this configuration body.", start_range);
          }
        } else {
          Error("Argument or block definition required",
                "An argument or block definition is required here.", bad.range);
        }
      }
      end_range = PrevRange();
      Recover(end);
      break;
    }
    body->src_range = Range::Between(start_range, end_range);
    body->end_range = EmptyRangeAt(end_range, /*at_end=*/true);
    return body;
  }

  // Parses one attribute or block into `body`.
  void ParseBodyItem(Body* body) {
    Diagnostics* diags = diags_;
    Token ident = Read();
    Token next = Peek();
    if (next.type == TT::kEqual) {
      Attribute attr = FinishAttribute(ident, /*single_line=*/false);
      AddAttribute(body, std::move(attr));
      return;
    }
    if (next.type == TT::kOQuote || next.type == TT::kOBrace || next.type == TT::kIdent) {
      body->blocks.push_back(FinishBlock(ident));
      return;
    }
    RecoverAfterBodyItem();
    diags->AddError("Argument or block definition required",
                    "An argument or block definition is required here. To set an argument, use "
                    "the equals sign \"=\" to introduce the argument value.",
                    ident.range);
  }

  void AddAttribute(Body* body, Attribute attr) {
    Diagnostics* diags = diags_;
    if (const Attribute* existing = body->FindAttribute(attr.name)) {
      diags->AddError("Attribute redefined",
                      "The argument " + Quoted(attr.name) + " was already set at " +
                          existing->name_range.ToString() + ". Each argument may be set only once.",
                      attr.name_range);
      return;
    }
    body->attributes.push_back(std::move(attr));
  }

  // The body of `foo { bar = baz }`: one attribute on the block's line. Null on error.
  std::unique_ptr<Body> ParseSingleAttrBody() {
    Diagnostics* diags = diags_;
    Token ident = Read();
    if (ident.type != TT::kIdent) {
      RecoverAfterBodyItem();
      diags->AddError("Argument or block definition required",
                      "An argument or block definition is required here.", ident.range);
      return nullptr;
    }
    Token next = Peek();
    if (next.type == TT::kEqual) {
      Attribute attr = FinishAttribute(ident, /*single_line=*/true);
      auto body = std::make_unique<Body>();
      body->src_range = attr.src_range;
      body->end_range = EmptyRangeAt(attr.src_range, /*at_end=*/true);
      body->attributes.push_back(std::move(attr));
      return body;
    }
    RecoverAfterBodyItem();
    if (next.type == TT::kOQuote || next.type == TT::kOBrace || next.type == TT::kIdent) {
      diags->AddError(
          "Argument definition required",
          "A single-line block definition can contain only a single argument. If you meant to "
          "define argument " +
              Quoted(ident.bytes) +
              ", use an equals sign to assign it a value. To define a nested block, place it on "
              "a line of its own within its parent block.",
          Range::Between(ident.range, next.range));
    } else {
      diags->AddError("Argument or block definition required",
                      "An argument or block definition is required here. To set an argument, use "
                      "the equals sign \"=\" to introduce the argument value.",
                      ident.range);
    }
    return nullptr;
  }

  Attribute FinishAttribute(const Token& ident, bool single_line) {
    Diagnostics* diags = diags_;
    Token eq = Read();
    Attribute attr;
    attr.name = std::string(ident.bytes);
    attr.name_range = ident.range;
    attr.equals_range = eq.range;
    size_t mark = diags->size();
    attr.expr = ParseExpression();
    bool expr_errors = diags->size() > mark;
    Range end_range;
    if (recovery_ && expr_errors) {
      end_range = PrevRange();
      RecoverAfterBodyItem();
    } else if (!single_line) {
      Token end = Peek();
      if (end.type != TT::kNewline && end.type != TT::kEOF) {
        if (!recovery_) {
          std::string summary = "Missing newline after argument";
          std::string detail = "An argument definition must end with a newline.";
          if (end.type == TT::kComma) {
            summary = "Unexpected comma after argument";
            detail = "Argument definitions must be separated by newlines, not commas. " + detail;
          }
          Error(std::move(summary), std::move(detail), end.range,
                Range::Between(ident.range, end.range));
        }
        end_range = PrevRange();
        RecoverAfterBodyItem();
      } else {
        end_range = PrevRange();
        Read();  // the newline
      }
    } else {
      end_range = PrevRange();
    }
    attr.src_range = Range::Between(ident.range, end_range);
    return attr;
  }

  Block FinishBlock(const Token& ident) {
    Diagnostics* diags = diags_;
    Block block;
    block.type = std::string(ident.bytes);
    block.type_range = ident.range;
    Token obrace;
    for (;;) {
      Token tok = Peek();
      if (tok.type == TT::kOBrace) {
        obrace = Read();
        break;
      }
      if (tok.type == TT::kOQuote) {
        Range label_range;
        block.labels.push_back(ParseQuotedStringLiteral(&label_range));
        block.label_ranges.push_back(label_range);
        continue;
      }
      if (tok.type == TT::kIdent) {
        Read();
        block.labels.emplace_back(tok.bytes);
        block.label_ranges.push_back(tok.range);
        continue;
      }
      if (tok.type == TT::kEqual) {
        Error("Invalid block definition",
              "The equals sign \"=\" indicates an argument definition, and must not be "
              "used when defining a block.",
              tok.range, Range::Between(ident.range, tok.range));
      } else if (tok.type == TT::kNewline) {
        Error("Invalid block definition",
              "A block definition must have block content delimited by \"{\" and "
              "\"}\", starting on the same line as the block header.",
              tok.range, Range::Between(ident.range, tok.range));
      } else if (!recovery_) {
        Error("Invalid block definition",
              "Either a quoted string block label or an opening brace (\"{\") is "
              "expected here.",
              tok.range, Range::Between(ident.range, tok.range));
      }
      RecoverAfterBodyItem();
      block.body = std::make_unique<Body>();
      block.body->src_range = ident.range;
      block.body->end_range = ident.range;
      block.open_brace_range = ident.range;
      block.close_brace_range = ident.range;
      return block;
    }

    std::unique_ptr<Body> body;
    Diagnostics body_diags;
    TT after_brace = PeekType();
    // The body's own errors are reported after the block's (hclsyntax appends them last).
    diags_ = &body_diags;
    if (after_brace == TT::kNewline || after_brace == TT::kEOF || after_brace == TT::kCBrace) {
      body = ParseBody(TT::kCBrace);
      diags_ = diags;
    } else {
      body = ParseSingleAttrBody();
      diags_ = diags;
      Token t = Peek();
      if (t.type == TT::kCBrace) {
        Read();
      } else if (t.type == TT::kComma) {
        diags->AddError("Invalid single-argument block definition",
                        "Single-line block syntax can include only one argument definition. To "
                        "define multiple arguments, use the multi-line block syntax with one "
                        "argument definition per line.",
                        t.range);
        Recover(TT::kCBrace);
      } else if (t.type == TT::kNewline) {
        diags->AddError("Invalid single-argument block definition",
                        "An argument definition on the same line as its containing block creates "
                        "a single-line block definition, which must also be closed on the same "
                        "line. Place the block's closing brace immediately after the argument "
                        "definition.",
                        t.range);
        Recover(TT::kCBrace);
      } else {
        if (!recovery_) {
          if (t.type == TT::kEOF) {
            Error("Unclosed configuration block",
                  "There is no closing brace for this block before the end of the "
                  "file. This may be caused by incorrect brace nesting elsewhere in "
                  "this file.",
                  obrace.range, Range::Between(ident.range, obrace.range));
          } else {
            diags->AddError("Invalid single-argument block definition",
                            "A single-line block definition must end with a closing brace "
                            "immediately after its single argument definition.",
                            t.range);
          }
        }
        Recover(TT::kCBrace);
      }
    }
    diags->Append(body_diags);
    Range cbrace_range = PrevRange();

    Token eol = Peek();
    if (eol.type == TT::kNewline || eol.type == TT::kEOF) {
      Read();
    } else {
      if (!recovery_) {
        Error("Missing newline after block definition",
              "A block definition must end with a newline.", eol.range,
              Range::Between(ident.range, eol.range));
      }
      RecoverAfterBodyItem();
    }
    if (!body) {
      body = std::make_unique<Body>();
      body->src_range = Range::Between(obrace.range, cbrace_range);
      body->end_range = cbrace_range;
    }
    block.body = std::move(body);
    block.open_brace_range = obrace.range;
    block.close_brace_range = cbrace_range;
    return block;
  }

  // ---- expressions ----

  ExprPtr ParseExpression() {
    if (too_deep_ || depth_ >= kMaxDepth) return TooDeep();
    DepthGuard guard(&depth_);
    return ParseTernary();
  }

  // Past kMaxDepth nested expressions the parser gives up instead of exhausting the stack
  // (hclsyntax has no limit but its own stack: it crashes some ten thousand levels down).
  [[gnu::noinline]] ExprPtr TooDeep() {
    if (!recovery_) {
      Error("Expression nested too deeply",
            "This expression is nested more deeply than this parser accepts (about 250 levels "
            "of brackets or templates).",
            NextRange());
    }
    recovery_ = true;
    too_deep_ = true;  // every enclosing loop stops too, so the tree stays shallow
    return Placeholder(NextRange());
  }

  ExprPtr ParseTernary() {
    Range start = NextRange();
    size_t mark = diags_->size();
    ExprPtr cond = ParseBinaryOps(0);
    if (recovery_ && diags_->size() > mark) return cond;
    if (PeekType() != TT::kQuestion) return cond;
    Read();
    mark = diags_->size();
    ExprPtr true_result = ParseExpression();
    if (recovery_ && diags_->size() > mark) return cond;
    Token colon = Peek();
    if (colon.type != TT::kColon) {
      Error("Missing false expression in conditional",
            "The conditional operator (...?...:...) requires a false expression, delimited by a "
            "colon.",
            colon.range, Range::Between(start, colon.range));
      return cond;
    }
    Read();
    mark = diags_->size();
    ExprPtr false_result = ParseExpression();
    if (recovery_ && diags_->size() > mark) return cond;
    auto e = MakeExpr<ConditionalExpr>(Range::Between(start, false_result->range));
    e->condition = std::move(cond);
    e->true_result = std::move(true_result);
    e->false_result = std::move(false_result);
    return e;
  }

  ExprPtr ParseBinaryOps(int level) {
    if (level == kNumBinaryLevels) return ParseExpressionWithTraversals();
    const OpLevel& ops = kBinaryLevels[level];
    size_t mark = diags_->size();
    ExprPtr lhs = ParseBinaryOps(level + 1);
    if (recovery_ && diags_->size() > mark) return lhs;
    ExprPtr rhs;
    bool have_op = false;
    BinaryOp op = BinaryOp::kAdd;
    int chain = 0;
    for (;;) {
      TT next = PeekType();
      int found = -1;
      for (int i = 0; i < ops.count; ++i) {
        if (ops.tokens[i] == next) found = i;
      }
      if (found < 0) break;
      // Each operator of a chain nests the tree one level deeper: `1+1+...` is deep too.
      if (too_deep_ || depth_ + ++chain >= kMaxDepth) {
        TooDeep();
        break;
      }
      if (have_op) lhs = MakeBinary(op, std::move(lhs), std::move(rhs));
      have_op = true;
      op = ops.ops[found];
      Read();
      mark = diags_->size();
      rhs = ParseBinaryOps(level + 1);
      if (recovery_ && diags_->size() > mark) return lhs;
    }
    if (!have_op) return lhs;
    return MakeBinary(op, std::move(lhs), std::move(rhs));
  }

  [[gnu::noinline]] static ExprPtr MakeBinary(BinaryOp op, ExprPtr lhs, ExprPtr rhs) {
    auto e = MakeExpr<BinaryOpExpr>(Range::Between(lhs->range, rhs->range));
    e->op = op;
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    return e;
  }

  [[gnu::noinline]] ExprPtr ParseExpressionWithTraversals() {
    ExprPtr term = ParseExpressionTerm();
    return ParseExpressionTraversals(std::move(term));
  }

  // Appends a static step to a traversal expression, or wraps `expr` in a relative traversal.
  static ExprPtr AddTraversalStep(ExprPtr expr, TraverseStep step) {
    Range rng = step.range;
    if (expr->kind == ExprKind::kScopeTraversal) {
      auto* t = static_cast<ScopeTraversalExpr*>(expr.get());
      t->traversal.push_back(std::move(step));
      t->range = Range::Between(t->range, rng);
      return expr;
    }
    if (expr->kind == ExprKind::kRelativeTraversal) {
      auto* t = static_cast<RelativeTraversalExpr*>(expr.get());
      t->traversal.push_back(std::move(step));
      t->range = Range::Between(t->range, rng);
      return expr;
    }
    auto t = MakeExpr<RelativeTraversalExpr>(Range::Between(expr->range, rng));
    t->source = std::move(expr);
    t->traversal.push_back(std::move(step));
    return t;
  }

  static TraverseStep AttrStep(std::string_view name, const Range& r) {
    TraverseStep s;
    s.kind = TraverseStep::Kind::kAttr;
    s.name = std::string(name);
    s.range = r;
    return s;
  }
  static TraverseStep IndexStep(LiteralValue key, const Range& r) {
    TraverseStep s;
    s.kind = TraverseStep::Kind::kIndex;
    s.key = std::move(key);
    s.range = r;
    return s;
  }

  static std::string LegacyIndexDetail(std::string_view num, bool splat) {
    size_t dot = num.find('.');
    std::string first(num.substr(0, dot)), second(num.substr(dot + 1));
    if (splat) {
      return "When using the legacy index syntax, chaining two indexes together is not "
             "permitted. Use the proper index syntax with a full splat expression [*] instead, "
             "like [" +
             first + "][" + second + "].";
    }
    return "When using the legacy index syntax, chaining two indexes together is not permitted. "
           "Use the proper index syntax instead, like [" +
           first + "][" + second + "].";
  }

  ExprPtr ParseExpressionTraversals(ExprPtr from) {
    const Range from_range = from->range;
    ExprPtr ret = std::move(from);
    for (int steps = 1;; ++steps) {
      TT next = PeekType();
      if (next != TT::kDot && next != TT::kOBrack) return ret;
      // Index and splat steps nest the tree (`x[a][b]`, `x[*][*]`), and splats recurse here.
      if (too_deep_ || depth_ + steps >= kMaxDepth) {
        TooDeep();
        return ret;
      }
      if (next == TT::kDot) {
        ret = ParseDotStep(std::move(ret), from_range);
      } else {
        DepthGuard guard(&depth_);
        ret = ParseBracketStep(std::move(ret), from_range);
      }
    }
  }

  // `.name`, the legacy index `.0`, or an attribute-only splat `.*`, applied to `ret`.
  [[gnu::noinline]] ExprPtr ParseDotStep(ExprPtr ret, const Range& from_range) {
    Token dot = Read();
    Token attr = Peek();
    if (attr.type == TT::kIdent) {
      Read();
      return AddTraversalStep(std::move(ret),
                              AttrStep(attr.bytes, Range::Between(dot.range, attr.range)));
    }
    if (attr.type == TT::kNumberLit) {
      Token num = Read();
      Range rng = Range::Between(dot.range, num.range);
      if (num.bytes.find('.') != std::string_view::npos) {
        Error("Invalid legacy index syntax", LegacyIndexDetail(num.bytes, false), num.range);
        return AddTraversalStep(std::move(ret), IndexStep(LiteralValue::Null(), rng));
      }
      return AddTraversalStep(std::move(ret), IndexStep(NumberLiteral(num), rng));
    }
    if (attr.type == TT::kStar) return FinishAttrSplat(std::move(ret), from_range, dot);
    Error("Invalid attribute name", "An attribute name is required after a dot.", attr.range);
    recovery_ = true;
    return ret;
  }

  // `[key]` (a static index step when the key is a constant) or a full splat `[*]...`.
  [[gnu::noinline]] ExprPtr ParseBracketStep(ExprPtr ret, const Range& from_range) {
    Token open = Read();
    if (PeekType() == TT::kStar) {
      Read();
      Token close = Read();
      if (close.type != TT::kCBrack && !recovery_) {
        // hclsyntax's diagnostic points at `close`, which the recovery then overwrites: it ends
        // up naming the token recovery stopped at.
        close = Recover(TT::kCBrack);
        Error("Missing close bracket on splat index",
              "The star for a full splat operator must be immediately followed by a closing "
              "bracket (\"]\").",
              close.range);
      }
      Range marker = Range::Between(open.range, close.range);
      auto item = MakeExpr<AnonSymbolExpr>(marker);
      const AnonSymbolExpr* item_ptr = item.get();
      ExprPtr each = ParseExpressionTraversals(std::move(item));
      auto splat = MakeExpr<SplatExpr>(Range::Between(from_range, each->range));
      splat->source = std::move(ret);
      splat->each = std::move(each);
      splat->item = item_ptr;
      splat->marker_range = marker;
      return splat;
    }
    Token close;
    PushNewlines(false);
    size_t mark = diags_->size();
    ExprPtr key = ParseExpression();
    if (recovery_ && diags_->size() > mark) {
      close = Recover(TT::kCBrack);
    } else {
      close = Read();
      if (close.type != TT::kCBrack && !recovery_) {
        close = Recover(TT::kCBrack);  // the diagnostic names where recovery stopped, as above
        Error("Missing close bracket on index",
              "The index operator must end with a closing bracket (\"]\").", close.range);
      }
    }
    PopNewlines();
    Range rng = Range::Between(open.range, close.range);
    if (key->kind == ExprKind::kLiteral) {
      return AddTraversalStep(std::move(ret), IndexStep(key->As<LiteralExpr>().value, rng));
    }
    if (key->kind == ExprKind::kTemplate && key->As<TemplateExpr>().parts.size() == 1 &&
        key->As<TemplateExpr>().parts[0]->kind == ExprKind::kLiteral) {
      return AddTraversalStep(
          std::move(ret),
          IndexStep(key->As<TemplateExpr>().parts[0]->As<LiteralExpr>().value, rng));
    }
    auto idx = MakeExpr<IndexExpr>(Range::Between(from_range, rng));
    idx->collection = std::move(ret);
    idx->key = std::move(key);
    idx->bracket_range = rng;
    return idx;
  }

  // After `.` `*`: the attribute-only splat, which takes only `.name` and `.0` steps.
  ExprPtr FinishAttrSplat(ExprPtr source, const Range& from_range, const Token& dot) {
    Token marker = Read();
    Traversal trav;
    Range first_range = NextRange();
    Range last_range = marker.range;
    Token attr_tok = marker;  // hclsyntax reports a bad chained index at this token
    while (PeekType() == TT::kDot) {
      Token step_dot = Read();
      if (PeekType() == TT::kNumberLit) {
        Token num = Read();
        Range rng = Range::Between(step_dot.range, num.range);
        if (num.bytes.find('.') != std::string_view::npos) {
          Error("Invalid legacy index syntax", LegacyIndexDetail(num.bytes, true), attr_tok.range);
          trav.push_back(IndexStep(LiteralValue::Null(), rng));
        } else {
          trav.push_back(IndexStep(NumberLiteral(num), rng));
        }
        last_range = num.range;
        continue;
      }
      if (PeekType() != TT::kIdent) {
        if (!recovery_) {
          if (PeekType() == TT::kStar) {
            Error("Nested splat expression not allowed",
                  "A splat expression (*) cannot be used inside another attribute-only splat "
                  "expression.",
                  Peek().range);
          } else {
            Error("Invalid attribute name", "An attribute name is required after a dot.",
                  attr_tok.range);
          }
        }
        recovery_ = true;
        // hclsyntax abandons this splat and continues the outer traversal loop.
        return source;
      }
      Token name = Read();
      trav.push_back(AttrStep(name.bytes, Range::Between(step_dot.range, name.range)));
      last_range = name.range;
    }
    Range marker_range = Range::Between(dot.range, marker.range);
    auto item = MakeExpr<AnonSymbolExpr>(marker_range);
    const AnonSymbolExpr* item_ptr = item.get();
    ExprPtr each;
    if (trav.empty()) {
      each = std::move(item);
    } else {
      auto rel = MakeExpr<RelativeTraversalExpr>(Range::Between(first_range, last_range));
      rel->source = std::move(item);
      rel->traversal = std::move(trav);
      each = std::move(rel);
    }
    auto splat = MakeExpr<SplatExpr>(Range::Between(from_range, last_range));
    splat->source = std::move(source);
    splat->each = std::move(each);
    splat->item = item_ptr;
    splat->marker_range = marker_range;
    return splat;
  }

  LiteralValue NumberLiteral(const Token& tok) {
    if (!internal::IsValidNumberLiteral(tok.bytes)) {
      Error("Invalid number literal", "Failed to recognize the value of this number literal.",
            tok.range);
      return LiteralValue::Null();  // hclsyntax: an unknown number
    }
    return LiteralValue::Number(std::string(tok.bytes));
  }

  // One term. The cases that recurse are functions of their own that are never inlined here, so
  // that each nesting level costs only the frames it really uses (deep input must not exhaust
  // the stack before kMaxDepth).
  ExprPtr ParseExpressionTerm() {
    if (too_deep_ || depth_ >= kMaxDepth) return TooDeep();
    DepthGuard guard(&depth_);
    switch (PeekType()) {
      case TT::kOParen:
        return ParseParentheses();
      case TT::kNumberLit: {
        Token tok = Read();
        auto e = MakeExpr<LiteralExpr>(tok.range);
        e->value = NumberLiteral(tok);
        return e;
      }
      case TT::kIdent:
        return ParseIdentTerm();
      case TT::kOQuote:
      case TT::kOHeredoc:
        return ParseTemplateTerm();
      case TT::kMinus:
      case TT::kBang:
        return ParseUnary();
      case TT::kOBrack:
        return ParseTupleCons();
      case TT::kOBrace:
        return ParseObjectCons();
      default:
        return InvalidTerm();
    }
  }

  [[gnu::noinline]] ExprPtr ParseParentheses() {
    Token oparen = Read();
    PushNewlines(false);
    size_t mark = diags_->size();
    ExprPtr inner = ParseExpression();
    if (diags_->size() > mark) {
      Recover(TT::kCParen);
      PopNewlines();
      return inner;
    }
    Token close = Peek();
    if (close.type != TT::kCParen) {
      Error("Unbalanced parentheses", "Expected a closing parenthesis to terminate the expression.",
            close.range, Range::Between(oparen.range, close.range));
      recovery_ = true;
    }
    Token cparen = Read();
    PopNewlines();
    auto e = MakeExpr<ParenthesesExpr>(Range::Between(oparen.range, cparen.range));
    e->inner = std::move(inner);
    return e;
  }

  [[gnu::noinline]] ExprPtr ParseIdentTerm() {
    Token tok = Read();
    if (PeekType() == TT::kOParen) return FinishFunctionCall(tok);
    if (tok.bytes == "true" || tok.bytes == "false") {
      auto e = MakeExpr<LiteralExpr>(tok.range);
      e->value = LiteralValue::Bool(tok.bytes == "true");
      return e;
    }
    if (tok.bytes == "null") return MakeExpr<LiteralExpr>(tok.range);
    auto e = MakeExpr<ScopeTraversalExpr>(tok.range);
    TraverseStep root;
    root.kind = TraverseStep::Kind::kRoot;
    root.name = std::string(tok.bytes);
    root.range = tok.range;
    e->traversal.push_back(std::move(root));
    return e;
  }

  [[gnu::noinline]] ExprPtr ParseTemplateTerm() {
    Token open = Read();
    bool flush = open.type == TT::kOHeredoc && open.bytes.substr(0, 3) == "<<-";
    TT closer = open.type == TT::kOQuote ? TT::kCQuote : TT::kCHeredoc;
    Range unused;
    return ParseTemplateInner(closer, flush, &open.range, &unused);
  }

  [[gnu::noinline]] ExprPtr ParseUnary() {
    Token tok = Read();
    // Only a term with its traversals: -46+5 is (-46)+5.
    ExprPtr operand = ParseExpressionWithTraversals();
    auto e = MakeExpr<UnaryOpExpr>(Range::Between(tok.range, operand->range));
    e->op = tok.type == TT::kMinus ? UnaryOp::kNegate : UnaryOp::kNot;
    e->operand = std::move(operand);
    e->symbol_range = tok.range;
    return e;
  }

  [[gnu::noinline]] ExprPtr InvalidTerm() {
    Token start = Peek();
    if (!recovery_) {
      if (start.type == TT::kEOF) {
        Error("Missing expression",
              "Expected the start of an expression, but found the end of the file.", start.range);
      } else {
        Error("Invalid expression",
              "Expected the start of an expression, but found an invalid expression token.",
              start.range);
      }
    }
    recovery_ = true;
    return Placeholder(start.range);
  }

  [[gnu::noinline]] ExprPtr FinishFunctionCall(const Token& name) {
    Token open = Read();
    auto call = std::make_unique<FunctionCallExpr>();
    call->name = std::string(name.bytes);
    call->name_range = name.range;
    call->open_paren_range = open.range;
    Token close;
    PushNewlines(false);
    for (;;) {
      if (PeekType() == TT::kCParen) {
        close = Read();
        break;
      }
      size_t mark = diags_->size();
      call->args.push_back(ParseExpression());
      if (recovery_ && diags_->size() > mark) {
        // hclsyntax leaves the closing parenthesis unset (a zero range) on this path.
        Recover(TT::kCParen);
        close.range = Range{std::string_view(), Pos{0, 0, 0}, Pos{0, 0, 0}};
        break;
      }
      Token sep = Read();
      if (sep.type == TT::kCParen) {
        close = sep;
        break;
      }
      if (sep.type == TT::kEllipsis) {
        call->expand_final = true;
        if (PeekType() != TT::kCParen) {
          if (!recovery_) {
            Error("Missing closing parenthesis",
                  "An expanded function argument (with ...) must be immediately followed by "
                  "closing parentheses.",
                  sep.range, Range::Between(name.range, sep.range));
          }
          close = Recover(TT::kCParen);
        } else {
          close = Read();
        }
        break;
      }
      if (sep.type != TT::kComma) {
        if (sep.type == TT::kEOF) {
          Error("Unterminated function call",
                "There is no closing parenthesis for this function call before the end of the "
                "file. This may be caused by incorrect parethesis nesting elsewhere in this "
                "file.",
                Range::Between(name.range, open.range));
        } else {
          Error("Missing argument separator",
                "A comma is required to separate each function argument from the next.", sep.range,
                Range::Between(name.range, sep.range));
        }
        close = Recover(TT::kCParen);
        break;
      }
      if (PeekType() == TT::kCParen) {
        close = Read();
        break;
      }
    }
    PopNewlines();
    call->close_paren_range = close.range;
    call->range = Range::Between(name.range, close.range);
    return call;
  }

  [[gnu::noinline]] ExprPtr ParseTupleCons() {
    Token open = Read();
    PushNewlines(false);
    ExprPtr result;
    if (IsKeyword(Peek(), "for")) {
      result = FinishForExpr(open);
      PopNewlines();
      return result;
    }
    auto tuple = std::make_unique<TupleExpr>();
    tuple->open_range = open.range;
    Token close;
    for (;;) {
      if (PeekType() == TT::kCBrack) {
        close = Read();
        break;
      }
      size_t mark = diags_->size();
      tuple->items.push_back(ParseExpression());
      if (recovery_ && diags_->size() > mark) {
        close = Recover(TT::kCBrack);
        break;
      }
      Token next = Peek();
      if (next.type == TT::kCBrack) {
        close = Read();
        break;
      }
      if (next.type != TT::kComma) {
        if (!recovery_) {
          if (next.type == TT::kEOF) {
            Error("Unterminated tuple constructor expression",
                  "There is no corresponding closing bracket before the end of the file. This "
                  "may be caused by incorrect bracket nesting elsewhere in this file.",
                  open.range);
          } else {
            Error("Missing item separator",
                  "Expected a comma to mark the beginning of the next item.", next.range,
                  Range::Between(open.range, next.range));
          }
        }
        close = Recover(TT::kCBrack);
        break;
      }
      Read();
    }
    PopNewlines();
    tuple->range = Range::Between(open.range, close.range);
    return tuple;
  }

  [[gnu::noinline]] ExprPtr ParseObjectCons() {
    Token open = Read();
    // `for` is looked for without newlines: for expressions are not newline-sensitive.
    PushNewlines(false);
    bool is_for = IsKeyword(Peek(), "for");
    PopNewlines();
    if (is_for) return FinishForExpr(open);

    PushNewlines(true);
    auto obj = std::make_unique<ObjectExpr>();
    obj->open_range = open.range;
    Token close;
    for (;;) {
      Token next = Peek();
      if (next.type == TT::kNewline) {
        Read();
        continue;
      }
      if (next.type == TT::kCBrace) {
        close = Read();
        break;
      }
      bool force_non_literal = next.type == TT::kOParen;
      size_t mark = diags_->size();
      ExprPtr key_inner = ParseExpression();
      if (recovery_ && diags_->size() > mark) {
        close = Recover(TT::kCBrace);
        break;
      }
      auto key = MakeExpr<ObjectKeyExpr>(key_inner->range);
      key->wrapped = std::move(key_inner);
      key->force_non_literal = force_non_literal;

      next = Peek();
      if (next.type != TT::kEqual && next.type != TT::kColon) {
        if (!recovery_) {
          if (next.type == TT::kNewline || next.type == TT::kComma) {
            Error("Missing attribute value",
                  "Expected an attribute value, introduced by an equals sign (\"=\").", next.range,
                  Range::Between(open.range, next.range));
          } else if (next.type == TT::kIdent) {
            Error("Missing key/value separator",
                  "Expected an equals sign (\"=\") to mark the beginning of the attribute value. "
                  "If you intended to given an attribute name containing periods or spaces, "
                  "write the name in quotes to create a string literal.",
                  next.range, Range::Between(open.range, next.range));
          } else if (next.type == TT::kEOF) {
            Error("Unterminated object constructor expression",
                  "There is no corresponding closing brace before the end of the file. This may "
                  "be caused by incorrect brace nesting elsewhere in this file.",
                  open.range);
          } else {
            Error("Missing key/value separator",
                  "Expected an equals sign (\"=\") to mark the beginning of the attribute value.",
                  next.range, Range::Between(open.range, next.range));
          }
        }
        close = Recover(TT::kCBrace);
        break;
      }
      Read();
      mark = diags_->size();
      ExprPtr value = ParseExpression();
      if (recovery_ && diags_->size() > mark) {
        close = Recover(TT::kCBrace);
        break;
      }
      obj->items.push_back(ObjectItem{std::move(key), std::move(value)});
      next = Peek();
      if (next.type == TT::kCBrace) {
        close = Read();
        break;
      }
      if (next.type != TT::kComma && next.type != TT::kNewline) {
        if (!recovery_) {
          if (next.type == TT::kEOF) {
            Error("Unterminated object constructor expression",
                  "There is no corresponding closing brace before the end of the file. This may "
                  "be caused by incorrect brace nesting elsewhere in this file.",
                  open.range);
          } else {
            Error("Missing attribute separator",
                  "Expected a newline or comma to mark the beginning of the next attribute.",
                  next.range, Range::Between(open.range, next.range));
          }
        }
        close = Recover(TT::kCBrace);
        break;
      }
      Read();
    }
    PopNewlines();
    obj->range = Range::Between(open.range, close.range);
    return obj;
  }

  [[gnu::noinline]] ExprPtr FinishForExpr(const Token& open) {
    PushNewlines(false);
    ExprPtr result = FinishForExprInner(open);
    PopNewlines();
    return result;
  }

  ExprPtr ForError(const Token& open, TT close_type, std::string detail, const Range& subject) {
    if (!recovery_)
      Error("Invalid 'for' expression", std::move(detail), subject,
            Range::Between(open.range, subject));
    Token close = Recover(close_type);
    return Placeholder(Range::Between(open.range, close.range));
  }

  ExprPtr FinishForExprInner(const Token& open) {
    Read();  // "for"
    bool make_obj = open.type == TT::kOBrace;
    TT close_type = make_obj ? TT::kCBrace : TT::kCBrack;
    auto e = std::make_unique<ForExpr>();
    if (PeekType() != TT::kIdent) {
      return ForError(open, close_type, "For expression requires variable name after 'for'.",
                      Peek().range);
    }
    Token val_tok = Read();
    e->value_var = std::string(val_tok.bytes);
    e->value_var_range = val_tok.range;
    if (PeekType() == TT::kComma) {
      e->key_var = std::move(e->value_var);
      e->key_var_range = e->value_var_range;
      Read();
      if (PeekType() != TT::kIdent) {
        return ForError(open, close_type,
                        "For expression requires value variable name after comma.", Peek().range);
      }
      val_tok = Read();
      e->value_var = std::string(val_tok.bytes);
      e->value_var_range = val_tok.range;
    }
    if (!IsKeyword(Peek(), "in")) {
      return ForError(open, close_type,
                      "For expression requires the 'in' keyword after its name declarations.",
                      Peek().range);
    }
    Read();
    size_t mark = diags_->size();
    e->collection = ParseExpression();
    if (recovery_ && diags_->size() > mark) {
      Token close = Recover(close_type);
      return Placeholder(Range::Between(open.range, close.range));
    }
    if (PeekType() != TT::kColon) {
      return ForError(open, close_type,
                      "For expression requires a colon after the collection expression.",
                      Peek().range);
    }
    Read();
    mark = diags_->size();
    e->value_expr = ParseExpression();
    if (PeekType() == TT::kFatArrow) {
      Read();
      e->key_expr = std::move(e->value_expr);
      e->value_expr = ParseExpression();
    }
    if (recovery_ && diags_->size() > mark) {
      Token close = Recover(close_type);
      return Placeholder(Range::Between(open.range, close.range));
    }
    Token ellipsis;
    if (PeekType() == TT::kEllipsis) {
      ellipsis = Read();
      e->group = true;
    }
    if (IsKeyword(Peek(), "if")) {
      Read();
      mark = diags_->size();
      e->cond_expr = ParseExpression();
      if (recovery_ && diags_->size() > mark) {
        Token close = Recover(close_type);
        return Placeholder(Range::Between(open.range, close.range));
      }
    }
    Token close;
    if (PeekType() == close_type) {
      close = Read();
    } else {
      if (!recovery_) {
        Error("Invalid 'for' expression", "Extra characters after the end of the 'for' expression.",
              Peek().range, Range::Between(open.range, Peek().range));
      }
      close = Recover(close_type);
    }
    if (!make_obj) {
      if (e->key_expr) {
        Error("Invalid 'for' expression", "Key expression is not valid when building a tuple.",
              e->key_expr->range, Range::Between(open.range, close.range));
      }
      if (e->group) {
        Error("Invalid 'for' expression",
              "Grouping ellipsis (...) cannot be used when building a tuple.", ellipsis.range,
              Range::Between(open.range, close.range));
      }
    } else if (!e->key_expr) {
      Error("Invalid 'for' expression", "Key expression is required when building an object.",
            e->value_expr->range, Range::Between(open.range, close.range));
    }
    e->open_range = open.range;
    e->close_range = close.range;
    e->range = Range::Between(open.range, close.range);
    return e;
  }

  // A quoted string that may not hold template sequences (block labels, traversal keys).
  std::string ParseQuotedStringLiteral(Range* range) {
    Token oquote = Read();
    if (oquote.type != TT::kOQuote) {
      Error("Invalid string literal", "A quoted string is required here.", oquote.range);
      *range = oquote.range;
      return "";
    }
    std::string ret;
    Range end_range;
    for (;;) {
      Token tok = Read();
      if (tok.type == TT::kCQuote) {
        end_range = tok.range;
        break;
      }
      if (tok.type == TT::kQuotedLit) {
        internal::DecodeStringLiteral(tok, /*quoted=*/true, &ret, diags_);
        continue;
      }
      if (tok.type == TT::kTemplateControl || tok.type == TT::kTemplateInterp) {
        std::string which = tok.type == TT::kTemplateControl ? "%" : "$";
        Error("Invalid string literal",
              "Template sequences are not allowed in this string. To include a literal " +
                  Quoted(which) + ", double it (as \"" + which + which + "\") to escape it.",
              tok.range, Range::Between(oquote.range, tok.range));
        ret += which + "{ ... }";
        Recover(TT::kTemplateSeqEnd);
        continue;
      }
      if (tok.type == TT::kEOF) {
        Error("Unterminated string literal",
              "Unable to find the closing quote mark before the end of the file.", tok.range,
              Range::Between(oquote.range, tok.range));
        end_range = tok.range;
        break;
      }
      Error("Invalid string literal", "This item is not valid in a string literal.", tok.range,
            Range::Between(oquote.range, tok.range));
      Recover(TT::kCQuote);
      end_range = tok.range;
      break;
    }
    *range = Range::Between(oquote.range, end_range);
    return ret;
  }

  // ---- templates ----

  // Parses template parts up to `end` and builds the Template (or TemplateWrap) expression. When
  // `open` is given, the expression's range starts there and ends at the closing token;
  // otherwise it is the range of the parts.
  ExprPtr ParseTemplateInner(TT end, bool flush, const Range* open, Range* parts_range) {
    std::vector<TemplatePart> parts = ParseTemplateParts(end, parts_range);
    if (flush) FlushHeredocParts(&parts);
    Range range = open ? Range::Between(*open, PrevRange()) : *parts_range;
    bool passthru = parts.size() == 2 && parts[0].kind == TemplatePart::Kind::kInterp;
    size_t pos = 0;
    std::vector<ExprPtr> exprs;
    bool outer_abandoned = template_abandoned_;
    template_abandoned_ = false;
    while (parts[pos].kind != TemplatePart::Kind::kEnd) {
      exprs.push_back(BuildTemplateExpr(parts, &pos));
    }
    template_abandoned_ = outer_abandoned;
    if (passthru) {
      auto wrap = MakeExpr<TemplateWrapExpr>(range);
      wrap->wrapped = std::move(exprs[0]);
      return wrap;
    }
    auto tmpl = MakeExpr<TemplateExpr>(range);
    tmpl->parts = std::move(exprs);
    return tmpl;
  }

  static void TrimLeftSpace(std::string* s) {
    std::string_view v = internal::TrimLeftGoSpace(*s);
    s->erase(0, s->size() - v.size());
  }
  static void TrimRightSpace(std::string* s) {
    std::string_view v = internal::TrimRightGoSpace(*s);
    s->resize(v.size());
  }

  void TrimPreviousLiteral(std::vector<TemplatePart>* parts, const Token& opener,
                           bool can_trim_prev) {
    if (can_trim_prev && opener.bytes.size() == 3 && opener.bytes[2] == '~' && !parts->empty() &&
        parts->back().kind == TemplatePart::Kind::kLiteral) {
      TrimRightSpace(&parts->back().literal);
    }
  }

  std::vector<TemplatePart> ParseTemplateParts(TT end, Range* parts_range) {
    std::vector<TemplatePart> parts;
    Range start_range = NextRange();
    bool ltrim_next = false, next_can_trim_prev = false;
    Range end_range;
    for (;;) {
      Token next = Read();
      if (next.type == end) {
        end_range = next.range;
        break;
      }
      bool ltrim = ltrim_next;
      ltrim_next = false;
      bool can_trim_prev = next_can_trim_prev;
      next_can_trim_prev = false;
      if (next.type == TT::kStringLit || next.type == TT::kQuotedLit) {
        TemplatePart part = MakePart(TemplatePart::Kind::kLiteral, next.range);
        internal::DecodeStringLiteral(next, next.type == TT::kQuotedLit, &part.literal, diags_);
        if (ltrim) TrimLeftSpace(&part.literal);
        parts.push_back(std::move(part));
        next_can_trim_prev = true;
        continue;
      }
      if (next.type == TT::kTemplateInterp) {
        TrimPreviousLiteral(&parts, next, can_trim_prev);
        ParseInterpolation(next, end, start_range, &parts, &ltrim_next);
        continue;
      }
      if (next.type == TT::kTemplateControl) {
        TrimPreviousLiteral(&parts, next, can_trim_prev);
        PushNewlines(false);
        if (!ParseTemplateDirective(next, start_range, &parts, &ltrim_next)) {
          Recover(TT::kTemplateSeqEnd);
        }
        PopNewlines();
        continue;
      }
      if (!recovery_) {
        Error("Unterminated template string", "No closing marker was found for the string.",
              next.range, Range::Between(start_range, next.range));
      }
      Token final_tok = Recover(end);
      end_range = final_tok.range;
      break;
    }
    if (parts.empty()) {
      TemplatePart part = MakePart(TemplatePart::Kind::kLiteral, EmptyRangeAt(start_range, true));
      parts.push_back(std::move(part));
    }
    parts.push_back(MakePart(TemplatePart::Kind::kEnd, end_range));
    *parts_range = Range::Between(start_range, end_range);
    return parts;
  }

  // `${ expr }` after its opener: the expression and the closing brace.
  [[gnu::noinline]] void ParseInterpolation(const Token& opener, TT end, const Range& start_range,
                                            std::vector<TemplatePart>* parts, bool* ltrim_next) {
    PushNewlines(false);
    ExprPtr expr = ParseExpression();
    Token close = Peek();
    if (close.type != TT::kTemplateSeqEnd) {
      if (!recovery_) {
        if (close.type == TT::kEOF) {
          Error("Unclosed template interpolation sequence",
                "There is no closing brace for this interpolation sequence before the end of "
                "the file. This might be caused by incorrect nesting inside the given "
                "expression.",
                start_range);
        } else if (close.type == TT::kColon) {
          Error("Extra characters after interpolation expression",
                "Template interpolation doesn't expect a colon at this location. Did you "
                "intend this to be a literal sequence to be processed as part of another "
                "language? If so, you can escape it by starting with \"$${\" instead of just "
                "\"${\".",
                close.range, Range::Between(start_range, close.range));
        } else if ((close.type == TT::kCQuote || close.type == TT::kOQuote) && end == TT::kCQuote) {
          Error("Unclosed template interpolation sequence",
                "There is no closing brace for this interpolation sequence before the end of "
                "the quoted template. This might be caused by incorrect nesting inside the "
                "given expression.",
                start_range);
        } else {
          Error("Extra characters after interpolation expression",
                "Expected a closing brace to end the interpolation expression, but found "
                "extra characters.\n\nThis can happen when you include interpolation syntax "
                "for another language, such as shell scripting, but forget to escape the "
                "interpolation start token. If this is an embedded sequence for another "
                "language, escape it by starting with \"$${\" instead of just \"${\".",
                close.range, Range::Between(start_range, close.range));
        }
      }
      Recover(TT::kTemplateSeqEnd);
    } else {
      Read();
      if (close.bytes.size() == 2 && close.bytes[0] == '~') *ltrim_next = true;
    }
    PopNewlines();
    TemplatePart part = MakePart(TemplatePart::Kind::kInterp,
                                 Range::Between(opener.range, close.range), std::move(expr));
    parts->push_back(std::move(part));
  }

  // The inside of `%{ ... }` after the opener. Returns false when the caller must recover to
  // the end of the sequence.
  [[gnu::noinline]] bool ParseTemplateDirective(const Token& opener, const Range& start_range,
                                                std::vector<TemplatePart>* parts,
                                                bool* ltrim_next) {
    using K = TemplatePart::Kind;
    Token kw = Peek();
    if (kw.type != TT::kIdent) {
      if (!recovery_) {
        Error("Invalid template directive",
              "A template directive keyword (\"if\", \"for\", etc) is expected at the beginning "
              "of a %{ sequence.",
              kw.range, Range::Between(opener.range, kw.range));
      }
      return false;
    }
    Read();
    TemplatePart part;
    if (kw.bytes == "if") {
      part.kind = K::kIf;
      part.expr = ParseExpression();
    } else if (kw.bytes == "else") {
      part.kind = K::kElse;
    } else if (kw.bytes == "endif") {
      part.kind = K::kEndIf;
    } else if (kw.bytes == "for") {
      part.kind = K::kFor;
      if (PeekType() != TT::kIdent) {
        if (!recovery_) {
          Error("Invalid 'for' directive", "For directive requires variable name after 'for'.",
                Peek().range);
        }
        return false;
      }
      Token v = Read();
      part.value_var = std::string(v.bytes);
      part.value_var_range = v.range;
      if (PeekType() == TT::kComma) {
        part.key_var = std::move(part.value_var);
        part.key_var_range = part.value_var_range;
        Read();
        if (PeekType() != TT::kIdent) {
          if (!recovery_) {
            Error("Invalid 'for' directive",
                  "For directive requires value variable name after comma.", Peek().range);
          }
          return false;
        }
        v = Read();
        part.value_var = std::string(v.bytes);
        part.value_var_range = v.range;
      }
      if (!IsKeyword(Peek(), "in")) {
        if (!recovery_) {
          Error("Invalid 'for' directive", "For directive requires 'in' keyword after names.",
                Peek().range);
        }
        return false;
      }
      Read();
      part.expr = ParseExpression();
    } else if (kw.bytes == "endfor") {
      part.kind = K::kEndFor;
    } else {
      if (!recovery_) {
        std::string suggestion =
            internal::NameSuggestion(kw.bytes, {"if", "for", "else", "endif", "endfor"});
        if (!suggestion.empty()) suggestion = " Did you mean " + Quoted(suggestion) + "?";
        Error("Invalid template control keyword",
              Quoted(kw.bytes) + " is not a valid template control keyword." + suggestion, kw.range,
              Range::Between(opener.range, kw.range));
      }
      return false;
    }
    part.range = Range::Between(opener.range, NextRange());
    parts->push_back(std::move(part));

    Token close = Peek();
    if (close.type != TT::kTemplateSeqEnd) {
      if (!recovery_) {
        Error("Extra characters in " + std::string(kw.bytes) + " marker",
              "Expected a closing brace to end the sequence, but found extra characters.",
              close.range, Range::Between(start_range, close.range));
      }
      return false;
    }
    Read();
    if (close.bytes.size() == 2 && close.bytes[0] == '~') *ltrim_next = true;
    return true;
  }

  // `<<-`: remove from every line the smallest run of leading whitespace among the lines.
  static void FlushHeredocParts(std::vector<TemplatePart>* parts) {
    using K = TemplatePart::Kind;
    int min_spaces = INT_MAX;
    bool newline = true;
    std::vector<TemplatePart*> adjust;
    for (TemplatePart& part : *parts) {
      if (newline) {
        newline = false;
        int spaces = 0;  // a line starting with an interpolation or directive has none
        if (part.kind == K::kLiteral) {
          std::string_view trimmed = internal::TrimLeftGoSpace(part.literal);
          if (trimmed.empty() && !part.literal.empty() && part.literal.back() == '\n') {
            spaces = INT_MAX;  // a blank line does not count
          } else {
            size_t space_bytes = part.literal.size() - trimmed.size();
            spaces =
                internal::CountGraphemes(std::string_view(part.literal).substr(0, space_bytes));
            adjust.push_back(&part);
          }
        } else if (part.kind == K::kEnd) {
          break;
        }
        if (spaces < min_spaces) min_spaces = spaces;
      }
      if (part.kind == K::kLiteral && !part.literal.empty() && part.literal.back() == '\n') {
        newline = true;
      }
    }
    for (TemplatePart* part : adjust) {
      size_t bytes = internal::GraphemePrefixBytes(part->literal, min_spaces);
      part->literal.erase(0, bytes);
      part->range.start.column += min_spaces;
      part->range.start.byte += static_cast<int>(bytes);
    }
  }

  ExprPtr LiteralString(std::string_view raw, const Range& r) {
    auto e = MakeExpr<LiteralExpr>(r);
    e->value = LiteralValue::String(internal::NfcNormalize(raw));
    return e;
  }

  static Range SpanOf(const std::vector<ExprPtr>& exprs) {
    return Range::Between(exprs.front()->range, exprs.back()->range);
  }

  ExprPtr BuildTemplateExpr(std::vector<TemplatePart>& parts, size_t* pos) {
    using K = TemplatePart::Kind;
    TemplatePart& part = parts[*pos];
    if (depth_ >= kMaxDepth) {
      if (!recovery_) {
        Error("Template directives nested too deeply",
              "The directives of this template are nested more deeply than this parser accepts "
              "(about 250 levels).",
              part.range);
      }
      recovery_ = true;
      template_abandoned_ = true;  // the enclosing directives stop quietly at the end part
      *pos = parts.size() - 1;
      return Placeholder(part.range);
    }
    DepthGuard guard(&depth_);
    switch (part.kind) {
      case K::kLiteral:
        ++*pos;
        return LiteralString(part.literal, part.range);
      case K::kInterp:
        ++*pos;
        return std::move(part.expr);
      case K::kIf:
        return BuildTemplateIf(parts, pos);
      case K::kFor:
        return BuildTemplateFor(parts, pos);
      case K::kEnd:
        Error("Unexpected end of template",
              "The control directives within this template are unbalanced.", part.range);
        return Placeholder(part.range);
      default:
        ++*pos;
        Error("Unexpected " + std::string(part.EndName()) + " directive",
              "The control directives within this template are unbalanced.", part.range);
        return Placeholder(part.range);
    }
  }

  ExprPtr BuildTemplateIf(std::vector<TemplatePart>& parts, size_t* pos) {
    using K = TemplatePart::Kind;
    TemplatePart& open = parts[(*pos)++];
    std::vector<ExprPtr> if_exprs, else_exprs;
    std::vector<ExprPtr>* current = &if_exprs;
    Range endif_range;
    for (;;) {
      TemplatePart& next = parts[*pos];
      if (next.kind == K::kEnd) {
        if (template_abandoned_) return Placeholder(next.range);
        Error("Unexpected end of template",
              "The if directive at " + open.range.ToString() +
                  " is missing its corresponding endif directive.",
              next.range);
        return Placeholder(next.range);
      }
      if (next.kind == K::kElse || next.kind == K::kEndIf || next.kind == K::kEndFor) {
        ++*pos;
        if (next.kind == K::kElse) {
          if (current == &if_exprs) {
            current = &else_exprs;
            continue;
          }
          Error("Unexpected else directive",
                "Already in the else clause for the if started at " + open.range.ToString() + ".",
                next.range);
        } else if (next.kind == K::kEndIf) {
          endif_range = next.range;
          break;
        } else {
          Error("Unexpected " + std::string(next.EndName()) + " directive",
                "Expecting an endif directive for the if started at " + open.range.ToString() + ".",
                next.range);
        }
        return Placeholder(next.range);
      }
      current->push_back(BuildTemplateExpr(parts, pos));
    }
    if (if_exprs.empty()) if_exprs.push_back(LiteralString("", EmptyRangeAt(open.range, true)));
    if (else_exprs.empty()) {
      else_exprs.push_back(LiteralString("", EmptyRangeAt(endif_range, false)));
    }
    auto true_expr = MakeExpr<TemplateExpr>(SpanOf(if_exprs));
    true_expr->parts = std::move(if_exprs);
    auto false_expr = MakeExpr<TemplateExpr>(SpanOf(else_exprs));
    false_expr->parts = std::move(else_exprs);
    auto cond = MakeExpr<ConditionalExpr>(Range::Between(open.range, endif_range));
    cond->condition = std::move(open.expr);
    cond->true_result = std::move(true_expr);
    cond->false_result = std::move(false_expr);
    return cond;
  }

  ExprPtr BuildTemplateFor(std::vector<TemplatePart>& parts, size_t* pos) {
    using K = TemplatePart::Kind;
    TemplatePart& open = parts[(*pos)++];
    std::vector<ExprPtr> content;
    Range endfor_range;
    for (;;) {
      TemplatePart& next = parts[*pos];
      if (next.kind == K::kEnd) {
        if (template_abandoned_) return Placeholder(next.range);
        Error("Unexpected end of template",
              "The for directive at " + open.range.ToString() +
                  " is missing its corresponding endfor directive.",
              next.range);
        return Placeholder(next.range);
      }
      if (next.kind == K::kElse || next.kind == K::kEndIf || next.kind == K::kEndFor) {
        ++*pos;
        if (next.kind == K::kEndFor) {
          endfor_range = next.range;
          break;
        }
        if (next.kind == K::kElse) {
          Error("Unexpected else directive", "An else clause is not expected for a for directive.",
                next.range);
        } else {
          Error("Unexpected " + std::string(next.EndName()) + " directive",
                "Expecting an endfor directive corresponding to the for directive at " +
                    open.range.ToString() + ".",
                next.range);
        }
        return Placeholder(next.range);
      }
      content.push_back(BuildTemplateExpr(parts, pos));
    }
    if (content.empty()) content.push_back(LiteralString("", EmptyRangeAt(open.range, true)));
    auto content_expr = MakeExpr<TemplateExpr>(SpanOf(content));
    content_expr->parts = std::move(content);
    auto for_expr = MakeExpr<ForExpr>(Range::Between(open.range, endfor_range));
    for_expr->key_var = std::move(open.key_var);
    for_expr->value_var = std::move(open.value_var);
    for_expr->key_var_range = open.key_var_range;
    for_expr->value_var_range = open.value_var_range;
    for_expr->collection = std::move(open.expr);
    for_expr->value_expr = std::move(content_expr);
    for_expr->open_range = open.range;
    for_expr->close_range = endfor_range;
    auto join = MakeExpr<TemplateJoinExpr>(for_expr->range);
    join->tuple = std::move(for_expr);
    return join;
  }

  // ---- traversals (hclsyntax ParseTraversalAbs) ----

  Traversal ParseTraversalAbs() {
    Traversal ret;
    Token var = Read();
    if (var.type != TT::kIdent) {
      Error("Variable name required", "Must begin with a variable name.", var.range);
      return ret;
    }
    TraverseStep root;
    root.kind = TraverseStep::Kind::kRoot;
    root.name = std::string(var.bytes);
    root.range = var.range;
    ret.push_back(std::move(root));
    for (;;) {
      Token next = Peek();
      if (next.type == TT::kEOF) return ret;
      if (next.type == TT::kDot) {
        Token dot = Read();
        Token name = Read();
        if (name.type != TT::kIdent) {
          Error("Attribute name required",
                name.type == TT::kStar ? "Splat expressions (.*) may not be used here."
                                       : "Dot must be followed by attribute name.",
                name.range, Range::Between(var.range, name.range));
          return ret;
        }
        ret.push_back(AttrStep(name.bytes, Range::Between(dot.range, name.range)));
        continue;
      }
      if (next.type == TT::kOBrack) {
        Token open = Read();
        Token key_tok = Peek();
        LiteralValue key;
        size_t mark = diags_->size();
        if (key_tok.type == TT::kNumberLit) {
          Read();
          key = NumberLiteral(key_tok);
        } else if (key_tok.type == TT::kOQuote) {
          Range unused;
          key = LiteralValue::String(internal::NfcNormalize(ParseQuotedStringLiteral(&unused)));
        } else {
          if (key_tok.type == TT::kStar) {
            Error("Attribute name required", "Splat expressions ([*]) may not be used here.",
                  key_tok.range, Range::Between(var.range, key_tok.range));
          } else {
            Error("Index value required",
                  "Index brackets must contain either a literal number or a literal string.",
                  key_tok.range, Range::Between(var.range, key_tok.range));
          }
          return ret;
        }
        Token close = Read();
        if (close.type != TT::kCBrack) {
          Error("Unclosed index brackets", "Index key must be followed by a closing bracket.",
                close.range, Range::Between(open.range, close.range));
        }
        ret.push_back(IndexStep(std::move(key), Range::Between(open.range, close.range)));
        if (diags_->size() > mark) return ret;
        continue;
      }
      Error("Invalid character", "Expected an attribute access or an index operator.", next.range,
            Range::Between(var.range, next.range));
      return ret;
    }
  }

  void Error(std::string summary, std::string detail, const Range& subject,
             std::optional<Range> context = std::nullopt) {
    diags_->Add(
        Diagnostic{Severity::kError, std::move(summary), std::move(detail), subject, context});
  }

 private:
  // Index of the next token the parser sees (the last one, EOF, when there is none); sets
  // *as_newline when it is a line comment that stands for the newline ending its line, which it
  // does where newlines matter.
  size_t NextIndex(bool* as_newline) const {
    bool newlines = newlines_.back();
    *as_newline = false;
    for (size_t i = next_; i < toks_.size(); ++i) {
      const Token& tok = toks_[i];
      if (tok.type == TT::kComment) {
        if (newlines && !tok.bytes.empty() && tok.bytes.back() == '\n') {
          *as_newline = true;
          return i;
        }
        continue;
      }
      if (tok.type == TT::kNewline && !newlines) continue;
      return i;
    }
    return toks_.size() - 1;
  }

  Token NextToken(size_t* next) const {
    bool as_newline;
    size_t i = NextIndex(&as_newline);
    *next = i + 1;
    const Token& tok = toks_[i];
    if (as_newline) return Token{TT::kNewline, tok.bytes.substr(tok.bytes.size() - 1), tok.range};
    return tok;
  }

  static TT Opposite(TT t) {
    switch (t) {
      case TT::kOBrace:
        return TT::kCBrace;
      case TT::kOBrack:
        return TT::kCBrack;
      case TT::kOParen:
        return TT::kCParen;
      case TT::kOQuote:
        return TT::kCQuote;
      case TT::kOHeredoc:
        return TT::kCHeredoc;
      case TT::kCBrace:
        return TT::kOBrace;
      case TT::kCBrack:
        return TT::kOBrack;
      case TT::kCParen:
        return TT::kOParen;
      case TT::kCQuote:
        return TT::kOQuote;
      case TT::kCHeredoc:
        return TT::kOHeredoc;
      case TT::kTemplateControl:
      case TT::kTemplateInterp:
        return TT::kTemplateSeqEnd;
      case TT::kTemplateSeqEnd:
        return TT::kTemplateInterp;
      default:
        return TT::kNil;
    }
  }

  // Skips to just after the `end` token that closes the current nesting level.
  Token Recover(TT end) {
    TT start = Opposite(end);
    recovery_ = true;
    int nest = 0;
    for (;;) {
      Token tok = Read();
      TT ty = tok.type;
      if (end == TT::kTemplateSeqEnd && ty == TT::kTemplateControl) ty = TT::kTemplateInterp;
      if (ty == start) {
        ++nest;
      } else if (ty == end) {
        if (nest < 1) return tok;
        --nest;
      } else if (ty == TT::kEOF) {
        return tok;
      }
    }
  }

  // Skips to the start of the next body item: past the next newline outside any brackets.
  void RecoverAfterBodyItem() {
    recovery_ = true;
    std::vector<TT> open;
    for (;;) {
      Token tok = Read();
      switch (tok.type) {
        case TT::kNewline:
          if (open.empty()) return;
          break;
        case TT::kEOF:
          return;
        case TT::kOBrace:
        case TT::kOBrack:
        case TT::kOParen:
        case TT::kOQuote:
        case TT::kOHeredoc:
        case TT::kTemplateInterp:
        case TT::kTemplateControl:
          open.push_back(tok.type);
          break;
        case TT::kCBrace:
        case TT::kCBrack:
        case TT::kCParen:
        case TT::kCQuote:
        case TT::kCHeredoc: {
          TT opener = Opposite(tok.type);
          while (!open.empty() && open.back() != opener) open.pop_back();
          if (!open.empty()) open.pop_back();
          break;
        }
        case TT::kTemplateSeqEnd:
          while (!open.empty() && open.back() != TT::kTemplateInterp &&
                 open.back() != TT::kTemplateControl) {
            open.pop_back();
          }
          if (!open.empty()) open.pop_back();
          break;
        default:
          break;
      }
    }
  }

  const std::vector<Token>& toks_;
  Diagnostics* diags_;
  size_t next_ = 0;
  std::vector<bool> newlines_;
  bool recovery_ = false;
  int depth_ = 0;        // nested ParseExpression/ParseExpressionTerm/BuildTemplateExpr calls
  int block_depth_ = 0;  // nested bodies
  bool template_abandoned_ = false;
  bool too_deep_ = false;  // a nesting limit was hit: stop extending any expression  // the
                           // template being built was too deeply nested
};

}  // namespace

ParseResult ParseConfig(std::string src, std::string_view filename, Pos start) {
  ParseResult result;
  result.file = std::make_unique<File>();
  File& file = *result.file;
  file.filename = InternFilename(filename);
  file.bytes = std::move(src);
  std::vector<Token> tokens = LexConfig(file.bytes, file.filename, start);
  CheckInvalidTokens(tokens, &result.diags);
  Parser parser(tokens, &result.diags);
  file.body = parser.ParseBody(TT::kEOF);
  return result;
}

ExprPtr ParseExpression(std::string_view src, std::string_view filename, Pos start,
                        Diagnostics* diags) {
  std::vector<Token> tokens = LexExpression(src, filename, start);
  CheckInvalidTokens(tokens, diags);
  Parser parser(tokens, diags);
  parser.PushNewlines(false);
  ExprPtr expr = parser.ParseExpression();
  Token next = parser.Peek();
  if (next.type != TT::kEOF && !parser.recovery()) {
    parser.Error("Extra characters after expression",
                 "An expression was successfully parsed, but extra characters were found after "
                 "it.",
                 next.range);
  }
  parser.PopNewlines();
  return expr;
}

ExprPtr ParseTemplate(std::string_view src, std::string_view filename, Pos start,
                      Diagnostics* diags) {
  std::vector<Token> tokens = LexTemplate(src, filename, start);
  CheckInvalidTokens(tokens, diags);
  Parser parser(tokens, diags);
  Range parts_range;
  return parser.ParseTemplateInner(TT::kEOF, /*flush=*/false, nullptr, &parts_range);
}

Traversal ParseTraversalAbs(std::string_view src, std::string_view filename, Pos start,
                            Diagnostics* diags) {
  std::vector<Token> tokens = LexExpression(src, filename, start);
  CheckInvalidTokens(tokens, diags);
  Parser parser(tokens, diags);
  parser.PushNewlines(false);
  Traversal t = parser.ParseTraversalAbs();
  parser.PopNewlines();
  return t;
}

}  // namespace meshgw::hcl
