// Body content by schema for the native syntax, and evaluation/variable analysis of expressions of
// either syntax. See content.h. Stateless apart from immutable wrappers; thread-safe.
#include "hcl/decode/content.h"

#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "hcl/eval/eval.h"

namespace meshgw::hcl {
namespace {

class NativeSyntaxExpr final : public SyntaxExpr {
 public:
  explicit NativeSyntaxExpr(const Expr& expr) : expr_(expr) {}

  Range range() const override { return expr_.range; }
  const Expr* native() const override { return &expr_; }
  Value Evaluate(const NativeEvaluator& eval_native, bool /*has_context*/,
                 Diagnostics* diags) const override {
    return eval_native(expr_, diags);
  }
  void ForEachNative(const std::function<void(const Expr&)>& visit) const override { visit(expr_); }

 private:
  const Expr& expr_;
};

ContentAttribute AsContentAttribute(const Attribute& a) {
  return ContentAttribute{a.name, NativeExpr(*a.expr), a.src_range, a.name_range};
}

// A native body, possibly with names hidden by an earlier PartialContent (the "remain" body).
class NativeSyntaxBody final : public SyntaxBody {
 public:
  NativeSyntaxBody(const Body& body, std::set<std::string> hidden_attrs,
                   std::set<std::string> hidden_blocks)
      : body_(body),
        hidden_attrs_(std::move(hidden_attrs)),
        hidden_blocks_(std::move(hidden_blocks)) {}

  BodyContent Content(const BodySchema& schema, Diagnostics* diags) const override {
    std::shared_ptr<const SyntaxBody> remain_any;
    BodyContent content = PartialContent(schema, &remain_any, diags);
    const auto& remain = static_cast<const NativeSyntaxBody&>(*remain_any);

    for (const Attribute& attr : body_.attributes) {
      if (remain.hidden_attrs_.count(attr.name)) continue;
      std::vector<std::string> candidates;
      for (const AttributeSchema& s : schema.attributes) {
        if (content.Find(s.name) == nullptr) candidates.push_back(s.name);
      }
      std::string suggestion = NameSuggestion(attr.name, candidates);
      if (!suggestion.empty()) {
        suggestion = absl::StrCat(" Did you mean ", QuoteName(suggestion), "?");
      } else {
        for (const BlockHeaderSchema& b : schema.blocks) {
          if (b.type == attr.name) {
            suggestion =
                absl::StrCat(" Did you mean to define a block of type ", QuoteName(attr.name), "?");
            break;
          }
        }
      }
      diags->AddError("Unsupported argument",
                      absl::StrCat("An argument named ", QuoteName(attr.name),
                                   " is not expected here.", suggestion),
                      attr.name_range);
    }

    for (const Block& block : body_.blocks) {
      if (remain.hidden_blocks_.count(block.type)) continue;
      std::vector<std::string> candidates;
      for (const BlockHeaderSchema& s : schema.blocks) candidates.push_back(s.type);
      std::string suggestion = NameSuggestion(block.type, candidates);
      if (!suggestion.empty()) {
        suggestion = absl::StrCat(" Did you mean ", QuoteName(suggestion), "?");
      } else {
        for (const AttributeSchema& a : schema.attributes) {
          if (a.name == block.type) {
            suggestion = absl::StrCat(" Did you mean to define argument ", QuoteName(block.type),
                                      "? If so, use the equals sign to assign it a value.");
            break;
          }
        }
      }
      diags->AddError("Unsupported block type",
                      absl::StrCat("Blocks of type ", QuoteName(block.type),
                                   " are not expected here.", suggestion),
                      block.type_range);
    }
    return content;
  }

