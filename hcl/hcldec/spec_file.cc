// Loading hcldec spec files (the spec language of HashiCorp's cmd/hcldec). See spec_file.h.
// Stateless; thread-safe.
#include "hcl/hcldec/spec_file.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "hcl/decode/content.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl::hcldec {
namespace {

// The spec block types. upstream's list lacks block_attrs although it decodes it; we accept it.
const std::vector<std::string>& SpecBlockTypes() {
  static const auto* types = new std::vector<std::string>{
      "object",    "array",     "literal",     "attr",    "block",    "block_list",
      "block_map", "block_set", "block_attrs", "default", "transform"};
  return *types;
}

BodySchema SpecSchema(bool labelled) {
  BodySchema s;
  for (const std::string& t : SpecBlockTypes()) {
    s.blocks.push_back(BlockHeaderSchema{
        t, labelled ? std::vector<std::string>{"key"} : std::vector<std::string>{}});
  }
  return s;
}

SpecPtr ErrSpec() { return Spec::Literal(Value::Null(Type::Dynamic())); }

// gohcl-style decoding of a spec block's arguments: evaluated without a context (or with the spec
// context for literal values), converted to the field's type.
class Args {
 public:
  Args(const BodyContent& content, const EvalContext* ctx, Diagnostics* diags)
      : content_(content), ctx_(ctx), diags_(diags) {}

  // The value converted to `want`, or nullopt when absent or invalid (errors reported).
  std::optional<Value> Get(std::string_view name, const Type& want) {
    const ContentAttribute* a = content_.Find(name);
    if (a == nullptr) return std::nullopt;
    Diagnostics d;
    Value v = EvaluateExpr(*a->expr, ctx_, &d);
    diags_->Append(d);
    if (d.HasErrors()) return std::nullopt;
    absl::StatusOr<Value> conv = Convert(v, want);
    if (!conv.ok()) {
      diags_->AddError("Unsuitable value type",
                       absl::StrCat("Unsuitable value: ", conv.status().message()),
                       a->expr->range());
      return std::nullopt;
    }
    if (conv->is_null() && want.kind() != Type::Kind::kDynamic) {
      diags_->AddError("Unsuitable value type", "Unsuitable value: value must not be null",
                       a->expr->range());
      return std::nullopt;
    }
    return *conv;
  }

  std::optional<std::string> String(std::string_view name) {
    std::optional<Value> v = Get(name, Type::String());
    if (!v) return std::nullopt;
    return v->AsString();
  }
  std::optional<bool> Bool(std::string_view name) {
    std::optional<Value> v = Get(name, Type::Bool());
    if (!v) return std::nullopt;
    return v->AsBool();
  }
  std::optional<int> Int(std::string_view name) {
    const ContentAttribute* a = content_.Find(name);
    std::optional<Value> v = Get(name, Type::Number());
    if (!v) return std::nullopt;
    std::optional<int64_t> i = v->AsNumber().ToInt64();
    if (!i) {
      diags_->AddError(
          "Unsuitable value type",
          "Unsuitable value: value must be a whole number, between -9223372036854775808 "
          "and 9223372036854775807",
          a->expr->range());
      return std::nullopt;
    }
    return static_cast<int>(*i);
  }
  const Expr* NativeExpr(std::string_view name) {
    const ContentAttribute* a = content_.Find(name);
    return a ? a->expr->native() : nullptr;
  }

 private:
  const BodyContent& content_;
  const EvalContext* ctx_;
  Diagnostics* diags_;
};

class SpecDecoder {
 public:
  SpecDecoder(std::shared_ptr<const EvalContext> spec_ctx, Diagnostics* diags)
      : spec_ctx_(std::move(spec_ctx)), diags_(diags) {}

  SpecPtr Root(const SyntaxBody& body) {
    Diagnostics d;
    BodyContent content = body.Content(SpecSchema(false), &d);
    diags_->Append(d);
    if (content.blocks.empty()) {
      if (d.HasErrors()) return ErrSpec();
      diags_->AddError("Missing spec block",
                       "A spec file must have exactly one root block specifying how to map to a "
                       "JSON value.",
                       body.MissingItemRange());
      return ErrSpec();
    }
    if (content.blocks.size() > 1) {
      diags_->AddError("Extraneous spec block",
                       "A spec file must have exactly one root block specifying how to map to a "
                       "JSON value.",
                       content.blocks[1].def_range);
      return ErrSpec();
    }
    return Block(content.blocks[0]);
  }

