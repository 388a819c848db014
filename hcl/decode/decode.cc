// The schema walkers and value conversions behind decode.h. Bodies go through the content API
// (so native and JSON bodies behave alike and unknown names get the official diagnostics);
// object values written in place of blocks are walked here, using the native syntax tree when
// there is one so that every message points at the exact key or element.
#include "hcl/decode/decode.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl::decode {

std::optional<absl::Duration> ParseDuration(std::string_view s) {
  // Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+, or "0".
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return absl::ZeroDuration();
  if (s.empty()) return std::nullopt;
  absl::Duration total = absl::ZeroDuration();
  while (!s.empty()) {
    size_t i = 0;
    int64_t whole = 0;
    bool digits = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (whole > (std::numeric_limits<int64_t>::max() - 9) / 10) return std::nullopt;
      whole = whole * 10 + (s[i] - '0');
      digits = true;
      ++i;
    }
    double fraction = 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        fraction += (s[i] - '0') * scale;
        scale /= 10;
        digits = true;
        ++i;
      }
    }
    if (!digits) return std::nullopt;
    size_t u = i;
    while (u < s.size() && s[u] != '.' && !std::isdigit(static_cast<unsigned char>(s[u]))) ++u;
    std::string_view unit_name = s.substr(i, u - i);
    absl::Duration unit;
    if (unit_name == "ns") {
      unit = absl::Nanoseconds(1);
    } else if (unit_name == "us" || unit_name == "\xC2\xB5s" || unit_name == "\xCE\xBCs") {
      unit = absl::Microseconds(1);
    } else if (unit_name == "ms") {
      unit = absl::Milliseconds(1);
    } else if (unit_name == "s") {
      unit = absl::Seconds(1);
    } else if (unit_name == "m") {
      unit = absl::Minutes(1);
    } else if (unit_name == "h") {
      unit = absl::Hours(1);
    } else {
      return std::nullopt;  // missing or unknown unit
    }
    total += unit * whole + unit * fraction;
    s.remove_prefix(u);
  }
  if (total == absl::InfiniteDuration()) return std::nullopt;
  return negative ? -total : total;
}

std::string ToSnakeCase(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    char c = camel[i];
    bool upper = std::isupper(static_cast<unsigned char>(c));
    if (upper && i > 0) {
      char prev = camel[i - 1];
      bool prev_lower_or_digit = std::islower(static_cast<unsigned char>(prev)) ||
                                 std::isdigit(static_cast<unsigned char>(prev));
      bool prev_upper = std::isupper(static_cast<unsigned char>(prev));
      bool next_lower =
          i + 1 < camel.size() && std::islower(static_cast<unsigned char>(camel[i + 1]));
      // "PeerThrough" -> peer_through; "TLSConfig" -> tls_config (the acronym ends before the
      // capital that starts the next word).
      if (prev_lower_or_digit || (prev_upper && next_lower)) out += '_';
    }
    out += upper ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
  }
  return out;
}

std::string ToCamelCase(std::string_view snake) {
  std::string out;
  bool start = true;
  for (char c : snake) {
    if (c == '_') {
      start = true;
      continue;
    }
    out += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    start = false;
  }
  return out;
}

