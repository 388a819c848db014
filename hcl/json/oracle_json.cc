// The oracle-shaped JSON dump; see oracle_json.h. Written by hand rather than through a JSON
// library because values must keep their exact decimal digits (cty numbers have 512-bit
// precision), which a double-based JSON tree would round.
#include "hcl/json/oracle_json.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "hcl/eval/eval.h"
#include "hcl/value/value.h"

namespace meshgw::hcl {
namespace {

void AppendRangeFields(std::string* out, const Range& r) {
  absl::StrAppend(out, "\"range\":\"", OracleRangeString(r), "\",\"byte\":[", r.start.byte, ",",
                  r.end.byte, "]");
}

// The "value" member with its leading comma, or nothing when the expression has no constant value.
void AppendConstValue(std::string* out, const Expr& expr) {
  Diagnostics diags;
  Value v = Evaluate(expr, /*ctx=*/nullptr, &diags);
  if (diags.HasErrors() || !v.IsWhollyKnown()) return;
  absl::StatusOr<std::string> json = v.ToJson();
  if (!json.ok()) return;  // e.g. an infinity, which cty cannot write either
  absl::StrAppend(out, ",\"value\":{\"type\":", v.type().ToJson(), ",\"value\":", *json, "}");
}

// Slices [start, end) of `src`, clamped so a bad range from a partial parser cannot read past it.
std::string_view SourceText(std::string_view src, const Range& r) {
  size_t start = std::min<size_t>(std::max(r.start.byte, 0), src.size());
  size_t end = std::min<size_t>(std::max(r.end.byte, r.start.byte), src.size());
  return src.substr(start, end - start);
}

void AppendExpr(std::string* out, std::string_view src, const Expr& expr) {
  out->push_back('{');
  AppendRangeFields(out, expr.range);
  out->append(",\"src\":");
  AppendJsonString(out, SourceText(src, expr.range));
  AppendConstValue(out, expr);
  out->push_back('}');
}

void AppendBody(std::string* out, std::string_view src, const Body& body) {
  std::vector<const Attribute*> attrs;
  attrs.reserve(body.attributes.size());
  for (const Attribute& a : body.attributes) attrs.push_back(&a);
  // By name, as the oracle prints them (hclsyntax keeps attributes in a map).
  std::sort(attrs.begin(), attrs.end(),
            [](const Attribute* a, const Attribute* b) { return a->name < b->name; });
  out->append("{\"attributes\":{");
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, attrs[i]->name);
    out->push_back(':');
    if (attrs[i]->expr != nullptr) {
      AppendExpr(out, src, *attrs[i]->expr);
    } else {
      out->append("null");
    }
  }
  out->append("},\"blocks\":[");
  for (size_t i = 0; i < body.blocks.size(); ++i) {
    const Block& b = body.blocks[i];
    if (i > 0) out->push_back(',');
    out->append("{\"type\":");
    AppendJsonString(out, b.type);
    out->append(",\"labels\":[");
    for (size_t j = 0; j < b.labels.size(); ++j) {
      if (j > 0) out->push_back(',');
      AppendJsonString(out, b.labels[j]);
    }
    // The block's whole range, type to closing brace, as hclsyntax's Block.Range().
    absl::StrAppend(out, "],\"range\":\"",
                    OracleRangeString(Range::Between(b.type_range, b.close_brace_range)),
                    "\",\"body\":");
    if (b.body != nullptr) {
      AppendBody(out, src, *b.body);
    } else {
      out->append("null");
    }
    out->push_back('}');
  }
  out->append("]}");
}

void AppendDiagnostics(std::string* out, const Diagnostics& diags) {
  out->append("\"diagnostics\":[");
  bool first = true;
  for (const Diagnostic& d : diags) {
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"severity\":");
    out->append(d.severity == Severity::kError ? "\"error\"" : "\"warning\"");
    out->append(",\"summary\":");
    AppendJsonString(out, d.summary);
    out->append(",\"detail\":");
    AppendJsonString(out, d.detail);
    out->push_back(',');
    AppendRangeFields(out, d.subject);
    out->push_back('}');
  }
  out->push_back(']');
}