 private:
  SpecPtr Block(const ContentBlock& b) {
    std::string implied = b.labels.empty() ? "" : b.labels[0];
    const SyntaxBody& body = *b.body;
    if (b.type == "object") return ObjectSpec(body);
    if (b.type == "array") return ArraySpec(body);
    if (b.type == "attr") return AttrSpec(body, implied);
    if (b.type == "block") return BlockSpec(body, implied);
    if (b.type == "block_list" || b.type == "block_set")
      return BlockCollection(b.type, body, implied);
    if (b.type == "block_map") return BlockMapSpec(body, implied);
    if (b.type == "block_attrs") return BlockAttrsSpec(body, implied);
    if (b.type == "default") return DefaultSpec(body);
    if (b.type == "transform") return TransformSpec(body);
    if (b.type == "literal") return LiteralSpec(body);
    diags_->AddError("Invalid spec block",
                     absl::StrCat("Blocks of type ", QuoteName(b.type), " are not expected here."),
                     b.type_range);
    return ErrSpec();
  }

  SpecPtr ObjectSpec(const SyntaxBody& body) {
    BodyContent content = body.Content(SpecSchema(true), diags_);
    std::map<std::string, SpecPtr> children;
    for (const ContentBlock& b : content.blocks) children[b.labels[0]] = Block(b);
    return Spec::Object(std::move(children));
  }

  SpecPtr ArraySpec(const SyntaxBody& body) {
    BodyContent content = body.Content(SpecSchema(false), diags_);
    std::vector<SpecPtr> elems;
    for (const ContentBlock& b : content.blocks) elems.push_back(Block(b));
    return Spec::Tuple(std::move(elems));
  }

  // Decodes the arguments of a spec block; `remain` (when non-null) receives the rest of the body
  // for its nested spec. Returns false when there were errors.
  bool DecodeArgs(const SyntaxBody& body, std::vector<AttributeSchema> attrs,
                  std::shared_ptr<const SyntaxBody>* remain, BodyContent* content) {
    std::sort(attrs.begin(), attrs.end(),
              [](const AttributeSchema& a, const AttributeSchema& b) { return a.name < b.name; });
    BodySchema schema{std::move(attrs), {}};
    Diagnostics d;
    *content = remain ? body.PartialContent(schema, remain, &d) : body.Content(schema, &d);
    diags_->Append(d);
    return !d.HasErrors();
  }

  SpecPtr AttrSpec(const SyntaxBody& body, const std::string& implied) {
    BodyContent content;
    Diagnostics d;
    if (!DecodeArgs(body, {{"name"}, {"type"}, {"required"}}, nullptr, &content)) return ErrSpec();
    Args args(content, nullptr, &d);
    std::optional<bool> required = args.Bool("required");
    std::optional<std::string> name = args.String("name");
    diags_->Append(d);
    if (d.HasErrors()) return ErrSpec();
    Type type = EvalTypeExpr(args.NativeExpr("type"), diags_);
    std::string attr_name = name ? *name : implied;
    if (attr_name.empty()) {
      diags_->AddError("Missing name in attribute spec",
                       "The name attribute is required, to specify the attribute name that is "
                       "expected in an input HCL file.",
                       body.MissingItemRange());
      return ErrSpec();
    }
    return Spec::Attr(attr_name, type, required.value_or(false));
  }

  SpecPtr BlockSpec(const SyntaxBody& body, const std::string& implied) {
    BodyContent content;
    std::shared_ptr<const SyntaxBody> remain;
    if (!DecodeArgs(body, {{"block_type"}, {"required"}}, &remain, &content)) return ErrSpec();
    Diagnostics d;
    Args args(content, nullptr, &d);
    std::optional<bool> required = args.Bool("required");
    std::optional<std::string> type_name = args.String("block_type");
    diags_->Append(d);
    if (d.HasErrors()) return ErrSpec();
    SpecPtr nested = Nested(*remain);
    return Spec::Block(type_name ? *type_name : implied, nested, required.value_or(false));
  }