namespace decode_internal {
namespace {

const Expr* Unparen(const Expr* e) {
  while (e != nullptr && e->kind == ExprKind::kParentheses)
    e = e->As<ParenthesesExpr>().inner.get();
  return e;
}

// The names a field may be written as: the declared one and, for Consul keys, the other style.
std::vector<std::string> Spellings(const std::string& name, bool consul) {
  std::vector<std::string> out{name};
  if (!consul) return out;
  bool camel = !name.empty() && std::isupper(static_cast<unsigned char>(name[0]));
  std::string other = camel ? ToSnakeCase(name) : ToCamelCase(name);
  if (other != name) out.push_back(other);
  return out;
}

// How a value is described after "not": `not a bool`, `not "abc"`, `not null`.
std::string Describe(const Value& v) {
  if (!v.is_known()) return "an unknown value";
  if (v.is_null()) return "null";
  switch (v.type().kind()) {
    case Type::Kind::kBool:
      return v.AsBool() ? "true" : "false";
    case Type::Kind::kNumber:
      return v.AsNumber().ToString();
    case Type::Kind::kString:
      return v.AsString().size() <= 40 ? QuoteName(v.AsString()) : "a string";
    case Type::Kind::kList:
    case Type::Kind::kTuple:
      return "a list";
    case Type::Kind::kSet:
      return "a set";
    case Type::Kind::kMap:
      return "a map";
    case Type::Kind::kObject:
      return "an object";
    case Type::Kind::kDynamic:
      break;
  }
  return "a value of unknown type";
}

void AddError(Env& env, std::string summary, std::string detail, const Range& subject) {
  env.diags->AddError(std::move(summary), std::move(detail), subject);
}

void ReportWanted(const Node& node, std::string_view attr, std::string_view wanted, Env& env) {
  ReportUnsuitable(node, attr,
                   absl::StrCat(std::string(wanted), " is required, not ", Describe(node.value)),
                   env);
}

}  // namespace

void ReportUnsuitable(const Node& node, std::string_view attr, std::string_view what, Env& env) {
  AddError(env, "Incorrect attribute value type",
           absl::StrCat("Inappropriate value for attribute ", QuoteName(attr), ": ",
                        std::string(what), "."),
           node.range);
}

bool ToStringValue(const Node& node, std::string_view attr, Env& env, std::string* out) {
  absl::StatusOr<Value> v = Convert(node.value, Type::String());
  if (node.value.is_null() || !v.ok() || v->is_null() || !v->is_known()) {
    ReportWanted(node, attr, "a string", env);
    return false;
  }
  *out = v->AsString();
  return true;
}

bool ToBoolValue(const Node& node, std::string_view attr, Env& env, bool* out) {
  absl::StatusOr<Value> v = Convert(node.value, Type::Bool());
  if (node.value.is_null() || !v.ok() || v->is_null() || !v->is_known()) {
    ReportWanted(node, attr, "a bool", env);
    return false;
  }
  *out = v->AsBool();
  return true;
}

bool ToNumberValue(const Node& node, std::string_view attr, Env& env, Number* out) {
  absl::StatusOr<Value> v = Convert(node.value, Type::Number());
  if (node.value.is_null() || !v.ok() || v->is_null() || !v->is_known()) {
    ReportWanted(node, attr, "a number", env);
    return false;
  }
  *out = v->AsNumber();
  return true;
}

bool ToIntValue(const Node& node, std::string_view attr, Env& env, int64_t min, int64_t max,
                uint64_t umax, bool is_unsigned, int64_t* out, uint64_t* uout) {
  Number n;
  absl::StatusOr<Value> v = Convert(node.value, Type::Number());
  if (node.value.is_null() || !v.ok() || v->is_null() || !v->is_known()) {
    ReportWanted(node, attr, "a whole number", env);
    return false;
  }
  n = v->AsNumber();
  if (!n.IsInteger()) {
    ReportWanted(node, attr, "a whole number", env);
    return false;
  }
  std::string range = is_unsigned ? absl::StrCat("a whole number between 0 and ", umax)
                                  : absl::StrCat("a whole number between ", min, " and ", max);
  if (std::optional<int64_t> i = n.ToInt64()) {
    bool ok =
        is_unsigned ? (*i >= 0 && static_cast<uint64_t>(*i) <= umax) : (*i >= min && *i <= max);
    if (!ok) {
      ReportWanted(node, attr, range, env);
      return false;
    }
    *out = *i;
    *uout = static_cast<uint64_t>(*i);
    return true;
  }
  uint64_t u = 0;
  if (is_unsigned && absl::SimpleAtoi(n.ToString(), &u) && u <= umax) {
    *uout = u;
    return true;
  }
  ReportWanted(node, attr, range, env);
  return false;
}

bool ToDurationValue(const Node& node, std::string_view attr, Env& env, absl::Duration* out) {
  constexpr std::string_view kWanted = "a duration such as \"5s\", \"1m30s\" or \"250ms\"";
  if (!node.value.is_known() || node.value.is_null() ||
      node.value.type().kind() != Type::Kind::kString) {
    ReportWanted(node, attr, kWanted, env);
    return false;
  }
  std::optional<absl::Duration> d = ParseDuration(node.value.AsString());
  if (!d) {
    ReportWanted(node, attr, kWanted, env);
    return false;
  }
  *out = *d;
  return true;
}

namespace {

// Where a part of a value is: its own range when the value knows it, else the whole's.
Range PartRange(const Value& part, const Range& whole) {
  return part.range().filename.empty() && part.range().end.byte == 0 ? whole : part.range();
}

}  // namespace

bool ElementNodes(const Node& node, std::string_view attr, std::string_view what, Env& env,
                  std::vector<Node>* out) {
  const Value& v = node.value;
  Type::Kind k = v.is_null() || !v.is_known() ? Type::Kind::kDynamic : v.type().kind();
  if (k != Type::Kind::kList && k != Type::Kind::kTuple && k != Type::Kind::kSet) {
    ReportWanted(node, attr, what, env);
    return false;
  }
  const Expr* syntax = Unparen(node.syntax);
  const TupleExpr* tuple =
      syntax != nullptr && syntax->kind == ExprKind::kTuple && k != Type::Kind::kSet
          ? &syntax->As<TupleExpr>()
          : nullptr;
  const std::vector<Value>& elems = v.Elements();
  if (tuple != nullptr && tuple->items.size() != elems.size()) tuple = nullptr;
  for (size_t i = 0; i < elems.size(); ++i) {
    if (tuple != nullptr) {
      out->push_back(Node{elems[i], tuple->items[i]->range, tuple->items[i].get()});
    } else {
      out->push_back(Node{elems[i], PartRange(elems[i], node.range), nullptr});
    }
  }
  return true;
}

bool EntryNodes(const Node& node, std::string_view attr, std::string_view what, Env& env,
                std::vector<std::pair<std::string, Node>>* out, std::vector<Range>* key_ranges) {
  const Value& v = node.value;
  Type::Kind k = v.is_null() || !v.is_known() ? Type::Kind::kDynamic : v.type().kind();
  if (k != Type::Kind::kMap && k != Type::Kind::kObject) {
    ReportWanted(node, attr, what, env);
    return false;
  }
  const std::map<std::string, Value>& entries = v.Entries();
  const Expr* syntax = Unparen(node.syntax);
  if (syntax != nullptr && syntax->kind == ExprKind::kObject) {
    // Walk the constructor in source order; its keys are evaluated again (quietly: any error was
    // reported when the whole value was) to match items to entries. A repeated key's last item
    // is the one that counts.
    const ObjectExpr& obj = syntax->As<ObjectExpr>();
    std::vector<std::pair<std::string, const ObjectItem*>> items;
    for (const ObjectItem& item : obj.items) {
      Diagnostics quiet;
      Value key = Evaluate(*item.key, env.ctx, &quiet);
      if (quiet.HasErrors() || key.is_null() || !key.is_known()) continue;
      absl::StatusOr<Value> ks = Convert(key, Type::String());
      if (!ks.ok() || ks->is_null() || !ks->is_known()) continue;
      items.emplace_back(ks->AsString(), &item);
    }
    std::set<std::string> done;
    for (size_t i = items.size(); i-- > 0;) {
      if (!done.insert(items[i].first).second) items[i].second = nullptr;
    }
    for (const auto& [key, item] : items) {
      auto it = entries.find(key);
      if (item == nullptr || it == entries.end()) continue;
      out->emplace_back(key, Node{it->second, item->value->range, item->value.get()});
      if (key_ranges != nullptr) key_ranges->push_back(item->key->range);
    }
    if (out->size() == entries.size()) return true;
    out->clear();  // the syntax did not account for every entry: fall back to the value alone
    if (key_ranges != nullptr) key_ranges->clear();
  }
  for (const auto& [key, value] : entries) {
    out->emplace_back(key, Node{value, PartRange(value, node.range), nullptr});
    if (key_ranges != nullptr) key_ranges->push_back(PartRange(value, node.range));
  }
  return true;
}

namespace {

// The block form's label names: the nested schema's, or one implicit label for a keyed field
// whose struct does not store it.
std::vector<std::string> LabelNames(const FieldRep& f) {
  std::vector<std::string> names = f.nested->label_names;
  if (f.cardinality == Cardinality::kKeyed && names.empty()) names.push_back("name");
  return names;
}

void SetLabels(const SchemaRep& schema, const std::vector<std::string>& labels, void* obj) {
  size_t i = 0;
  for (const FieldRep& f : schema.fields) {
    if (f.kind != FieldRep::Kind::kLabel) continue;
    if (i < labels.size()) f.set_label(obj, labels[i]);
    ++i;
  }
}

enum class Evaluated { kValue, kNull, kError };

// Evaluates an attribute into a node. A null value means "not set"; errors are reported here.
Evaluated EvaluateAttr(const ContentAttribute& attr, Env& env, Node* node) {
  Diagnostics diags;
  Value v = EvaluateExpr(*attr.expr, env.ctx, &diags);
  env.diags->Append(diags);
  if (diags.HasErrors()) return Evaluated::kError;
  if (!v.IsWhollyKnown()) {
    AddError(env, "Unknown value",
             absl::StrCat("The value of attribute ", QuoteName(attr.name),
                          " cannot be determined when the configuration is read."),
             attr.expr->range());
    return Evaluated::kError;
  }
  *node = Node{v, attr.expr->range(), attr.expr->native()};
  return v.is_null() ? Evaluated::kNull : Evaluated::kValue;
}

// Decodes one nested struct written as a value (an object), or several (a list of objects, or
// an object of objects for a keyed field) into field `f` of `obj`.
void DecodeNestedValue(const FieldRep& f, const Node& node, std::string_view written, void* obj,
                       Env& env) {
  bool existed = false;
  switch (f.cardinality) {
    case Cardinality::kOne:
    case Cardinality::kOptional:
      DecodeObject(*f.nested, node, written, f.slot(obj, "", &existed), env);
      return;
    case Cardinality::kMany: {
      Type::Kind k = node.value.is_known() ? node.value.type().kind() : Type::Kind::kDynamic;
      if (k == Type::Kind::kObject || k == Type::Kind::kMap) {
        DecodeObject(*f.nested, node, written, f.slot(obj, "", &existed), env);
        return;
      }
      std::vector<Node> elems;
      if (!ElementNodes(node, written, "a list of objects", env, &elems)) return;
      for (const Node& el : elems)
        DecodeObject(*f.nested, el, written, f.slot(obj, "", &existed), env);
      return;
    }
    case Cardinality::kKeyed: {
      std::vector<std::pair<std::string, Node>> entries;
      std::vector<Range> key_ranges;
      if (!EntryNodes(node, written, "an object of objects", env, &entries, &key_ranges)) return;
      for (size_t i = 0; i < entries.size(); ++i) {
        void* elem = f.slot(obj, entries[i].first, &existed);
        if (existed) {
          AddError(env, absl::StrCat("Duplicate ", std::string(written), " block"),
                   absl::StrCat("A block for ", std::string(written), " ",
                                QuoteName(entries[i].first), " was already defined. The ",
                                std::string(written), " labels must be unique."),
                   key_ranges[i]);
          continue;
        }
        SetLabels(*f.nested, {entries[i].first}, elem);
        DecodeObject(*f.nested, entries[i].second, written, elem, env);
      }
      return;
    }
  }
}

// One occurrence of a nested field in a body: a block, or an attribute holding its value.
struct Occurrence {
  const ContentBlock* block = nullptr;
  const ContentAttribute* attr = nullptr;
  const Range& where() const { return block != nullptr ? block->def_range : attr->name_range; }
  const std::string& name() const { return block != nullptr ? block->type : attr->name; }
};

void DecodeNestedInBody(const FieldRep& f, const std::vector<std::string>& spellings,
                        const BodyContent& content, void* out, Env& env) {
  std::vector<Occurrence> occ;
  for (const ContentBlock& b : content.blocks) {
    if (std::find(spellings.begin(), spellings.end(), b.type) != spellings.end()) {
      occ.push_back(Occurrence{&b, nullptr});
    }
  }
  for (const ContentAttribute& a : content.attributes) {
    if (std::find(spellings.begin(), spellings.end(), a.name) == spellings.end()) continue;
    // A JSON property may come back both as a block and as an attribute: the block wins.
    bool dup = std::any_of(occ.begin(), occ.end(), [&](const Occurrence& o) {
      return o.block != nullptr && o.block->type_range.start.byte == a.name_range.start.byte &&
             o.block->type_range.filename == a.name_range.filename;
    });
    if (!dup) occ.push_back(Occurrence{nullptr, &a});
  }
  std::stable_sort(occ.begin(), occ.end(), [](const Occurrence& x, const Occurrence& y) {
    return x.where().start.byte < y.where().start.byte;
  });

  const bool single = f.cardinality == Cardinality::kOne || f.cardinality == Cardinality::kOptional;
  if (occ.empty()) {
    if (f.required) {
      AddError(env, absl::StrCat("Missing ", f.name, " block"),
               absl::StrCat("A block of type ", QuoteName(f.name), " is required here."),
               content.missing_item_range);
    }
    return;
  }
  for (size_t i = 0; i < occ.size(); ++i) {
    const Occurrence& o = occ[i];
    if (single && i > 0) {
      AddError(
          env, absl::StrCat("Duplicate ", o.name(), " block"),
          absl::StrCat("Only one block of type ", QuoteName(o.name()),
                       " is allowed. Previous definition was at ", occ[0].where().ToString(), "."),
          o.where());
      continue;
    }
    if (o.attr != nullptr) {
      Node node;
      if (EvaluateAttr(*o.attr, env, &node) == Evaluated::kValue) {
        DecodeNestedValue(f, node, o.attr->name, out, env);
      }
      continue;
    }
    const ContentBlock& b = *o.block;
    std::string key = b.labels.empty() ? "" : b.labels[0];
    bool existed = false;
    void* elem = f.slot(out, key, &existed);
    if (existed) {
      std::string labels;
      for (const std::string& l : b.labels) absl::StrAppend(&labels, " ", QuoteName(l));
      AddError(env, absl::StrCat("Duplicate ", b.type, " block"),
               absl::StrCat("A block for ", b.type, labels, " was already defined. The ", b.type,
                            " labels must be unique."),
               b.def_range);
      continue;
    }
    SetLabels(*f.nested, b.labels, elem);
    DecodeBody(*f.nested, *b.body, elem, env);
  }
}

}  // namespace

void DecodeBody(const SchemaRep& schema, const SyntaxBody& body, void* out, Env& env) {
  std::vector<std::vector<std::string>> spellings;
  BodySchema bs;
  for (const FieldRep& f : schema.fields) {
    spellings.push_back(Spellings(f.name, schema.consul_keys));
    const std::vector<std::string>& names = spellings.back();
    if (f.kind == FieldRep::Kind::kAttr) {
      // With two spellings neither is required by itself; the check is done below.
      for (const std::string& n : names)
        bs.attributes.push_back({n, f.required && names.size() == 1});
    } else if (f.kind == FieldRep::Kind::kNested) {
      for (const std::string& n : names) {
        bs.attributes.push_back({n, false});
        bs.blocks.push_back({n, LabelNames(f)});
      }
    }
  }
  BodyContent content = body.Content(bs, env.diags);

  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const FieldRep& f = schema.fields[i];
    const std::vector<std::string>& names = spellings[i];
    if (f.kind == FieldRep::Kind::kNested) {
      DecodeNestedInBody(f, names, content, out, env);
      continue;
    }
    if (f.kind != FieldRep::Kind::kAttr) continue;
    const ContentAttribute* first = nullptr;
    for (const ContentAttribute& a : content.attributes) {
      if (std::find(names.begin(), names.end(), a.name) == names.end()) continue;
      if (first == nullptr) {
        first = &a;
        continue;
      }
      AddError(env, "Attribute redefined",
               absl::StrCat("The argument ", QuoteName(f.name), " was already set at ",
                            first->range.ToString(), ". Each argument may be set only once."),
               a.name_range);
    }
    if (first == nullptr) {
      if (f.required && names.size() > 1) {
        AddError(env, "Missing required argument",
                 absl::StrCat("The argument ", QuoteName(f.name),
                              " is required, but no definition was found."),
                 content.missing_item_range);
      }
      continue;
    }
    Node node;
    switch (EvaluateAttr(*first, env, &node)) {
      case Evaluated::kValue:
        f.set_value(out, node, first->name, env);
        break;
      case Evaluated::kNull:
        if (f.required) {
          AddError(
              env, "Missing required argument",
              absl::StrCat("The argument ", QuoteName(f.name), " is required, but it is null."),
              first->expr->range());
        }
        break;
      case Evaluated::kError:
        break;
    }
  }
}