// The ",\"key\":{type, value}" member of an index step: a number (normalized, as cty holds it)
// or a string constant.
void AppendLiteralKey(std::string* out, const LiteralValue& key) {
  Value v;
  switch (key.kind) {
    case LiteralValue::Kind::kNumber: {
      absl::StatusOr<Number> n = Number::Parse(key.text);
      if (!n.ok()) return;
      v = Value::Number(*n);
      break;
    }
    case LiteralValue::Kind::kString:
      v = Value::String(key.text);
      break;
    case LiteralValue::Kind::kBool:
      v = Value::Bool(key.boolean);
      break;
    case LiteralValue::Kind::kNull:
      v = Value::Null(Type::Dynamic());
      break;
  }
  absl::StatusOr<std::string> json = v.ToJson();
  if (!json.ok()) return;
  absl::StrAppend(out, ",\"key\":{\"type\":", v.type().ToJson(), ",\"value\":", *json, "}");
}

std::string DocumentStart(std::string_view filename) {
  std::string out = "{\"file\":";
  AppendJsonString(&out, filename);
  out.push_back(',');
  return out;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

std::string OracleRangeString(const Range& r) {
  return absl::StrFormat("%d:%d-%d:%d", r.start.line, r.start.column, r.end.line, r.end.column);
}

std::string OracleJsonForConfig(const ParseResult& result) {
  std::string out = DocumentStart(result.file->filename);
  if (result.diags.HasErrors()) {
    AppendDiagnostics(&out, result.diags);
  } else {
    out.append("\"body\":");
    if (result.file->body != nullptr) {
      AppendBody(&out, result.file->bytes, *result.file->body);
    } else {
      out.append("null");
    }
  }
  out.push_back('}');
  return out;
}

std::string OracleJsonForExpr(std::string_view filename, std::string_view src, const Expr* expr,
                              const Diagnostics& diags) {
  std::string out = DocumentStart(filename);
  if (diags.HasErrors()) {
    AppendDiagnostics(&out, diags);
  } else {
    out.append("\"expr\":");
    if (expr != nullptr) {
      AppendExpr(&out, src, *expr);
    } else {
      out.append("null");
    }
  }
  out.push_back('}');
  return out;
}

std::string OracleJsonForTraversal(std::string_view filename, const Traversal& traversal,
                                   const Diagnostics& diags) {
  std::string out = DocumentStart(filename);
  if (diags.HasErrors()) {
    AppendDiagnostics(&out, diags);
    out.push_back('}');
    return out;
  }
  out.append("\"traversal\":[");
  for (size_t i = 0; i < traversal.size(); ++i) {
    const TraverseStep& step = traversal[i];
    if (i > 0) out.push_back(',');
    switch (step.kind) {
      case TraverseStep::Kind::kRoot:
      case TraverseStep::Kind::kAttr:
        out.append(step.kind == TraverseStep::Kind::kRoot ? "{\"kind\":\"root\",\"name\":"
                                                          : "{\"kind\":\"attr\",\"name\":");
        AppendJsonString(&out, step.name);
        break;
      case TraverseStep::Kind::kIndex:
        out.append("{\"kind\":\"index\"");
        AppendLiteralKey(&out, step.key);
        break;
    }
    absl::StrAppend(&out, ",\"range\":\"", OracleRangeString(step.range), "\"}");
  }
  out.append("]}");
  return out;
}

std::string OracleJsonForSource(std::string_view filename, std::string src, OracleParseMode mode,
                                bool* has_errors) {
  if (mode == OracleParseMode::kConfig) {
    ParseResult result = ParseConfig(std::move(src), filename);
    if (has_errors != nullptr) *has_errors = result.diags.HasErrors();
    return OracleJsonForConfig(result);
  }
  Diagnostics diags;
  std::string_view name = InternFilename(filename);
  if (mode == OracleParseMode::kTraversal) {
    Traversal traversal = ParseTraversalAbs(src, name, Pos{}, &diags);
    if (has_errors != nullptr) *has_errors = diags.HasErrors();
    return OracleJsonForTraversal(filename, traversal, diags);
  }
  ExprPtr expr = mode == OracleParseMode::kExpression ? ParseExpression(src, name, Pos{}, &diags)
                                                      : ParseTemplate(src, name, Pos{}, &diags);
  if (has_errors != nullptr) *has_errors = diags.HasErrors();
  return OracleJsonForExpr(filename, src, expr.get(), diags);
}

}  // namespace meshgw::hcl
