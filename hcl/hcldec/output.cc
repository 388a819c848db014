// JSON documents printed by `meshgw-hcl hcldec`. See output.h. Stateless; thread-safe.
#include "hcl/hcldec/output.h"

#include <optional>

#include "absl/strings/str_cat.h"

namespace meshgw::hcl::hcldec {
namespace {

absl::Status WriteValue(const Value& v, bool top_dynamic, const ValueJsonOptions& o,
                        std::string* out) {
  if (top_dynamic && v.type().kind() != Type::Kind::kDynamic) {
    // cty's marshalDynamic; with null stripping the re-encoded keys come out sorted.
    std::string inner;
    absl::Status s = WriteValue(v, false, o, &inner);
    if (!s.ok()) return s;
    if (o.keep_nulls) {
      absl::StrAppend(out, "{\"value\":", inner, ",\"type\":", TypeJson(v.type()), "}");
    } else {
      absl::StrAppend(out, "{\"type\":", TypeJson(v.type()), ",\"value\":", inner, "}");
    }
    return absl::OkStatus();
  }
  if (!v.is_known()) return absl::InvalidArgumentError("value is not known");
  if (v.is_null()) {
    out->append("null");
    return absl::OkStatus();
  }
  switch (v.type().kind()) {
    case Type::Kind::kBool:
      out->append(v.AsBool() ? "true" : "false");
      return absl::OkStatus();
    case Type::Kind::kNumber:
      out->append(v.AsNumber().ToString());
      return absl::OkStatus();
    case Type::Kind::kString:
      out->append(JsonQuote(v.AsString()));
      return absl::OkStatus();
    case Type::Kind::kList:
    case Type::Kind::kSet:
    case Type::Kind::kTuple: {
      out->push_back('[');
      bool first = true;
      for (const Value& e : v.Elements()) {
        if (!first) out->push_back(',');
        first = false;
        absl::Status s = WriteValue(e, false, o, out);
        if (!s.ok()) return s;
      }
      out->push_back(']');
      return absl::OkStatus();
    }
    case Type::Kind::kMap:
    case Type::Kind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, e] : v.Entries()) {
        if (!o.keep_nulls && e.is_known() && e.is_null()) continue;
        if (!first) out->push_back(',');
        first = false;
        absl::StrAppend(out, JsonQuote(k), ":");
        absl::Status s = WriteValue(e, false, o, out);
        if (!s.ok()) return s;
      }
      out->push_back('}');
      return absl::OkStatus();
    }
    case Type::Kind::kDynamic:
      break;
  }
  return absl::InvalidArgumentError("value of dynamic type");
}

void Indent(std::string* out, int level) { out->append(static_cast<size_t>(level) * 2, ' '); }

void WritePos(std::string* out, const char* name, const Pos& p, int level) {
  Indent(out, level);
  absl::StrAppend(out, "\"", name, "\": {\n");
  Indent(out, level + 1);
  absl::StrAppend(out, "\"line\": ", p.line, ",\n");
  Indent(out, level + 1);
  absl::StrAppend(out, "\"column\": ", p.column, ",\n");
  Indent(out, level + 1);
  absl::StrAppend(out, "\"byte\": ", p.byte, "\n");
  Indent(out, level);
  out->append("}");
}

// `"range": {...}` (without a trailing newline).
void WriteRange(std::string* out, const char* name, const Range& r, int level) {
  Indent(out, level);
  absl::StrAppend(out, "\"", name, "\": {\n");
  Indent(out, level + 1);
  absl::StrAppend(out, "\"filename\": ", JsonQuote(r.filename), ",\n");
  WritePos(out, "start", r.start, level + 1);
  out->append(",\n");
  WritePos(out, "end", r.end, level + 1);
  out->append("\n");
  Indent(out, level);
  out->append("}");
}

// The value a traversal reaches in `ctx`, when it can be found (best effort, as upstream).
std::optional<Value> Traverse(const Traversal& t, const EvalContext* ctx) {
  if (ctx == nullptr || t.empty()) return std::nullopt;
  std::optional<Value> cur;
  for (const EvalContext* c = ctx; c != nullptr && !cur; c = c->parent) {
    auto it = c->variables.find(t[0].name);
    if (it != c->variables.end()) cur = it->second;
  }
  if (!cur) return std::nullopt;
  for (size_t i = 1; i < t.size(); ++i) {
    const TraverseStep& s = t[i];
    if (!cur->is_known() || cur->is_null()) return std::nullopt;
    Type::Kind k = cur->type().kind();
    std::string key;
    bool by_name =
        s.kind == TraverseStep::Kind::kAttr ||
        (s.kind == TraverseStep::Kind::kIndex && s.key.kind == LiteralValue::Kind::kString);
    if (by_name) {
      key = s.kind == TraverseStep::Kind::kAttr ? s.name : s.key.text;
      if (k != Type::Kind::kObject && k != Type::Kind::kMap) return std::nullopt;
      if (!cur->Entries().count(key)) return std::nullopt;
      cur = cur->Entries().at(key);
      continue;
    }
    if (s.kind != TraverseStep::Kind::kIndex || s.key.kind != LiteralValue::Kind::kNumber) {
      return std::nullopt;
    }
    absl::StatusOr<Number> n = Number::Parse(s.key.text);
    if (!n.ok()) return std::nullopt;
    std::optional<int64_t> idx = n->ToInt64();
    if (k == Type::Kind::kMap || k == Type::Kind::kObject) {
      auto it = cur->Entries().find(n->ToString());
      if (it == cur->Entries().end()) return std::nullopt;
      cur = it->second;
      continue;
    }
    if (k != Type::Kind::kList && k != Type::Kind::kTuple) return std::nullopt;
    if (!idx || *idx < 0 || static_cast<size_t>(*idx) >= cur->Elements().size()) {
      return std::nullopt;
    }
    cur = cur->Elements()[static_cast<size_t>(*idx)];
  }
  return cur;
}