  SpecPtr BlockCollection(const std::string& kind, const SyntaxBody& body,
                          const std::string& implied) {
    BodyContent content;
    std::shared_ptr<const SyntaxBody> remain;
    if (!DecodeArgs(body, {{"block_type"}, {"min_items"}, {"max_items"}}, &remain, &content)) {
      return ErrSpec();
    }
    Diagnostics d;
    Args args(content, nullptr, &d);
    std::optional<std::string> type_name = args.String("block_type");
    std::optional<int> min_items = args.Int("min_items");
    std::optional<int> max_items = args.Int("max_items");
    diags_->Append(d);
    if (d.HasErrors()) return ErrSpec();
    SpecPtr nested = Nested(*remain);
    std::string name = type_name ? *type_name : implied;
    if (name.empty()) {
      diags_->AddError(absl::StrCat("Missing block_type in ", kind, " spec"),
                       "The block_type attribute is required, to specify the block type name that "
                       "is expected in an input HCL file.",
                       body.MissingItemRange());
      return ErrSpec();
    }
    return kind == "block_set"
               ? Spec::BlockSet(name, nested, min_items.value_or(0), max_items.value_or(0))
               : Spec::BlockList(name, nested, min_items.value_or(0), max_items.value_or(0));
  }

  SpecPtr BlockMapSpec(const SyntaxBody& body, const std::string& implied) {
    BodyContent content;
    std::shared_ptr<const SyntaxBody> remain;
    if (!DecodeArgs(body, {{"block_type"}, {"labels", true}}, &remain, &content)) return ErrSpec();
    Diagnostics d;
    Args args(content, nullptr, &d);
    std::optional<std::string> type_name = args.String("block_type");
    std::optional<Value> labels_val = args.Get("labels", Type::List(Type::String()));
    diags_->Append(d);
    if (d.HasErrors()) return ErrSpec();
    std::vector<std::string> labels;
    if (labels_val) {
      for (const Value& l : labels_val->Elements()) labels.push_back(l.AsString());
    }
    SpecPtr nested = Nested(*remain);
    std::string name = type_name ? *type_name : implied;
    if (name.empty()) {
      diags_->AddError("Missing block_type in block_map spec",
                       "The block_type attribute is required, to specify the block type name that "
                       "is expected in an input HCL file.",
                       body.MissingItemRange());
      return ErrSpec();
    }
    if (labels.empty()) {
      diags_->AddError("Invalid block label name list",
                       "A block_map must have at least one label specified.",
                       body.MissingItemRange());
      return ErrSpec();
    }
    SpecPtr spec = Spec::BlockMap(name, labels, nested);
    if (HasDynamic(ImpliedType(*spec))) {
      diags_->AddError("Invalid block_map spec",
                       "A block_map spec may not contain attributes with type 'any'.",
                       body.MissingItemRange());
    }
    return spec;
  }

  static bool HasDynamic(const Type& t) {
    switch (t.kind()) {
      case Type::Kind::kDynamic:
        return true;
      case Type::Kind::kList:
      case Type::Kind::kSet:
      case Type::Kind::kMap:
        return HasDynamic(t.element());
      case Type::Kind::kObject:
        for (const auto& [k, v] : t.attributes()) {
          if (HasDynamic(v)) return true;
        }
        return false;
      case Type::Kind::kTuple:
        for (const Type& e : t.elements()) {
          if (HasDynamic(e)) return true;
        }
        return false;
      default:
        return false;
    }
  }

  SpecPtr Nested(const SyntaxBody& body) {
    Diagnostics d;
    BodyContent content = body.Content(SpecSchema(false), &d);
    diags_->Append(d);
    if (content.blocks.empty()) {
      if (d.HasErrors()) return ErrSpec();
      diags_->AddError("Missing spec block",
                       "A block spec must have exactly one child spec specifying how to decode "
                       "block contents.",
                       body.MissingItemRange());
      return ErrSpec();
    }
    if (content.blocks.size() > 1) {
      diags_->AddError("Extraneous spec block",
                       "A block spec must have exactly one child spec specifying how to decode "
                       "block contents.",
                       content.blocks[1].def_range);
      return ErrSpec();
    }
    return Block(content.blocks[0]);
  }

