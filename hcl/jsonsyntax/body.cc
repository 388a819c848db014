// Bodies and expressions of HCL's JSON syntax: content by schema (which properties are
// attributes or blocks is the schema's choice) and evaluation (strings as templates when there is
// a context). Wrappers over an immutable tree; thread-safe.
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "hcl/jsonsyntax/jsonsyntax.h"
#include "hcl/syntax/parser.h"
#include "utf8proc.h"

namespace meshgw::hcl {
namespace {

using Kind = JsonNode::Kind;

std::string Nfc(const std::string& s) {
  utf8proc_uint8_t* out = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(s.c_str()));
  if (out == nullptr) return s;
  std::string r(reinterpret_cast<const char*>(out));
  std::free(out);
  return r;
}

// A JSON string's contents parsed as a template; positions start after the opening quote (they
// cannot account for escapes, as upstream notes).
ExprPtr ParseStringTemplate(const std::string& text, const Range& range, Diagnostics* diags) {
  Pos start = range.start;
  start.byte += 1;
  start.column += 1;
  return ParseTemplate(text, range.filename, start, diags);
}

class JsonSyntaxExpr final : public SyntaxExpr {
 public:
  explicit JsonSyntaxExpr(const JsonNode& node) : node_(node) {}

  Range range() const override { return node_.range; }
  const Expr* native() const override { return nullptr; }

  Value Evaluate(const NativeEvaluator& eval, bool has_context, Diagnostics* diags) const override {
    return EvalNode(node_, eval, has_context, diags);
  }

  void ForEachNative(const std::function<void(const Expr&)>& visit) const override {
    VisitNode(node_, visit);
  }

 private:
  static Value EvalString(const std::string& text, const Range& range, const NativeEvaluator& eval,
                          bool has_context, Diagnostics* diags) {
    if (!has_context) return Value::String(Nfc(text));
    Diagnostics parse_diags;
    ExprPtr tmpl = ParseStringTemplate(text, range, &parse_diags);
    diags->Append(parse_diags);
    if (parse_diags.HasErrors() || tmpl == nullptr) return Value::Unknown(Type::Dynamic());
    return eval(*tmpl, diags);
  }

  static Value EvalNode(const JsonNode& n, const NativeEvaluator& eval, bool has_context,
                        Diagnostics* diags) {
    switch (n.kind) {
      case Kind::kString:
        return EvalString(n.text, n.range, eval, has_context, diags);
      case Kind::kNumber: {
        absl::StatusOr<Number> num = Number::Parse(n.text);
        if (!num.ok()) return Value::Unknown(Type::Dynamic());
        return Value::Number(*num);
      }
      case Kind::kBool:
        return Value::Bool(n.boolean);
      case Kind::kNull:
        return Value::Null(Type::Dynamic());
      case Kind::kArray: {
        std::vector<Value> elems;
        for (const auto& e : n.elements) elems.push_back(EvalNode(*e, eval, has_context, diags));
        return Value::Tuple(std::move(elems));
      }
      case Kind::kObject: {
        std::map<std::string, Value> attrs;
        std::map<std::string, Range> ranges;
        bool known = true;
        for (const JsonNode::Property& p : n.properties) {
          Value name = EvalString(p.name, p.name_range, eval, has_context, diags);
          Value val = EvalNode(*p.value, eval, has_context, diags);
          absl::StatusOr<Value> key = Convert(name, Type::String());
          if (!key.ok()) {
            diags->AddError("Invalid object key expression",
                            absl::StrCat("Cannot use this expression as an object key: ",
                                         key.status().message(), "."),
                            p.name_range);
            continue;
          }
          if (key->is_null()) {
            diags->AddError("Invalid object key expression",
                            "Cannot use null value as an object key.", p.name_range);
            continue;
          }
          if (!key->is_known()) {
            known = false;  // the object's type cannot be known; keep collecting errors
            continue;
          }
          const std::string& k = key->AsString();
          if (auto it = ranges.find(k); it != ranges.end()) {
            diags->AddError("Duplicate object attribute",
                            absl::StrCat("An attribute named ", QuoteName(k),
                                         " was already defined at ", it->second.ToString(), "."),
                            p.name_range);
            continue;
          }
          attrs.emplace(k, std::move(val));
          ranges.emplace(k, p.name_range);
        }
        if (!known) return Value::Unknown(Type::Dynamic());
        return Value::Object(std::move(attrs));
      }
      case Kind::kInvalid:
        break;
    }
    return Value::Unknown(Type::Dynamic());
  }

  static void VisitString(const std::string& text, const Range& range,
                          const std::function<void(const Expr&)>& visit) {
    Diagnostics ignored;
    ExprPtr tmpl = ParseStringTemplate(text, range, &ignored);
    if (!ignored.HasErrors() && tmpl != nullptr) visit(*tmpl);
  }

