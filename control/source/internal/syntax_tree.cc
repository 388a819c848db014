#include "control/source/internal/syntax_tree.h"

#include <cctype>
#include <memory>
#include <utility>
#include <vector>

namespace meshgw::control::source_internal {

namespace {

std::string Canonical(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool IsOpaqueBlockName(std::string_view type) {
  std::string c = Canonical(type);
  return c == "config" || c == "meta" || c == "taggedaddresses" || c == "check" || c == "checks";
}

hcl::ExprPtr StringKey(const std::string& text, const hcl::Range& range) {
  auto literal = std::make_unique<hcl::LiteralExpr>();
  literal->value = hcl::LiteralValue::String(text);
  literal->range = range;
  auto key = std::make_unique<hcl::ObjectKeyExpr>();
  key->range = range;
  key->wrapped = std::move(literal);
  return key;
}

// The object a block's body stands for: its attributes, and its nested blocks as objects (a
// labeled nested block nests one object level per label).
std::unique_ptr<hcl::ObjectExpr> BodyToObject(hcl::Body* body, const hcl::Range& open,
                                              const hcl::Range& whole) {
  auto obj = std::make_unique<hcl::ObjectExpr>();
  obj->range = whole;
  obj->open_range = open;
  for (hcl::Attribute& a : body->attributes) {
    obj->items.push_back(hcl::ObjectItem{StringKey(a.name, a.name_range), std::move(a.expr)});
  }
  for (hcl::Block& b : body->blocks) {
    hcl::Range inner_whole = hcl::Range::Between(b.open_brace_range, b.close_brace_range);
    hcl::ExprPtr value = BodyToObject(b.body.get(), b.open_brace_range, inner_whole);
    for (size_t i = b.labels.size(); i-- > 0;) {
      auto wrap = std::make_unique<hcl::ObjectExpr>();
      wrap->range = inner_whole;
      wrap->open_range = b.label_ranges[i];
      wrap->items.push_back(
          hcl::ObjectItem{StringKey(b.labels[i], b.label_ranges[i]), std::move(value)});
      value = std::move(wrap);
    }
    obj->items.push_back(hcl::ObjectItem{StringKey(b.type, b.type_range), std::move(value)});
  }
  body->attributes.clear();
  body->blocks.clear();
  return obj;
}

const hcl::Expr* Unwrap(const hcl::Expr* e) {
  while (e != nullptr && e->kind == hcl::ExprKind::kParentheses) {
    e = e->As<hcl::ParenthesesExpr>().inner.get();
  }
  return e;
}

// One step of a field path.
struct Step {
  enum class Kind { kName, kIndex, kKey };
  Kind kind;
  std::string text;
  size_t index = 0;
};

std::vector<Step> ParsePath(std::string_view path) {
  std::vector<Step> steps;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string_view::npos) break;
      std::string_view inner = path.substr(i + 1, close - i - 1);
      if (inner.size() >= 2 && inner.front() == '"' && inner.back() == '"') {
        steps.push_back({Step::Kind::kKey, std::string(inner.substr(1, inner.size() - 2))});
      } else {
        size_t n = 0;
        for (char c : inner) n = n * 10 + static_cast<size_t>(c - '0');
        steps.push_back({Step::Kind::kIndex, "", n});
      }
      i = close + 1;
    } else {
      size_t end = path.find_first_of(".[", i);
      if (end == std::string_view::npos) end = path.size();
      steps.push_back({Step::Kind::kName, std::string(path.substr(i, end - i))});
      i = end;
    }
  }
  return steps;
}

const hcl::Expr* ObjectItemValue(const hcl::Expr* e, const std::string& key, bool exact) {
  e = Unwrap(e);
  if (e == nullptr || e->kind != hcl::ExprKind::kObject) return nullptr;
  for (const hcl::ObjectItem& item : e->As<hcl::ObjectExpr>().items) {
    std::optional<std::string> k = ObjectKeyText(*item.key);
    if (k.has_value() && (exact ? *k == key : SameConsulName(*k, key))) return item.value.get();
  }
  return nullptr;
}

// Where the walk is: in a body, before a list of same-named blocks, or at a value.
struct Cursor {
  const hcl::Body* body = nullptr;
  std::vector<const hcl::Block*> blocks;
  const hcl::Expr* expr = nullptr;
  hcl::Range range;
};