  BodyContent PartialContent(const BodySchema& schema, std::shared_ptr<const SyntaxBody>* remain,
                             Diagnostics* diags) const override {
    BodyContent content;
    content.missing_item_range = MissingItemRange();
    std::set<std::string> hidden_attrs = hidden_attrs_;
    std::set<std::string> hidden_blocks = hidden_blocks_;

    // Attributes come out in source order; "missing" errors in schema order, as upstream.
    std::set<std::string> taken;
    for (const AttributeSchema& s : schema.attributes) {
      const Attribute* attr = body_.FindAttribute(s.name);
      if (attr == nullptr || hidden_attrs.count(s.name)) {
        if (s.required) {
          diags->AddError("Missing required argument",
                          absl::StrCat("The argument ", QuoteName(s.name),
                                       " is required, but no definition was found."),
                          MissingItemRange());
        }
        continue;
      }
      hidden_attrs.insert(s.name);
      taken.insert(s.name);
    }
    for (const Attribute& a : body_.attributes) {
      if (taken.count(a.name)) content.attributes.push_back(AsContentAttribute(a));
    }

    for (const Block& block : body_.blocks) {
      if (hidden_blocks.count(block.type)) continue;
      const BlockHeaderSchema* want = nullptr;
      for (const BlockHeaderSchema& s : schema.blocks) {
        if (s.type == block.type) want = &s;  // the last one wins, like a Go map fill
      }
      if (want == nullptr) continue;
      const size_t have = block.labels.size();
      const size_t need = want->label_names.size();
      Range context = Range::Between(block.type_range, block.open_brace_range);
      if (have > need) {
        std::string detail =
            need == 0
                ? absl::StrCat("No labels are expected for ", block.type, " blocks.")
                : absl::StrCat("Only ", need, " labels (", absl::StrJoin(want->label_names, ", "),
                               ") are expected for ", block.type, " blocks.");
        diags->Add(Diagnostic{Severity::kError, absl::StrCat("Extraneous label for ", block.type),
                              std::move(detail), block.label_ranges[need], context});
        continue;
      }
      if (have < need) {
        diags->Add(
            Diagnostic{Severity::kError,
                       absl::StrCat("Missing ", want->label_names[have], " for ", block.type),
                       absl::StrCat("All ", block.type, " blocks must have ", need, " labels (",
                                    absl::StrJoin(want->label_names, ", "), ")."),
                       block.open_brace_range, context});
        continue;
      }
      content.blocks.push_back(ContentBlock{block.type, block.labels, NativeBody(*block.body),
                                            block.DefRange(), block.type_range,
                                            block.label_ranges});
    }
    // Hidden only now, so that several blocks of one type are all taken.
    for (const BlockHeaderSchema& s : schema.blocks) hidden_blocks.insert(s.type);

    if (remain != nullptr) {
      *remain = std::make_shared<NativeSyntaxBody>(body_, std::move(hidden_attrs),
                                                   std::move(hidden_blocks));
    }
    return content;
  }

  std::vector<ContentAttribute> JustAttributes(Diagnostics* diags) const override {
    std::vector<ContentAttribute> out;
    if (!body_.blocks.empty()) {
      const Block& example = body_.blocks.front();
      diags->AddError(absl::StrCat("Unexpected ", QuoteName(example.type), " block"),
                      "Blocks are not allowed here.", example.type_range);
    }
    for (const Attribute& a : body_.attributes) {
      if (hidden_attrs_.count(a.name)) continue;
      out.push_back(AsContentAttribute(a));
    }
    return out;
  }

  Range MissingItemRange() const override {
    return Range{body_.src_range.filename, body_.src_range.start, body_.src_range.start};
  }

 private:
  const Body& body_;
  std::set<std::string> hidden_attrs_;
  std::set<std::string> hidden_blocks_;
};

// Several bodies read as one. The content's missing_item_range is left empty, as upstream leaves
// it, and a missing required attribute is reported without a subject.
class MergedSyntaxBody final : public SyntaxBody {
 public:
  explicit MergedSyntaxBody(std::vector<std::shared_ptr<const SyntaxBody>> bodies)
      : bodies_(std::move(bodies)) {}

  BodyContent Content(const BodySchema& schema, Diagnostics* diags) const override {
    return Merged(schema, nullptr, diags);
  }
  BodyContent PartialContent(const BodySchema& schema, std::shared_ptr<const SyntaxBody>* remain,
                             Diagnostics* diags) const override {
    std::shared_ptr<const SyntaxBody> ignored;
    return Merged(schema, remain ? remain : &ignored, diags);
  }

