// The string functions of StandardFunctions (upper, lower, trimspace, replace, substr, join,
// split, format) with cty's stdlib results and messages. Stateless; thread-safe.
#include <utf8proc.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "hcl/eval/eval.h"
#include "hcl/eval/format.h"
#include "hcl/eval/functions_internal.h"
#include "hcl/eval/internal.h"

namespace meshgw::hcl::eval_internal {
namespace {

// Maps each code point with `fn` (utf8proc case mapping), then NFC-normalizes.
std::string MapRunes(const std::string& s, utf8proc_int32_t (*fn)(utf8proc_int32_t)) {
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t len = static_cast<utf8proc_ssize_t>(s.size());
  while (len > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, len, &cp);
    if (n <= 0) {
      out.push_back(static_cast<char>(*p));
      ++p;
      --len;
      continue;
    }
    utf8proc_uint8_t buf[4];
    utf8proc_ssize_t w = utf8proc_encode_char(fn(cp), buf);
    out.append(reinterpret_cast<char*>(buf), w);
    p += n;
    len -= n;
  }
  return eval_internal::NormalizeNfc(std::move(out));
}

bool IsGoSpace(utf8proc_int32_t cp) {
  switch (cp) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
      return true;
    default:
      return cp > 0xFF && utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
  }
}

// strings.TrimSpace.
std::string TrimSpace(const std::string& s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  std::vector<std::pair<size_t, size_t>> runes;  // offset, length
  size_t i = 0;
  size_t first = s.size(), last = 0;
  bool any = false;
  while (i < s.size()) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) {
      cp = 0xFFFD;
      n = 1;
    }
    if (!IsGoSpace(cp)) {
      if (!any) first = i;
      any = true;
      last = i + n;
    }
    i += n;
  }
  if (!any) return "";
  return s.substr(first, last - first);
}

// Grapheme cluster boundaries of UTF-8 text, as byte offsets (including 0 and size).
std::vector<size_t> GraphemeBounds(const std::string& s) {
  std::vector<size_t> bounds{0};
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  size_t i = 0;
  utf8proc_int32_t prev = -1;
  utf8proc_int32_t state = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) {
      cp = 0xFFFD;
      n = 1;
    }
    if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, cp, &state)) bounds.push_back(i);
    prev = cp;
    i += n;
  }
  if (!s.empty()) bounds.push_back(s.size());
  return bounds;
}

}  // namespace