// Applies `step`; false when it leads nowhere (the cursor is then unchanged).
bool Advance(Cursor& c, const Step& step) {
  if (!c.blocks.empty() && step.kind == Step::Kind::kName) {
    c.body = c.blocks.front()->body.get();  // a name after blocks: the first block
    c.blocks.clear();
  }
  switch (step.kind) {
    case Step::Kind::kName:
      if (c.body != nullptr) {
        for (const hcl::Attribute& a : c.body->attributes) {
          if (!SameConsulName(a.name, step.text)) continue;
          c = Cursor{nullptr, {}, a.expr.get(), a.expr->range};
          return true;
        }
        std::vector<const hcl::Block*> found;
        for (const hcl::Block& b : c.body->blocks) {
          if (SameConsulName(b.type, step.text)) found.push_back(&b);
        }
        if (found.empty()) return false;
        c = Cursor{nullptr, found, nullptr, found.front()->DefRange()};
        return true;
      }
      if (const hcl::Expr* v = ObjectItemValue(c.expr, step.text, false)) {
        c = Cursor{nullptr, {}, v, v->range};
        return true;
      }
      return false;
    case Step::Kind::kIndex: {
      if (!c.blocks.empty()) {
        if (step.index >= c.blocks.size()) return false;
        const hcl::Block* b = c.blocks[step.index];
        c = Cursor{b->body.get(), {}, nullptr, b->DefRange()};
        return true;
      }
      const hcl::Expr* e = Unwrap(c.expr);
      if (e == nullptr) return false;
      if (e->kind == hcl::ExprKind::kTuple) {
        const auto& items = e->As<hcl::TupleExpr>().items;
        if (step.index >= items.size()) return false;
        c = Cursor{nullptr, {}, items[step.index].get(), items[step.index]->range};
        return true;
      }
      return e->kind == hcl::ExprKind::kObject && step.index == 0;  // one object for a list
    }
    case Step::Kind::kKey:
      if (!c.blocks.empty()) {
        for (const hcl::Block* b : c.blocks) {
          if (!b->labels.empty() && b->labels[0] == step.text) {
            c = Cursor{b->body.get(), {}, nullptr, b->DefRange()};
            return true;
          }
        }
        return false;
      }
      if (const hcl::Expr* v = ObjectItemValue(c.expr, step.text, true)) {
        c = Cursor{nullptr, {}, v, v->range};
        return true;
      }
      return false;
  }
  return false;
}

hcl::Range Walk(Cursor c, std::string_view path) {
  for (const Step& step : ParsePath(path)) {
    if (!Advance(c, step)) break;
  }
  return c.range;
}

// The Consul names with acronyms, by canonical form.
const std::string* AcronymName(std::string_view written) {
  static const auto* names = new std::vector<std::string>{"JSONFormat",
                                                          "TLSMinVersion",
                                                          "TLSMaxVersion",
                                                          "TLS",
                                                          "HTTP",
                                                          "MutualTLSMode",
                                                          "ExternalSNI",
                                                          "ID",
                                                          "AllowEnablingPermissiveMutualTLS"};
  std::string c = Canonical(written);
  for (const std::string& n : *names) {
    if (Canonical(n) == c) return &n;
  }
  return nullptr;
}

void RenameInExpr(hcl::Expr* e);

// Renames an object key in place when it is an acronym name; returns the key's text.
std::optional<std::string> RenameKey(hcl::Expr* key) {
  hcl::Expr* e = key;
  if (e->kind == hcl::ExprKind::kObjectKey) {
    e = const_cast<hcl::Expr*>(static_cast<hcl::ObjectKeyExpr*>(e)->wrapped.get());
  }
  std::optional<std::string> text = ObjectKeyText(*e);
  if (!text.has_value()) return text;
  const std::string* to = AcronymName(*text);
  if (to == nullptr || *to == *text) return text;
  if (e->kind == hcl::ExprKind::kScopeTraversal) {
    static_cast<hcl::ScopeTraversalExpr*>(e)->traversal[0].name = *to;
  } else if (e->kind == hcl::ExprKind::kLiteral) {
    static_cast<hcl::LiteralExpr*>(e)->value.text = *to;
  } else if (e->kind == hcl::ExprKind::kTemplate) {
    auto& parts = static_cast<hcl::TemplateExpr*>(e)->parts;
    if (parts.size() == 1 && parts[0]->kind == hcl::ExprKind::kLiteral) {
      static_cast<hcl::LiteralExpr*>(parts[0].get())->value.text = *to;
    }
  }
  return *to;
}

bool IsOpaqueName(std::string_view name) {
  std::string c = Canonical(name);
  return c == "config" || c == "meta";
}