  std::vector<ContentAttribute> JustAttributes(Diagnostics* diags) const override {
    std::vector<ContentAttribute> out;
    for (const auto& body : bodies_) {
      for (ContentAttribute& a : body->JustAttributes(diags)) AddUnique(&out, std::move(a), diags);
    }
    return out;
  }

  const std::vector<std::shared_ptr<const SyntaxBody>>& bodies() const { return bodies_; }

  Range MissingItemRange() const override {
    if (bodies_.empty()) return Range{InternFilename("<empty>"), {}, {}};
    return bodies_.front()->MissingItemRange();
  }

 private:
  static bool AddUnique(std::vector<ContentAttribute>* out, ContentAttribute a,
                        Diagnostics* diags) {
    for (const ContentAttribute& existing : *out) {
      if (existing.name == a.name) {
        diags->AddError("Duplicate argument",
                        absl::StrCat("Argument ", QuoteName(a.name), " was already set at ",
                                     existing.name_range.ToString()),
                        a.name_range);
        return false;
      }
    }
    out->push_back(std::move(a));
    return true;
  }

  // `remain` null: Content; else PartialContent.
  BodyContent Merged(const BodySchema& schema, std::shared_ptr<const SyntaxBody>* remain,
                     Diagnostics* diags) const {
    BodySchema each = schema;
    for (AttributeSchema& a : each.attributes) a.required = false;
    BodyContent content;
    // Upstream leaves it the zero range (no file, line 0), which hcldec prints as such.
    content.missing_item_range = Range{{}, Pos{0, 0, 0}, Pos{0, 0, 0}};
    std::vector<std::shared_ptr<const SyntaxBody>> leftovers;
    for (const auto& body : bodies_) {
      std::shared_ptr<const SyntaxBody> left;
      BodyContent c =
          remain ? body->PartialContent(each, &left, diags) : body->Content(each, diags);
      if (left) leftovers.push_back(std::move(left));
      for (ContentAttribute& a : c.attributes) AddUnique(&content.attributes, std::move(a), diags);
      for (ContentBlock& b : c.blocks) content.blocks.push_back(std::move(b));
    }
    for (const AttributeSchema& a : schema.attributes) {
      if (a.required && content.Find(a.name) == nullptr) {
        diags->AddError(
            "Missing required argument",
            absl::StrCat("The argument ", QuoteName(a.name), " is required, but was not set."),
            Range{});
      }
    }
    if (remain) *remain = MergeBodies(std::move(leftovers));
    return content;
  }

  std::vector<std::shared_ptr<const SyntaxBody>> bodies_;
};

// Collects root traversals like hclsyntax's variablesWalker: names declared by an enclosing for
// expression are local and skipped.
class VariablesWalker {
 public:
  explicit VariablesWalker(std::vector<Traversal>* out) : out_(out) {}

