// Decoding a body with an hcldec spec. See spec.h. Stateless; thread-safe.
#include "hcl/hcldec/spec.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace meshgw::hcl::hcldec {
namespace {

std::shared_ptr<Spec> Make(Spec::Kind kind) {
  auto s = std::make_shared<Spec>();
  s->kind = kind;
  return s;
}

bool IsBlockKind(Spec::Kind k) {
  return k == Spec::Kind::kBlock || k == Spec::Kind::kBlockList || k == Spec::Kind::kBlockSet ||
         k == Spec::Kind::kBlockMap || k == Spec::Kind::kBlockAttrs;
}

// The specs that read the same body as `s` (hcldec's visitSameBodyChildren).
void VisitSameBodyChildren(const Spec& s, const std::function<void(const Spec&)>& cb) {
  switch (s.kind) {
    case Spec::Kind::kObject:
      for (const auto& [name, child] : s.object) cb(*child);
      return;
    case Spec::Kind::kTuple:
      for (const SpecPtr& child : s.elements) cb(*child);
      return;
    case Spec::Kind::kDefault:
      cb(*s.primary);
      cb(*s.fallback);
      return;
    case Spec::Kind::kTransform:
      cb(*s.nested);
      return;
    default:
      return;
  }
}

void AttrSchemata(const Spec& s, std::vector<AttributeSchema>* out) {
  if (s.kind == Spec::Kind::kAttr) {
    out->push_back(AttributeSchema{s.name, s.required});
  } else if (s.kind == Spec::Kind::kDefault) {
    AttrSchemata(*s.primary, out);
    AttrSchemata(*s.fallback, out);
  }
}

// Block header schemata of a block spec (or a default spec whose primary is one).
bool BlockSchemata(const Spec& s, std::vector<BlockHeaderSchema>* out) {
  if (IsBlockKind(s.kind)) {
    out->push_back(BlockHeaderSchema{
        s.name, s.kind == Spec::Kind::kBlockMap ? s.labels : std::vector<std::string>{}});
    return true;
  }
  if (s.kind == Spec::Kind::kDefault) return BlockSchemata(*s.primary, out);
  return false;
}

const ContentBlock* FirstBlock(const BodyContent& content, const std::string& type,
                               const ContentBlock** other = nullptr) {
  const ContentBlock* first = nullptr;
  for (const ContentBlock& b : content.blocks) {
    if (b.type != type) continue;
    if (first != nullptr) {
      if (other != nullptr) *other = &b;
      return first;
    }
    first = &b;
  }
  return first;
}

Range SourceRange(const SyntaxBody& body, const Spec& spec);

Range SourceRangeOfContent(const BodyContent& content, const Spec& spec) {
  switch (spec.kind) {
    case Spec::Kind::kAttr: {
      const ContentAttribute* a = content.Find(spec.name);
      return a ? a->expr->range() : content.missing_item_range;
    }
    case Spec::Kind::kLiteral:
      return Range{InternFilename("<unknown>"), {}, {}};
    case Spec::Kind::kBlock:
    case Spec::Kind::kBlockList:
    case Spec::Kind::kBlockSet:
    case Spec::Kind::kBlockMap: {
      const ContentBlock* b = FirstBlock(content, spec.name);
      return b ? SourceRange(*b->body, *spec.nested) : content.missing_item_range;
    }
    case Spec::Kind::kBlockAttrs: {
      const ContentBlock* b = FirstBlock(content, spec.name);
      return b ? b->def_range : content.missing_item_range;
    }
    case Spec::Kind::kDefault:
      return SourceRangeOfContent(content, *spec.primary);
    case Spec::Kind::kTransform:
      return SourceRangeOfContent(content, *spec.nested);
    default:
      return content.missing_item_range;
  }
}

Range SourceRange(const SyntaxBody& body, const Spec& spec) {
  Diagnostics ignored;
  BodyContent content = body.PartialContent(ImpliedSchema(spec), nullptr, &ignored);
  return SourceRangeOfContent(content, spec);
}

Value DecodeContent(const BodyContent& content, const Spec& spec, const EvalContext* ctx,
                    Diagnostics* diags);

// Block list and set: the decoded blocks, unified to one element type.
Value DecodeBlockCollection(const BodyContent& content, const Spec& spec, const EvalContext* ctx,
                            Diagnostics* diags) {
  std::vector<Value> elems;
  std::vector<Range> ranges;
  for (const ContentBlock& b : content.blocks) {
    if (b.type != spec.name) continue;
    elems.push_back(Decode(*b.body, *spec.nested, ctx, diags));
    ranges.push_back(SourceRange(*b.body, *spec.nested));
  }
  const int n = static_cast<int>(elems.size());
  if (n < spec.min_items) {
    diags->AddError(absl::StrCat("Insufficient ", spec.name, " blocks"),
                    absl::StrCat("At least ", spec.min_items, " ", QuoteName(spec.name),
                                 " blocks are required."),
                    content.missing_item_range);
  } else if (spec.max_items > 0 && n > spec.max_items) {
    diags->AddError(absl::StrCat("Too many ", spec.name, " blocks"),
                    absl::StrCat("No more than ", spec.max_items, " ", QuoteName(spec.name),
                                 " blocks are allowed"),
                    ranges[spec.max_items]);
  }
  const bool is_set = spec.kind == Spec::Kind::kBlockSet;
  if (elems.empty()) {
    Type ety = ImpliedType(*spec.nested);
    return is_set ? Value::Set(ety, {}) : Value::List(ety, {});
  }
  std::vector<Type> types;
  for (const Value& v : elems) types.push_back(v.type());
  std::optional<Type> ety = UnifyTypes(types);
  if (!ety) {
    diags->AddError(absl::StrCat("Unconsistent argument types in ", spec.name, " blocks"),
                    "Corresponding attributes in all blocks of this type must be the same.",
                    ranges[0]);
    return Value::Unknown(Type::Dynamic());
  }
  for (size_t i = 0; i < elems.size(); ++i) {
    if (elems[i].type() == *ety) continue;
    absl::StatusOr<Value> conv = Convert(elems[i], *ety);
    if (!conv.ok()) {
      diags->AddError(absl::StrCat("Unconsistent argument types in ", spec.name, " blocks"),
                      absl::StrCat("Block with index ", i, " has inconsistent argument types: ",
                                   conv.status().message(), "."),
                      ranges[i]);
      return Value::Unknown(Type::Dynamic());
    }
    elems[i] = *conv;
  }
  return is_set ? Value::Set(*ety, std::move(elems)) : Value::List(*ety, std::move(elems));
}

// Nested maps keyed by block labels.
struct LabelTree {
  std::map<std::string, LabelTree> children;
  std::optional<Value> value;
};

Value LabelTreeValue(const LabelTree& t, int depth, const Type& leaf_type) {
  std::map<std::string, Value> entries;
  Type ety = leaf_type;
  for (int i = 1; i < depth; ++i) ety = Type::Map(ety);
  for (const auto& [k, child] : t.children) {
    Value v = depth == 1 ? *child.value : LabelTreeValue(child, depth - 1, leaf_type);
    entries.emplace(k, std::move(v));
  }
  if (depth == 1 && !entries.empty()) ety = entries.begin()->second.type();
  return Value::Map(ety, std::move(entries));
}

Value DecodeBlockMap(const BodyContent& content, const Spec& spec, const EvalContext* ctx,
                     Diagnostics* diags) {
  const size_t depth = spec.labels.size();
  LabelTree root;
  bool any = false;
  for (const ContentBlock& b : content.blocks) {
    if (b.type != spec.name) continue;
    Value val = Decode(*b.body, *spec.nested, ctx, diags);
    LabelTree* target = &root;
    for (size_t i = 0; i + 1 < depth; ++i) target = &target->children[b.labels[i]];
    const std::string& key = b.labels[depth - 1];
    if (target->children.count(key)) {
      std::string labels;
      for (const std::string& l : b.labels) absl::StrAppend(&labels, " ", QuoteName(l));
      diags->AddError(absl::StrCat("Duplicate ", spec.name, " block"),
                      absl::StrCat("A block for ", spec.name, labels, " was already defined. The ",
                                   spec.name, " labels must be unique."),
                      b.def_range);
      continue;
    }
    target->children[key].value = std::move(val);
    any = true;
  }
  Type leaf = ImpliedType(*spec.nested);
  if (!any) return Value::Map(leaf, {});
  return LabelTreeValue(root, static_cast<int>(depth), leaf);
}

Value DecodeBlockAttrs(const BodyContent& content, const Spec& spec, const EvalContext* ctx,
                       Diagnostics* diags) {
  const ContentBlock* other = nullptr;
  const ContentBlock* block = FirstBlock(content, spec.name, &other);
  if (block == nullptr) {
    if (spec.required) {
      diags->AddError(absl::StrCat("Missing ", spec.name, " block"),
                      absl::StrCat("A block of type ", QuoteName(spec.name), " is required here."),
                      content.missing_item_range);
    }
    return Value::Null(Type::Map(spec.type));
  }
  if (other != nullptr) {
    diags->AddError(
        absl::StrCat("Duplicate ", spec.name, " block"),
        absl::StrCat("Only one block of type ", QuoteName(spec.name),
                     " is allowed. Previous definition was at ", block->def_range.ToString(), "."),
        other->def_range);
  }
  std::vector<ContentAttribute> attrs = block->body->JustAttributes(diags);
  if (attrs.empty()) return Value::Map(spec.type, {});
  std::map<std::string, Value> vals;
  for (const ContentAttribute& a : attrs) {
    Value v = EvaluateExpr(*a.expr, ctx, diags);
    absl::StatusOr<Value> conv = Convert(v, spec.type);
    if (!conv.ok()) {
      diags->Add(Diagnostic{Severity::kError, "Invalid attribute value",
                            absl::StrCat("Invalid value for attribute of ", QuoteName(spec.name),
                                         " block: ", conv.status().message(), "."),
                            a.expr->range(), Range::Between(a.name_range, a.expr->range())});
      v = Value::Unknown(spec.type);
    } else {
      v = *conv;
    }
    vals.emplace(a.name, std::move(v));
  }
  // With element type `any` the values may differ in type; a map needs one.
  std::vector<Type> types;
  for (const auto& [k, v] : vals) types.push_back(v.type());
  std::optional<Type> ety = UnifyTypes(types);
  if (!ety) return Value::Object(std::move(vals));
  for (auto& [k, v] : vals) {
    if (v.type() != *ety) {
      absl::StatusOr<Value> c = Convert(v, *ety);
      if (c.ok()) v = *c;
    }
  }
  return Value::Map(*ety, std::move(vals));
}

Value DecodeContent(const BodyContent& content, const Spec& spec, const EvalContext* ctx,
                    Diagnostics* diags) {
  switch (spec.kind) {
    case Spec::Kind::kObject: {
      std::map<std::string, Value> vals;
      for (const auto& [name, child] : spec.object) {
        vals.emplace(name, DecodeContent(content, *child, ctx, diags));
      }
      return Value::Object(std::move(vals));
    }
    case Spec::Kind::kTuple: {
      std::vector<Value> vals;
      for (const SpecPtr& child : spec.elements) {
        vals.push_back(DecodeContent(content, *child, ctx, diags));
      }
      return Value::Tuple(std::move(vals));
    }
    case Spec::Kind::kAttr: {
      const ContentAttribute* attr = content.Find(spec.name);
      if (attr == nullptr) return Value::Null(spec.type);
      Value v = EvaluateExpr(*attr->expr, ctx, diags);
      absl::StatusOr<Value> conv = Convert(v, spec.type);
      if (!conv.ok()) {
        diags->Add(
            Diagnostic{Severity::kError, "Incorrect attribute value type",
                       absl::StrCat("Inappropriate value for attribute ", QuoteName(spec.name),
                                    ": ", conv.status().message(), "."),
                       attr->expr->range(), Range::Between(attr->name_range, attr->expr->range())});
        return Value::Unknown(spec.type);
      }
      return *conv;
    }
    case Spec::Kind::kLiteral:
      return spec.literal;
    case Spec::Kind::kBlock: {
      const ContentBlock* found = nullptr;
      for (const ContentBlock& b : content.blocks) {
        if (b.type != spec.name) continue;
        if (found != nullptr) {
          diags->AddError(absl::StrCat("Duplicate ", spec.name, " block"),
                          absl::StrCat("Only one block of type ", QuoteName(spec.name),
                                       " is allowed. Previous definition was at ",
                                       found->def_range.ToString(), "."),
                          b.def_range);
          break;
        }
        found = &b;
      }
      if (found == nullptr) {
        if (spec.required) {
          diags->AddError(
              absl::StrCat("Missing ", spec.name, " block"),
              absl::StrCat("A block of type ", QuoteName(spec.name), " is required here."),
              content.missing_item_range);
        }
        return Value::Null(ImpliedType(*spec.nested));
      }
      return Decode(*found->body, *spec.nested, ctx, diags);
    }
    case Spec::Kind::kBlockList:
    case Spec::Kind::kBlockSet:
      return DecodeBlockCollection(content, spec, ctx, diags);
    case Spec::Kind::kBlockMap:
      return DecodeBlockMap(content, spec, ctx, diags);
    case Spec::Kind::kBlockAttrs:
      return DecodeBlockAttrs(content, spec, ctx, diags);
    case Spec::Kind::kDefault: {
      Value v = DecodeContent(content, *spec.primary, ctx, diags);
      if (v.is_null()) v = DecodeContent(content, *spec.fallback, ctx, diags);
      return v;
    }
    case Spec::Kind::kTransform: {
      Diagnostics wrapped_diags;
      Value wrapped = DecodeContent(content, *spec.nested, ctx, &wrapped_diags);
      diags->Append(wrapped_diags);
      if (wrapped_diags.HasErrors()) return Value::Unknown(ImpliedType(spec));
      EvalContext child = spec.transform_ctx ? spec.transform_ctx->Child() : EvalContext{};
      child.variables["nested"] = wrapped;
      return EvaluateExpr(*spec.transform, &child, diags);
    }
  }
  return Value::Null(Type::Dynamic());
}

void CollectVariables(const BodyContent& content, const Spec& spec, std::vector<Traversal>* out) {
  switch (spec.kind) {
    case Spec::Kind::kAttr:
      if (const ContentAttribute* a = content.Find(spec.name)) {
        std::vector<Traversal> vars = ExprVariables(*a->expr);
        out->insert(out->end(), vars.begin(), vars.end());
      }
      return;
    case Spec::Kind::kBlock:
      if (const ContentBlock* b = FirstBlock(content, spec.name)) {
        std::vector<Traversal> vars = Variables(*b->body, *spec.nested);
        out->insert(out->end(), vars.begin(), vars.end());
      }
      return;
    case Spec::Kind::kBlockList:
    case Spec::Kind::kBlockSet:
    case Spec::Kind::kBlockMap:
      for (const ContentBlock& b : content.blocks) {
        if (b.type != spec.name) continue;
        std::vector<Traversal> vars = Variables(*b.body, *spec.nested);
        out->insert(out->end(), vars.begin(), vars.end());
      }
      return;
    case Spec::Kind::kBlockAttrs: {
      const ContentBlock* b = FirstBlock(content, spec.name);
      if (b == nullptr) return;
      Diagnostics d;
      std::vector<ContentAttribute> attrs = b->body->JustAttributes(&d);
      if (d.HasErrors()) return;
      std::vector<Traversal> vars;
      for (const ContentAttribute& a : attrs) {
        std::vector<Traversal> v = ExprVariables(*a.expr);
        vars.insert(vars.end(), v.begin(), v.end());
      }
      std::stable_sort(vars.begin(), vars.end(), [](const Traversal& x, const Traversal& y) {
        return x.front().range.start.byte < y.front().range.start.byte;
      });
      out->insert(out->end(), vars.begin(), vars.end());
      return;
    }
    default:
      return;
  }
}

}  // namespace