  SpecPtr BlockAttrsSpec(const SyntaxBody& body, const std::string& implied) {
    BodyContent content;
    if (!DecodeArgs(body, {{"block_type"}, {"element_type"}, {"required"}}, nullptr, &content)) {
      return ErrSpec();
    }
    Diagnostics d;
    Args args(content, nullptr, &d);
    std::optional<bool> required = args.Bool("required");
    std::optional<std::string> type_name = args.String("block_type");
    diags_->Append(d);
    if (d.HasErrors()) return ErrSpec();
    Type element = EvalTypeExpr(args.NativeExpr("element_type"), diags_);
    std::string name = type_name ? *type_name : implied;
    if (name.empty()) {
      diags_->AddError("Missing block_type in block_attrs spec",
                       "The block_type attribute is required, to specify the block type name that "
                       "is expected in an input HCL file.",
                       body.MissingItemRange());
      return ErrSpec();
    }
    return Spec::BlockAttrs(name, element, required.value_or(false));
  }

  SpecPtr LiteralSpec(const SyntaxBody& body) {
    BodyContent content;
    if (!DecodeArgs(body, {{"value", true}}, nullptr, &content)) return ErrSpec();
    Diagnostics d;
    Args args(content, spec_ctx_.get(), &d);
    std::optional<Value> v = args.Get("value", Type::Dynamic());
    diags_->Append(d);
    if (d.HasErrors() || !v) return ErrSpec();
    return Spec::Literal(*v);
  }

  SpecPtr DefaultSpec(const SyntaxBody& body) {
    Diagnostics d;
    BodyContent content = body.Content(SpecSchema(false), &d);
    diags_->Append(d);
    if (content.blocks.empty()) {
      if (d.HasErrors()) return ErrSpec();
      diags_->AddError("Missing spec block",
                       "A default block must have at least one nested spec, each specifying a "
                       "possible outcome.",
                       body.MissingItemRange());
      return ErrSpec();
    }
    // upstream indexes past the end here and crashes; we point the warning at the one spec.
    if (content.blocks.size() == 1 && !d.HasErrors()) {
      diags_->Add(Diagnostic{Severity::kWarning, "Useless default block",
                             "A default block with only one spec is equivalent to using that spec "
                             "alone.",
                             content.blocks[0].def_range, std::nullopt});
    }
    SpecPtr spec;
    for (const ContentBlock& b : content.blocks) {
      Diagnostics cd;
      std::swap(cd, *diags_);
      SpecPtr candidate = Block(b);
      std::swap(cd, *diags_);
      diags_->Append(cd);
      if (cd.HasErrors()) continue;
      spec = spec ? Spec::Default(spec, candidate) : candidate;
    }
    return spec ? spec : ErrSpec();
  }

  SpecPtr TransformSpec(const SyntaxBody& body) {
    BodyContent content;
    std::shared_ptr<const SyntaxBody> remain;
    if (!DecodeArgs(body, {{"result"}}, &remain, &content)) return ErrSpec();
    Diagnostics d;
    BodyContent nested = remain->Content(SpecSchema(false), &d);
    diags_->Append(d);
    if (nested.blocks.size() != 1) {
      if (d.HasErrors()) return ErrSpec();
      diags_->AddError("Invalid transform spec",
                       "A transform spec block must have exactly one nested spec block.",
                       body.MissingItemRange());
      return ErrSpec();
    }
    auto spec = std::make_shared<Spec>();
    spec->kind = Spec::Kind::kTransform;
    if (const ContentAttribute* r = content.Find("result")) {
      spec->transform = r->expr;
    } else {
      spec->transform = nullptr;
    }
    spec->transform_ctx = spec_ctx_;
    spec->nested = Block(nested.blocks[0]);
    if (spec->transform == nullptr) return Spec::Literal(Value::Null(Type::Dynamic()));
    return spec;
  }