std::string LiteralJson(const LiteralValue& v) {
  switch (v.kind) {
    case LiteralValue::Kind::kNull:
      return "null";
    case LiteralValue::Kind::kBool:
      return v.boolean ? "true" : "false";
    case LiteralValue::Kind::kNumber: {
      absl::StatusOr<Number> n = Number::Parse(v.text);
      return n.ok() ? n->ToString() : v.text;
    }
    case LiteralValue::Kind::kString:
      return JsonQuote(v.text);
  }
  return "null";
}

}  // namespace

absl::StatusOr<std::string> ValueJson(const Value& v, const ValueJsonOptions& options) {
  std::string out;
  absl::Status s = WriteValue(v, options.with_type, options, &out);
  if (!s.ok()) return s;
  return out;
}

std::string TypeJson(const Type& t) {
  switch (t.kind()) {
    case Type::Kind::kDynamic:
      return "\"dynamic\"";
    case Type::Kind::kBool:
      return "\"bool\"";
    case Type::Kind::kNumber:
      return "\"number\"";
    case Type::Kind::kString:
      return "\"string\"";
    case Type::Kind::kList:
      return absl::StrCat("[\"list\",", TypeJson(t.element()), "]");
    case Type::Kind::kMap:
      return absl::StrCat("[\"map\",", TypeJson(t.element()), "]");
    case Type::Kind::kSet:
      return absl::StrCat("[\"set\",", TypeJson(t.element()), "]");
    case Type::Kind::kObject: {
      std::string out = "[\"object\",{";
      bool first = true;
      for (const auto& [k, a] : t.attributes()) {
        if (!first) out.push_back(',');
        first = false;
        absl::StrAppend(&out, JsonQuote(k), ":", TypeJson(a));
      }
      out += "}]";
      return out;
    }
    case Type::Kind::kTuple: {
      std::string out = "[\"tuple\",[";
      bool first = true;
      for (const Type& e : t.elements()) {
        if (!first) out.push_back(',');
        first = false;
        out += TypeJson(e);
      }
      out += "]]";
      return out;
    }
  }
  return "\"dynamic\"";
}

std::string DiagnosticsJson(const Diagnostics& diags) {
  std::string out = "{\n  \"diagnostics\": [";
  bool first = true;
  for (const Diagnostic& d : diags) {
    out += first ? "\n" : ",\n";
    first = false;
    Indent(&out, 2);
    out += "{\n";
    Indent(&out, 3);
    absl::StrAppend(&out, "\"severity\": \"", d.severity == Severity::kError ? "error" : "warning",
                    "\",\n");
    Indent(&out, 3);
    absl::StrAppend(&out, "\"summary\": ", JsonQuote(d.summary));
    if (!d.detail.empty()) {
      out += ",\n";
      Indent(&out, 3);
      absl::StrAppend(&out, "\"detail\": ", JsonQuote(d.detail));
    }
    if (!(d.subject == Range{})) {
      out += ",\n";
      WriteRange(&out, "subject", d.subject, 3);
    }
    out += "\n";
    Indent(&out, 2);
    out += "}";
  }
  out += first ? "]\n}" : "\n  ]\n}";
  return out;
}

std::string VarRefsJson(const std::vector<Traversal>& vars, const EvalContext* ctx) {
  if (vars.empty()) return "[]";
  std::string out = "[";
  bool first = true;
  for (const Traversal& t : vars) {
    if (t.empty()) continue;
    out += first ? "\n" : ",\n";
    first = false;
    Indent(&out, 1);
    out += "{\n";
    Indent(&out, 2);
    absl::StrAppend(&out, "\"root_name\": ", JsonQuote(t[0].name), ",\n");
    if (std::optional<Value> v = Traverse(t, ctx)) {
      absl::StatusOr<std::string> j = ValueJson(*v, ValueJsonOptions{false, true});
      if (j.ok()) {
        Indent(&out, 2);
        absl::StrAppend(&out, "\"value\": ", *j, ",\n");
      }
    }
    Indent(&out, 2);
    out += "\"steps\": [";
    bool first_step = true;
    for (const TraverseStep& s : t) {
      out += first_step ? "\n" : ",\n";
      first_step = false;
      Indent(&out, 3);
      out += "{\n";
      Indent(&out, 4);
      switch (s.kind) {
        case TraverseStep::Kind::kRoot:
          absl::StrAppend(&out, "\"kind\": \"root\",\n");
          Indent(&out, 4);
          absl::StrAppend(&out, "\"name\": ", JsonQuote(s.name), ",\n");
          break;
        case TraverseStep::Kind::kAttr:
          absl::StrAppend(&out, "\"kind\": \"attr\",\n");
          Indent(&out, 4);
          absl::StrAppend(&out, "\"name\": ", JsonQuote(s.name), ",\n");
          break;
        case TraverseStep::Kind::kIndex:
          absl::StrAppend(&out, "\"kind\": \"index\",\n");
          Indent(&out, 4);
          absl::StrAppend(&out, "\"key\": ", LiteralJson(s.key), ",\n");
          break;
      }
      WriteRange(&out, "range", s.range, 4);
      out += "\n";
      Indent(&out, 3);
      out += "}";
    }
    out += "\n";
    Indent(&out, 2);
    out += "],\n";
    WriteRange(&out, "range",
               Range{t.front().range.filename, t.front().range.start, t.back().range.end}, 2);
    out += "\n";
    Indent(&out, 1);
    out += "}";
  }
  out += "\n]";
  return out;
}

}  // namespace meshgw::hcl::hcldec