  static void VisitNode(const JsonNode& n, const std::function<void(const Expr&)>& visit) {
    switch (n.kind) {
      case Kind::kString:
        VisitString(n.text, n.range, visit);
        return;
      case Kind::kArray:
        for (const auto& e : n.elements) VisitNode(*e, visit);
        return;
      case Kind::kObject:
        for (const JsonNode::Property& p : n.properties) {
          VisitString(p.name, p.name_range, visit);
          VisitNode(*p.value, visit);
        }
        return;
      default:
        return;
    }
  }

  const JsonNode& node_;
};

// One property of a body object, found by flattening arrays of objects.
struct DeepAttr {
  const JsonNode::Property* prop;
};

class JsonSyntaxBody final : public SyntaxBody {
 public:
  JsonSyntaxBody(const JsonNode& node, std::set<std::string> hidden)
      : node_(node), hidden_(std::move(hidden)) {}

  BodyContent Content(const BodySchema& schema, Diagnostics* diags) const override {
    std::shared_ptr<const SyntaxBody> remain_any;
    BodyContent content = PartialContent(schema, &remain_any, diags);
    const auto& remain = static_cast<const JsonSyntaxBody&>(*remain_any);

    std::vector<std::string> suggestions;
    for (const AttributeSchema& a : schema.attributes) {
      // An attribute already used is not suggested; block types always are (they repeat).
      if (!remain.hidden_.count(a.name)) suggestions.push_back(a.name);
    }
    for (const BlockHeaderSchema& b : schema.blocks) suggestions.push_back(b.type);

    for (const JsonNode::Property* p : CollectDeepAttrs(node_, nullptr, diags)) {
      if (p->name == "//") continue;  // comments
      if (remain.hidden_.count(p->name)) continue;
      std::string suggestion = NameSuggestion(p->name, suggestions);
      if (!suggestion.empty())
        suggestion = absl::StrCat(" Did you mean ", QuoteName(suggestion), "?");
      diags->Add(Diagnostic{
          Severity::kError, "Extraneous JSON object property",
          absl::StrCat("No argument or block type is named ", QuoteName(p->name), ".", suggestion),
          p->name_range, p->name_range});
    }
    return content;
  }

  BodyContent PartialContent(const BodySchema& schema, std::shared_ptr<const SyntaxBody>* remain,
                             Diagnostics* diags) const override {
    BodyContent content;
    content.missing_item_range = MissingItemRange();
    std::set<std::string> used = hidden_;
    std::map<std::string, const AttributeSchema*> attr_schemas;
    std::map<std::string, const BlockHeaderSchema*> block_schemas;
    for (const AttributeSchema& a : schema.attributes) attr_schemas[a.name] = &a;
    for (const BlockHeaderSchema& b : schema.blocks) block_schemas[b.type] = &b;

    for (const JsonNode::Property* p : CollectDeepAttrs(node_, nullptr, diags)) {
      if (hidden_.count(p->name)) continue;
      if (attr_schemas.count(p->name)) {
        if (const ContentAttribute* existing = content.Find(p->name)) {
          diags->Add(
              Diagnostic{Severity::kError, "Duplicate argument",
                         absl::StrCat("The argument ", QuoteName(p->name), " was already set at ",
                                      existing->range.ToString(), "."),
                         p->name_range, p->name_range});
          continue;
        }
        content.attributes.push_back(
            ContentAttribute{p->name, JsonExpr(*p->value),
                             Range::Between(p->name_range, p->value->range), p->name_range});
        used.insert(p->name);
      } else if (auto it = block_schemas.find(p->name); it != block_schemas.end()) {
        std::vector<std::string> labels;
        std::vector<Range> label_ranges;
        UnpackBlock(*p->value, *it->second, p->name_range, 0, &labels, &label_ranges,
                    &content.blocks, diags);
        used.insert(p->name);
      }
      // Anything else is left for Content to report.
    }

    for (const AttributeSchema& a : schema.attributes) {
      if (a.required && content.Find(a.name) == nullptr) {
        diags->AddError("Missing required argument",
                        absl::StrCat("The argument ", QuoteName(a.name),
                                     " is required, but no definition was found."),
                        MissingItemRange());
      }
    }
    if (remain != nullptr) *remain = std::make_shared<JsonSyntaxBody>(node_, std::move(used));
    return content;
  }