  std::shared_ptr<const EvalContext> spec_ctx_;
  Diagnostics* diags_;
};

std::optional<std::string> ObjectKeyName(const Expr& key) {
  const Expr* e = &key;
  if (e->kind == ExprKind::kObjectKey) {
    const auto& k = e->As<ObjectKeyExpr>();
    if (!k.force_non_literal && k.wrapped->kind == ExprKind::kScopeTraversal &&
        k.wrapped->As<ScopeTraversalExpr>().traversal.size() == 1) {
      return k.wrapped->As<ScopeTraversalExpr>().traversal[0].name;
    }
    e = k.wrapped.get();
  }
  Diagnostics d;
  Value v = Evaluate(*e, nullptr, &d);
  if (d.HasErrors() || !v.is_known() || v.is_null()) return std::nullopt;
  absl::StatusOr<Value> s = Convert(v, Type::String());
  if (!s.ok()) return std::nullopt;
  return s->AsString();
}

// The type a type expression denotes, as upstream's evaluation in its type context would give
// it; nullopt after reporting why not. `param` names the function parameter `e` is an argument
// for (empty at the top).
// `element` and `arg` locate `e` inside a tuple or object argument, for the messages.
std::optional<Type> TypeOf(const Expr& e, std::string_view param, Diagnostics* diags,
                           const std::string& element = "", const Expr* arg = nullptr) {
  static const std::vector<std::string> kKeywords = {"any", "bool", "number", "string"};
  static const std::vector<std::string> kFunctions = {"list", "map", "object", "set", "tuple"};
  switch (e.kind) {
    case ExprKind::kParentheses:
      return TypeOf(*e.As<ParenthesesExpr>().inner, param, diags, element, arg);
    case ExprKind::kScopeTraversal: {
      const Traversal& t = e.As<ScopeTraversalExpr>().traversal;
      const std::string& n = t[0].name;
      if (n != "string" && n != "number" && n != "bool" && n != "any") {
        std::string dym = NameSuggestion(n, kKeywords);
        diags->AddError(
            "Unknown variable",
            absl::StrCat("There is no variable named ", QuoteName(n), ".",
                         dym.empty() ? "" : absl::StrCat(" Did you mean ", QuoteName(dym), "?")),
            t[0].range);
        return std::nullopt;
      }
      if (t.size() > 1) {
        diags->AddError(
            t[1].kind == TraverseStep::Kind::kAttr ? "Unsupported attribute" : "Invalid index",
            t[1].kind == TraverseStep::Kind::kAttr ? "This value does not have any attributes."
                                                   : "This value does not have any indices.",
            t[1].range);
        return std::nullopt;
      }
      if (n == "string") return Type::String();
      if (n == "number") return Type::Number();
      if (n == "bool") return Type::Bool();
      return Type::Dynamic();
    }
    case ExprKind::kFunctionCall: {
      const auto& call = e.As<FunctionCallExpr>();
      const std::string& f = call.name;
      if (f != "list" && f != "set" && f != "map" && f != "tuple" && f != "object") {
        std::string dym = NameSuggestion(f, kFunctions);
        diags->AddError(
            "Call to unknown function",
            absl::StrCat("There is no function named ", QuoteName(f), ".",
                         dym.empty() ? "" : absl::StrCat(" Did you mean ", QuoteName(dym), "?")),
            call.name_range);
        return std::nullopt;
      }
      std::string_view p = f == "tuple"    ? "element_types"
                           : f == "object" ? "attribute_types"
                                           : "element_type";
      if (call.args.empty()) {
        diags->Add(Diagnostic{
            Severity::kError, "Not enough function arguments",
            absl::StrCat("Function ", QuoteName(f), " expects 1 argument(s). Missing value for ",
                         QuoteName(p), "."),
            call.close_paren_range, call.range});
        return std::nullopt;
      }
      if (call.args.size() > 1) {
        diags->Add(
            Diagnostic{Severity::kError, "Too many function arguments",
                       absl::StrCat("Function ", QuoteName(f), " expects only 1 argument(s)."),
                       call.args[1]->range, call.range});
        return std::nullopt;
      }
      const Expr& arg = *call.args[0];
      if (f == "tuple" && arg.kind == ExprKind::kTuple) {
        std::vector<Type> elems;
        const auto& items = arg.As<TupleExpr>().items;
        for (size_t i = 0; i < items.size(); ++i) {
          std::optional<Type> t =
              TypeOf(*items[i], p, diags, absl::StrCat("element ", i, ": "), &arg);
          if (!t) return std::nullopt;
          elems.push_back(*t);
        }
        return Type::Tuple(std::move(elems));
      }
      if (f == "object" && arg.kind == ExprKind::kObject) {
        std::map<std::string, Type> attrs;
        for (const ObjectItem& item : arg.As<ObjectExpr>().items) {
          std::optional<std::string> key = ObjectKeyName(*item.key);
          if (!key) return std::nullopt;
          std::optional<Type> t =
              TypeOf(*item.value, p, diags, absl::StrCat("element ", QuoteName(*key), ": "), &arg);
          if (!t) return std::nullopt;
          attrs[*key] = *t;
        }
        return Type::Object(std::move(attrs));
      }
      if (f == "tuple" || f == "object") break;
      std::optional<Type> elem = TypeOf(arg, p, diags);
      if (!elem) return std::nullopt;
      if (f == "list") return Type::List(*elem);
      if (f == "set") return Type::Set(*elem);
      return Type::Map(*elem);
    }
    default:
      break;
  }
  Diagnostics d;
  Value v = Evaluate(e, nullptr, &d);
  diags->Append(d);
  if (!param.empty()) {
    if (d.HasErrors()) return std::nullopt;
    diags->AddError("Invalid function argument",
                    absl::StrCat("Invalid value for ", QuoteName(param), " parameter: ", element,
                                 "type required."),
                    arg != nullptr ? arg->range : e.range);
    return std::nullopt;
  }
  if (v.is_null() && !d.HasErrors()) return Type::Dynamic();
  // upstream's diagnostic has no subject.
  diags->AddError("Invalid type expression",
                  absl::StrCat("A type is required, not ", v.type().FriendlyName(), "."), Range{});
  return std::nullopt;
}

// Go's Diagnostics.Error(): how a failed user function reads inside "Error in function call".
std::string DiagsError(const Diagnostics& d) {
  std::string first;
  for (const Diagnostic& x : d) {
    if (x.severity != Severity::kError) continue;
    first = absl::StrCat(x.subject.ToString(), ": ", x.summary, "; ", x.detail);
    break;
  }
  size_t n = 0;
  for (const Diagnostic& x : d) n += x.severity == Severity::kError ? 1 : 0;
  if (n <= 1) return first;
  return absl::StrCat(first, ", and ", n - 1, " other diagnostic(s)");
}

// The name a bare identifier expression spells, or "" (hcl.ExprAsKeyword).
std::string Keyword(const Expr* e) {
  if (e == nullptr || e->kind != ExprKind::kScopeTraversal) return "";
  const Traversal& t = e->As<ScopeTraversalExpr>().traversal;
  return t.size() == 1 ? t[0].name : "";
}

// `function "name" { params = [a, b]  variadic_param = rest  result = expr }` blocks
// (upstream's ext/userfunc): each becomes a function evaluating `result` in the spec context with
// its parameters as variables.
std::map<std::string, Function> DecodeUserFunctions(const SyntaxBody& body,
                                                    std::shared_ptr<const EvalContext> base,
                                                    std::shared_ptr<const SyntaxBody>* remain,
                                                    Diagnostics* diags) {
  std::map<std::string, Function> funcs;
  Diagnostics d;
  BodyContent content = body.PartialContent(BodySchema{{}, {{"function", {"name"}}}}, remain, &d);
  diags->Append(d);
  if (d.HasErrors()) return funcs;
  const BodySchema fn_schema{{{"params", true}, {"variadic_param", false}, {"result", true}}, {}};
  for (const ContentBlock& b : content.blocks) {
    Diagnostics fd;
    BodyContent fc = b.body->Content(fn_schema, &fd);
    diags->Append(fd);
    if (fd.HasErrors()) continue;
    const ContentAttribute* params_attr = fc.Find("params");
    const Expr* params_expr = params_attr->expr->native();
    if (params_expr == nullptr || params_expr->kind != ExprKind::kTuple) {
      diags->AddError("Invalid expression", "A static list expression is required.",
                      params_attr->expr->range());
      continue;
    }
    std::vector<std::string> params;
    bool ok = true;
    for (const ExprPtr& item : params_expr->As<TupleExpr>().items) {
      std::string name = Keyword(item.get());
      if (name.empty()) {
        diags->AddError("Invalid param element", "Each parameter name must be an identifier.",
                        item->range);
        ok = false;
        break;
      }
      params.push_back(name);
    }
    if (!ok) continue;
    std::string var_param;
    if (const ContentAttribute* v = fc.Find("variadic_param")) {
      var_param = Keyword(v->expr->native());
      if (var_param.empty()) {
        diags->AddError("Invalid variadic_param",
                        "The variadic parameter name must be an identifier.", v->expr->range());
        continue;
      }
    }
    Function f;
    for (const std::string& p : params) f.params.push_back(Function::Param{p, Type::Dynamic()});
    if (!var_param.empty()) f.variadic = Function::Param{var_param, Type::Dynamic()};
    std::shared_ptr<const SyntaxExpr> result = fc.Find("result")->expr;
    f.impl = [base, params, var_param,
              result](const std::vector<Value>& args) -> absl::StatusOr<Value> {
      EvalContext ctx = base->Child();
      for (size_t i = 0; i < params.size() && i < args.size(); ++i) {
        ctx.variables[params[i]] = args[i];
      }
      if (!var_param.empty()) {
        std::vector<Value> rest;
        for (size_t i = params.size(); i < args.size(); ++i) rest.push_back(args[i]);
        ctx.variables[var_param] = Value::Tuple(std::move(rest));
      }
      Diagnostics ed;
      Value v = EvaluateExpr(*result, &ctx, &ed);
      if (ed.HasErrors()) return absl::InvalidArgumentError(DiagsError(ed));
      return v;
    };
    funcs[b.labels[0]] = std::move(f);
  }
  return funcs;
}

}  // namespace