SpecPtr Spec::Object(std::map<std::string, SpecPtr> children) {
  auto s = Make(Kind::kObject);
  s->object = std::move(children);
  return s;
}

SpecPtr Spec::Tuple(std::vector<SpecPtr> elements) {
  auto s = Make(Kind::kTuple);
  s->elements = std::move(elements);
  return s;
}

SpecPtr Spec::Attr(std::string name, Type type, bool required) {
  auto s = Make(Kind::kAttr);
  s->name = std::move(name);
  s->type = std::move(type);
  s->required = required;
  return s;
}

SpecPtr Spec::Literal(Value v) {
  auto s = Make(Kind::kLiteral);
  s->literal = std::move(v);
  return s;
}

SpecPtr Spec::Block(std::string type_name, SpecPtr nested, bool required) {
  auto s = Make(Kind::kBlock);
  s->name = std::move(type_name);
  s->nested = std::move(nested);
  s->required = required;
  return s;
}

SpecPtr Spec::BlockList(std::string type_name, SpecPtr nested, int min_items, int max_items) {
  auto s = Make(Kind::kBlockList);
  s->name = std::move(type_name);
  s->nested = std::move(nested);
  s->min_items = min_items;
  s->max_items = max_items;
  return s;
}

SpecPtr Spec::BlockSet(std::string type_name, SpecPtr nested, int min_items, int max_items) {
  auto s = Make(Kind::kBlockSet);
  s->name = std::move(type_name);
  s->nested = std::move(nested);
  s->min_items = min_items;
  s->max_items = max_items;
  return s;
}