void DecodeObject(const SchemaRep& schema, const Node& node, std::string_view attr, void* out,
                  Env& env) {
  std::vector<std::pair<std::string, Node>> entries;
  std::vector<Range> key_ranges;
  if (!EntryNodes(node, attr, "an object", env, &entries, &key_ranges)) return;

  std::vector<std::vector<std::string>> spellings;
  std::vector<std::string> candidates;
  for (const FieldRep& f : schema.fields) {
    spellings.push_back(Spellings(f.name, schema.consul_keys));
    candidates.insert(candidates.end(), spellings.back().begin(), spellings.back().end());
  }
  std::vector<const Range*> seen(schema.fields.size(), nullptr);
  for (size_t e = 0; e < entries.size(); ++e) {
    const std::string& key = entries[e].first;
    const Node& value = entries[e].second;
    size_t i = 0;
    while (i < schema.fields.size() &&
           std::find(spellings[i].begin(), spellings[i].end(), key) == spellings[i].end()) {
      ++i;
    }
    if (i == schema.fields.size()) {
      std::string suggestion = NameSuggestion(key, candidates);
      AddError(
          env, "Unsupported argument",
          absl::StrCat(
              "An argument named ", QuoteName(key), " is not expected here.",
              suggestion.empty() ? "" : absl::StrCat(" Did you mean ", QuoteName(suggestion), "?")),
          key_ranges[e]);
      continue;
    }
    const FieldRep& f = schema.fields[i];
    if (seen[i] != nullptr) {
      AddError(env, "Attribute redefined",
               absl::StrCat("The argument ", QuoteName(f.name), " was already set at ",
                            seen[i]->ToString(), ". Each argument may be set only once."),
               key_ranges[e]);
      continue;
    }
    seen[i] = &key_ranges[e];
    if (value.value.is_null()) {
      seen[i] = f.required ? nullptr : seen[i];  // null is "not set"
      continue;
    }
    switch (f.kind) {
      case FieldRep::Kind::kLabel: {
        std::string s;
        if (ToStringValue(value, key, env, &s)) f.set_label(out, s);
        break;
      }
      case FieldRep::Kind::kAttr:
        f.set_value(out, value, key, env);
        break;
      case FieldRep::Kind::kNested:
        DecodeNestedValue(f, value, key, out, env);
        break;
    }
  }
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const FieldRep& f = schema.fields[i];
    if (!f.required || seen[i] != nullptr) continue;
    AddError(env, "Missing required argument",
             absl::StrCat("The argument ", QuoteName(f.name),
                          " is required, but no definition was found."),
             node.range);
  }
}

}  // namespace decode_internal

absl::StatusOr<std::shared_ptr<const SyntaxBody>> ParseNativeBody(std::string src,
                                                                  std::string_view filename,
                                                                  std::shared_ptr<File>* file) {
  ParseResult r = ParseConfig(std::move(src), filename);
  if (r.diags.HasErrors()) return r.diags.ToStatus();
  *file = std::shared_ptr<File>(std::move(r.file));
  return NativeBody(*(*file)->body);
}

}  // namespace meshgw::hcl::decode