void AddStringFunctions(std::map<std::string, Function>* out) {
  std::map<std::string, Function>& fns = *out;
  const Type kStr = Type::String();
  const Type kNum = Type::Number();
  const Type kDyn = Type::Dynamic();

  fns["upper"] = Fn({P("str", kStr)}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
    return Value::String(MapRunes(a[0].AsString(), utf8proc_toupper));
  });
  fns["lower"] = Fn({P("str", kStr)}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
    return Value::String(MapRunes(a[0].AsString(), utf8proc_tolower));
  });
  fns["trimspace"] = Fn({P("str", kStr)}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
    return Value::String(TrimSpace(a[0].AsString()));
  });
  fns["replace"] =
      Fn({P("str", kStr), P("substr", kStr), P("replace", kStr)}, std::nullopt,
         [](const Args& a) -> absl::StatusOr<Value> {
           const std::string& s = a[0].AsString();
           const std::string& from = a[1].AsString();
           if (from.empty()) {
             // strings.Replace with an empty old string inserts at every rune.
             std::string out = a[2].AsString();
             const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
             size_t i = 0;
             while (i < s.size()) {
               utf8proc_int32_t cp;
               utf8proc_ssize_t n =
                   utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
               if (n <= 0) n = 1;
               out.append(s, i, n);
               out += a[2].AsString();
               i += n;
             }
             return Value::String(eval_internal::NormalizeNfc(out));
           }
           return Value::String(
               eval_internal::NormalizeNfc(absl::StrReplaceAll(s, {{from, a[2].AsString()}})));
         });
  fns["substr"] = Fn({P("str", kStr), P("offset", kNum), P("length", kNum)}, std::nullopt,
                     [](const Args& a) -> absl::StatusOr<Value> {
                       std::optional<int64_t> off = a[1].AsNumber().ToInt64();
                       std::optional<int64_t> len = a[2].AsNumber().ToInt64();
                       if (!off.has_value() || !len.has_value()) {
                         return Err("number must be an integer");
                       }
                       const std::string& s = a[0].AsString();
                       std::vector<size_t> b = GraphemeBounds(s);
                       int64_t total = static_cast<int64_t>(b.size()) - 1;
                       if (total < 0) total = 0;
                       int64_t offset = *off;
                       if (offset < 0) {
                         offset += total;
                       } else if (*len == 0) {
                         return Value::String("");
                       }
                       if (offset < 0) offset = 0;
                       if (offset >= total) return Value::String("");
                       size_t start = b[offset];
                       // A zero length here (only with a negative offset) takes the rest, as cty
                       // does.
                       if (*len <= 0) return Value::String(s.substr(start));
                       int64_t end_idx = std::min<int64_t>(offset + *len, total);
                       return Value::String(s.substr(start, b[end_idx] - start));
                     });
  fns["join"] = Fn(
      {P("separator", kStr)}, P("lists", Type::List(kStr)),
      [](const Args& a) -> absl::StatusOr<Value> {
        if (a.size() < 2) return Err("at least one list is required");
        std::vector<std::string> items;
        for (size_t ai = 1; ai < a.size(); ++ai) {
          size_t ei = 0;
          for (const Value& v : a[ai].Elements()) {
            if (!v.is_known()) return Value::Unknown(Type::String());
            if (v.is_null()) {
              if (a.size() > 2) {
                return FunctionArgError(ai, absl::StrFormat("element %d of list %d is null; cannot "
                                                            "concatenate null values",
                                                            ei, ai));
              }
              return FunctionArgError(ai,
                                      absl::StrFormat("element %d is null; cannot concatenate null "
                                                      "values",
                                                      ei));
            }
            items.push_back(v.AsString());
            ++ei;
          }
        }
        return Value::String(eval_internal::NormalizeNfc(absl::StrJoin(items, a[0].AsString())));
      });
  fns["split"] = Fn({P("separator", kStr), P("str", kStr)}, std::nullopt,
                    [](const Args& a) -> absl::StatusOr<Value> {
                      const std::string& sep = a[0].AsString();
                      const std::string& s = a[1].AsString();
                      std::vector<Value> out;
                      if (sep.empty()) {
                        const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
                        size_t i = 0;
                        while (i < s.size()) {
                          utf8proc_int32_t cp;
                          utf8proc_ssize_t n = utf8proc_iterate(
                              p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
                          if (n <= 0) n = 1;
                          out.push_back(Value::String(s.substr(i, n)));
                          i += n;
                        }
                      } else {
                        for (absl::string_view part : absl::StrSplit(s, sep)) {
                          out.push_back(Value::String(std::string(part)));
                        }
                      }
                      return Value::List(Type::String(), std::move(out));
                    });
  fns["format"] = Fn({P("format", kStr)}, P("args", kDyn, /*allow_null=*/true),
                     [](const Args& a) -> absl::StatusOr<Value> {
                       std::vector<Value> rest(a.begin() + 1, a.end());
                       absl::StatusOr<std::string> s =
                           eval_internal::FormatString(a[0].AsString(), rest);
                       if (!s.ok()) return s.status();
                       return Value::String(eval_internal::NormalizeNfc(*std::move(s)));
                     });
  fns["upper"].returns = Type::String();
  fns["lower"].returns = Type::String();
  fns["trimspace"].returns = Type::String();
  fns["replace"].returns = Type::String();
  fns["substr"].returns = Type::String();
  fns["join"].returns = Type::String();
  fns["format"].returns = Type::String();
  fns["split"].returns = Type::List(Type::String());
}

}  // namespace meshgw::hcl::eval_internal