  void Walk(const Expr* e) {
    if (e == nullptr) return;
    switch (e->kind) {
      case ExprKind::kLiteral:
      case ExprKind::kAnonSymbol:
        return;
      case ExprKind::kScopeTraversal: {
        const Traversal& t = e->As<ScopeTraversalExpr>().traversal;
        if (!t.empty()) {
          for (const auto& scope : scopes_) {
            if (scope.count(t.front().name)) return;
          }
        }
        out_->push_back(t);
        return;
      }
      case ExprKind::kTemplate:
        for (const ExprPtr& p : e->As<TemplateExpr>().parts) Walk(p.get());
        return;
      case ExprKind::kTemplateWrap:
        Walk(e->As<TemplateWrapExpr>().wrapped.get());
        return;
      case ExprKind::kTemplateJoin:
        Walk(e->As<TemplateJoinExpr>().tuple.get());
        return;
      case ExprKind::kRelativeTraversal:
        Walk(e->As<RelativeTraversalExpr>().source.get());
        return;
      case ExprKind::kFunctionCall:
        for (const ExprPtr& a : e->As<FunctionCallExpr>().args) Walk(a.get());
        return;
      case ExprKind::kConditional: {
        const auto& c = e->As<ConditionalExpr>();
        Walk(c.condition.get());
        Walk(c.true_result.get());
        Walk(c.false_result.get());
        return;
      }
      case ExprKind::kBinaryOp: {
        const auto& b = e->As<BinaryOpExpr>();
        Walk(b.lhs.get());
        Walk(b.rhs.get());
        return;
      }
      case ExprKind::kUnaryOp:
        Walk(e->As<UnaryOpExpr>().operand.get());
        return;
      case ExprKind::kParentheses:
        Walk(e->As<ParenthesesExpr>().inner.get());
        return;
      case ExprKind::kTuple:
        for (const ExprPtr& i : e->As<TupleExpr>().items) Walk(i.get());
        return;
      case ExprKind::kObject:
        for (const ObjectItem& i : e->As<ObjectExpr>().items) {
          Walk(i.key.get());
          Walk(i.value.get());
        }
        return;
      case ExprKind::kObjectKey: {
        const auto& k = e->As<ObjectKeyExpr>();
        // A bare identifier key is a literal name, not a reference.
        if (!k.force_non_literal && k.wrapped != nullptr &&
            k.wrapped->kind == ExprKind::kScopeTraversal &&
            k.wrapped->As<ScopeTraversalExpr>().traversal.size() == 1) {
          return;
        }
        Walk(k.wrapped.get());
        return;
      }
      case ExprKind::kFor: {
        const auto& f = e->As<ForExpr>();
        Walk(f.collection.get());
        std::set<std::string> names;
        if (!f.key_var.empty()) names.insert(f.key_var);
        if (!f.value_var.empty()) names.insert(f.value_var);
        scopes_.push_back(std::move(names));
        Walk(f.key_expr.get());
        Walk(f.value_expr.get());
        Walk(f.cond_expr.get());
        scopes_.pop_back();
        return;
      }
      case ExprKind::kIndex: {
        const auto& i = e->As<IndexExpr>();
        Walk(i.collection.get());
        Walk(i.key.get());
        return;
      }
      case ExprKind::kSplat: {
        const auto& s = e->As<SplatExpr>();
        Walk(s.source.get());
        Walk(s.each.get());
        return;
      }
    }
  }

 private:
  std::vector<Traversal>* out_;
  std::vector<std::set<std::string>> scopes_;
};

}  // namespace

std::shared_ptr<const SyntaxBody> NativeBody(const Body& body) {
  return std::make_shared<NativeSyntaxBody>(body, std::set<std::string>{}, std::set<std::string>{});
}

std::shared_ptr<const SyntaxBody> MergeBodies(
    std::vector<std::shared_ptr<const SyntaxBody>> bodies) {
  // Merged bodies are flattened, so merging merges never nests.
  std::vector<std::shared_ptr<const SyntaxBody>> flat;
  for (auto& b : bodies) {
    if (const auto* m = dynamic_cast<const MergedSyntaxBody*>(b.get())) {
      const auto& inner = m->bodies();
      flat.insert(flat.end(), inner.begin(), inner.end());
    } else {
      flat.push_back(std::move(b));
    }
  }
  return std::make_shared<MergedSyntaxBody>(std::move(flat));
}

std::shared_ptr<const SyntaxExpr> NativeExpr(const Expr& expr) {
  return std::make_shared<NativeSyntaxExpr>(expr);
}

Value EvaluateExpr(const SyntaxExpr& expr, const EvalContext* ctx, Diagnostics* diags) {
  return expr.Evaluate([ctx](const Expr& e, Diagnostics* d) { return Evaluate(e, ctx, d); },
                       ctx != nullptr, diags);
}

std::vector<Traversal> ExprVariables(const Expr& expr) {
  std::vector<Traversal> out;
  VariablesWalker(&out).Walk(&expr);
  return out;
}

std::vector<Traversal> ExprVariables(const SyntaxExpr& expr) {
  std::vector<Traversal> out;
  expr.ForEachNative([&out](const Expr& e) { VariablesWalker(&out).Walk(&e); });
  return out;
}

}  // namespace meshgw::hcl