SpecPtr Spec::BlockMap(std::string type_name, std::vector<std::string> labels, SpecPtr nested) {
  auto s = Make(Kind::kBlockMap);
  s->name = std::move(type_name);
  s->labels = std::move(labels);
  s->nested = std::move(nested);
  return s;
}

SpecPtr Spec::BlockAttrs(std::string type_name, Type element_type, bool required) {
  auto s = Make(Kind::kBlockAttrs);
  s->name = std::move(type_name);
  s->type = std::move(element_type);
  s->required = required;
  return s;
}

SpecPtr Spec::Default(SpecPtr primary, SpecPtr fallback) {
  auto s = Make(Kind::kDefault);
  s->primary = std::move(primary);
  s->fallback = std::move(fallback);
  return s;
}

BodySchema ImpliedSchema(const Spec& spec) {
  BodySchema schema;
  std::function<void(const Spec&)> visit = [&](const Spec& s) {
    AttrSchemata(s, &schema.attributes);
    BlockSchemata(s, &schema.blocks);
    VisitSameBodyChildren(s, visit);
  };
  visit(spec);
  return schema;
}

Type ImpliedType(const Spec& spec) {
  switch (spec.kind) {
    case Spec::Kind::kObject: {
      std::map<std::string, Type> attrs;
      for (const auto& [name, child] : spec.object) attrs.emplace(name, ImpliedType(*child));
      return Type::Object(std::move(attrs));
    }
    case Spec::Kind::kTuple: {
      std::vector<Type> elems;
      for (const SpecPtr& child : spec.elements) elems.push_back(ImpliedType(*child));
      return Type::Tuple(std::move(elems));
    }
    case Spec::Kind::kAttr:
      return spec.type;
    case Spec::Kind::kLiteral:
      return spec.literal.type();
    case Spec::Kind::kBlock:
      return ImpliedType(*spec.nested);
    case Spec::Kind::kBlockList:
      return Type::List(ImpliedType(*spec.nested));
    case Spec::Kind::kBlockSet:
      return Type::Set(ImpliedType(*spec.nested));
    case Spec::Kind::kBlockMap: {
      Type t = ImpliedType(*spec.nested);
      for (size_t i = 0; i < spec.labels.size(); ++i) t = Type::Map(t);
      return t;
    }
    case Spec::Kind::kBlockAttrs:
      return Type::Map(spec.type);
    case Spec::Kind::kDefault:
      return ImpliedType(*spec.primary);
    case Spec::Kind::kTransform: {
      EvalContext child = spec.transform_ctx ? spec.transform_ctx->Child() : EvalContext{};
      child.variables["nested"] = Value::Unknown(ImpliedType(*spec.nested));
      Diagnostics ignored;
      return EvaluateExpr(*spec.transform, &child, &ignored).type();
    }
  }
  return Type::Dynamic();
}

Value Decode(const SyntaxBody& body, const Spec& spec, const EvalContext* ctx, Diagnostics* diags) {
  BodyContent content = body.Content(ImpliedSchema(spec), diags);
  return DecodeContent(content, spec, ctx, diags);
}

std::vector<Traversal> Variables(const SyntaxBody& body, const Spec& spec) {
  Diagnostics ignored;
  BodyContent content = body.PartialContent(ImpliedSchema(spec), nullptr, &ignored);
  std::vector<Traversal> out;
  CollectVariables(content, spec, &out);
  std::function<void(const Spec&)> visit = [&](const Spec& s) {
    CollectVariables(content, s, &out);
    VisitSameBodyChildren(s, visit);
  };
  VisitSameBodyChildren(spec, visit);
  return out;
}

}  // namespace meshgw::hcl::hcldec