Type EvalTypeExpr(const Expr* expr, Diagnostics* diags) {
  if (expr == nullptr) return Type::Dynamic();
  Diagnostics d;
  std::optional<Type> t = TypeOf(*expr, "", &d);
  diags->Append(d);
  if (t) return *t;
  // Whatever failed evaluated to an unknown value, which upstream then rejects as well (unless
  // the value itself was the problem, already reported).
  bool reported = false;
  for (const Diagnostic& x : d) reported = reported || x.summary == "Invalid type expression";
  if (!reported) {
    diags->AddError("Invalid type expression", "A type is required, not dynamic.", Range{});
  }
  return Type::Dynamic();
}

SpecFile LoadSpecFile(std::string src, std::string_view filename, Diagnostics* diags) {
  SpecFile out;
  auto ctx = std::make_shared<EvalContext>();
  ctx->functions = StandardFunctions(".");
  out.spec_ctx = ctx;
  ParseResult parsed = ParseConfig(std::move(src), filename);
  out.file = std::move(parsed.file);
  diags->Append(parsed.diags);
  if (parsed.diags.HasErrors()) {
    out.root = ErrSpec();
    return out;
  }
  std::shared_ptr<const SyntaxBody> body = NativeBody(*out.file->body);

  std::shared_ptr<const SyntaxBody> after_functions;
  out.functions = DecodeUserFunctions(*body, out.spec_ctx, &after_functions, diags);

  std::shared_ptr<const SyntaxBody> rest;
  BodyContent decls =
      after_functions->PartialContent(BodySchema{{}, {{"variables", {}}}}, &rest, diags);
  for (const ContentBlock& b : decls.blocks) {
    for (const ContentAttribute& a : b.body->JustAttributes(diags)) {
      out.variables[a.name] = EvaluateExpr(*a.expr, out.spec_ctx.get(), diags);
    }
  }
  out.root = SpecDecoder(out.spec_ctx, diags).Root(*rest);
  return out;
}

}  // namespace meshgw::hcl::hcldec