  std::vector<ContentAttribute> JustAttributes(Diagnostics* diags) const override {
    std::vector<ContentAttribute> out;
    if (node_.kind != Kind::kObject) {
      diags->AddError("Incorrect JSON value type",
                      "A JSON object is required here, setting the arguments for this block.",
                      node_.StartRange());
      return out;
    }
    std::map<std::string, Range> seen;
    for (const JsonNode::Property& p : node_.properties) {
      if (p.name == "//" || hidden_.count(p.name)) continue;
      Range r = Range::Between(p.name_range, p.value->range);
      if (auto it = seen.find(p.name); it != seen.end()) {
        diags->AddError("Duplicate attribute definition",
                        absl::StrCat("The argument ", QuoteName(p.name), " was already set at ",
                                     it->second.ToString(), "."),
                        p.name_range);
        continue;
      }
      seen.emplace(p.name, r);
      out.push_back(ContentAttribute{p.name, JsonExpr(*p.value), r, p.name_range});
    }
    return out;
  }

  Range MissingItemRange() const override {
    switch (node_.kind) {
      case Kind::kObject:
        return node_.close_range;
      case Kind::kArray:
        return node_.open_range;
      default:
        return node_.StartRange();
    }
  }

 private:
  // The properties of an object, or of every object in an array, in order. `label_name` (when
  // non-null) tailors the messages to block labels.
  static std::vector<const JsonNode::Property*> CollectDeepAttrs(const JsonNode& v,
                                                                 const std::string* label_name,
                                                                 Diagnostics* diags) {
    std::vector<const JsonNode::Property*> out;
    switch (v.kind) {
      case Kind::kNull:
        break;
      case Kind::kObject:
        for (const auto& p : v.properties) out.push_back(&p);
        break;
      case Kind::kArray:
        for (const auto& e : v.elements) {
          if (e->kind == Kind::kObject) {
            for (const auto& p : e->properties) out.push_back(&p);
          } else if (label_name != nullptr) {
            diags->AddError("Incorrect JSON value type",
                            absl::StrCat("A JSON object is required here, to specify ", *label_name,
                                         " labels for this block."),
                            e->StartRange());
          } else {
            diags->AddError("Incorrect JSON value type",
                            "A JSON object is required here, to define arguments and child "
                            "blocks.",
                            e->StartRange());
          }
        }
        break;
      default:
        if (label_name != nullptr) {
          diags->AddError("Incorrect JSON value type",
                          absl::StrCat("Either a JSON object or JSON array of objects is required "
                                       "here, to specify ",
                                       *label_name, " labels for this block."),
                          v.StartRange());
        } else {
          diags->AddError("Incorrect JSON value type",
                          "Either a JSON object or JSON array of objects is required here, to "
                          "define arguments and child blocks.",
                          v.StartRange());
        }
        break;
    }
    return out;
  }

  static void UnpackBlock(const JsonNode& v, const BlockHeaderSchema& schema,
                          const Range& type_range, size_t label_index,
                          std::vector<std::string>* labels, std::vector<Range>* label_ranges,
                          std::vector<ContentBlock>* blocks, Diagnostics* diags) {
    if (label_index < schema.label_names.size()) {
      const std::string& label_name = schema.label_names[label_index];
      std::vector<const JsonNode::Property*> props = CollectDeepAttrs(v, &label_name, diags);
      if (props.empty()) {
        diags->AddError("Missing block label",
                        absl::StrCat("At least one object property is required, whose name "
                                     "represents the ",
                                     schema.type, " block's ", label_name, "."),
                        v.StartRange());
        return;
      }
      for (const JsonNode::Property* p : props) {
        labels->push_back(p->name);
        label_ranges->push_back(p->name_range);
        UnpackBlock(*p->value, schema, type_range, label_index + 1, labels, label_ranges, blocks,
                    diags);
        labels->pop_back();
        label_ranges->pop_back();
      }
      return;
    }
    switch (v.kind) {
      case Kind::kNull:
        return;  // no block at all
      case Kind::kObject:
        blocks->push_back(ContentBlock{schema.type, *labels, JsonBody(v), v.open_range, type_range,
                                       *label_ranges});
        return;
      case Kind::kArray:
        for (const auto& e : v.elements) {
          // A non-object element is reported when its content is asked for.
          blocks->push_back(ContentBlock{schema.type, *labels, JsonBody(*e), v.open_range,
                                         type_range, *label_ranges});
        }
        return;
      default:
        diags->AddError("Incorrect JSON value type",
                        absl::StrCat("Either a JSON object or a JSON array is required, "
                                     "representing the contents of one or more ",
                                     QuoteName(schema.type), " blocks."),
                        v.StartRange());
        return;
    }
  }

  const JsonNode& node_;
  std::set<std::string> hidden_;
};

}  // namespace

std::shared_ptr<const SyntaxBody> JsonBody(const JsonNode& node) {
  return std::make_shared<JsonSyntaxBody>(node, std::set<std::string>{});
}

std::shared_ptr<const SyntaxExpr> JsonExpr(const JsonNode& node) {
  return std::make_shared<JsonSyntaxExpr>(node);
}

}  // namespace meshgw::hcl