void RenameInExpr(hcl::Expr* e) {
  if (e == nullptr) return;
  switch (e->kind) {
    case hcl::ExprKind::kParentheses:
      RenameInExpr(static_cast<hcl::ParenthesesExpr*>(e)->inner.get());
      break;
    case hcl::ExprKind::kTuple:
      for (hcl::ExprPtr& item : static_cast<hcl::TupleExpr*>(e)->items) RenameInExpr(item.get());
      break;
    case hcl::ExprKind::kObject:
      for (hcl::ObjectItem& item : static_cast<hcl::ObjectExpr*>(e)->items) {
        std::optional<std::string> key = RenameKey(item.key.get());
        if (key.has_value() && IsOpaqueName(*key)) continue;
        RenameInExpr(item.value.get());
      }
      break;
    default:
      break;
  }
}

}  // namespace

void NormalizeAcronymKeys(hcl::Body* body) {
  for (hcl::Attribute& a : body->attributes) {
    if (const std::string* to = AcronymName(a.name)) a.name = *to;
    if (!IsOpaqueName(a.name)) RenameInExpr(a.expr.get());
  }
  for (hcl::Block& b : body->blocks) {
    if (const std::string* to = AcronymName(b.type)) b.type = *to;
    NormalizeAcronymKeys(b.body.get());
  }
}

void SingleCheckAsList(hcl::Body* service_body) {
  hcl::Attribute* check = nullptr;
  for (hcl::Attribute& a : service_body->attributes) {
    if (SameConsulName(a.name, "checks")) return;
    if (SameConsulName(a.name, "check")) check = &a;
  }
  if (check == nullptr) return;
  auto list = std::make_unique<hcl::TupleExpr>();
  list->range = check->expr->range;
  list->open_range = check->expr->range;
  list->items.push_back(std::move(check->expr));
  check->expr = std::move(list);
  check->name = "checks";
}

bool SameConsulName(std::string_view a, std::string_view b) { return Canonical(a) == Canonical(b); }

void InlineOpaqueBlocks(hcl::Body* body) {
  std::vector<hcl::Block> kept;
  for (hcl::Block& b : body->blocks) {
    if (!IsOpaqueBlockName(b.type) || !b.labels.empty()) {
      InlineOpaqueBlocks(b.body.get());
      kept.push_back(std::move(b));
      continue;
    }
    hcl::Attribute attr;
    attr.name = b.type;
    attr.name_range = b.type_range;
    attr.equals_range = b.open_brace_range;
    attr.src_range = hcl::Range::Between(b.type_range, b.close_brace_range);
    attr.expr = BodyToObject(b.body.get(), b.open_brace_range,
                             hcl::Range::Between(b.open_brace_range, b.close_brace_range));
    body->attributes.push_back(std::move(attr));
  }
  body->blocks = std::move(kept);
}

std::optional<std::string> ObjectKeyText(const hcl::Expr& key) {
  const hcl::Expr* e = &key;
  if (e->kind == hcl::ExprKind::kObjectKey) e = e->As<hcl::ObjectKeyExpr>().wrapped.get();
  e = Unwrap(e);
  if (e == nullptr) return std::nullopt;
  if (e->kind == hcl::ExprKind::kScopeTraversal) {
    const hcl::Traversal& t = e->As<hcl::ScopeTraversalExpr>().traversal;
    if (t.size() == 1) return t[0].name;
    return std::nullopt;
  }
  if (e->kind == hcl::ExprKind::kLiteral) {
    const hcl::LiteralValue& v = e->As<hcl::LiteralExpr>().value;
    if (v.kind == hcl::LiteralValue::Kind::kString) return v.text;
    return std::nullopt;
  }
  if (e->kind == hcl::ExprKind::kTemplate) {
    const auto& parts = e->As<hcl::TemplateExpr>().parts;
    if (parts.empty()) return std::string();
    if (parts.size() == 1 && parts[0]->kind == hcl::ExprKind::kLiteral) {
      return parts[0]->As<hcl::LiteralExpr>().value.text;
    }
  }
  return std::nullopt;
}

hcl::Range LocateFieldPath(const hcl::Body& body, std::string_view path,
                           const hcl::Range& fallback) {
  return Walk(Cursor{&body, {}, nullptr, fallback}, path);
}

hcl::Range LocateFieldPath(const hcl::Expr& expr, std::string_view path) {
  return Walk(Cursor{nullptr, {}, &expr, expr.range}, path);
}

}  // namespace meshgw::control::source_internal
