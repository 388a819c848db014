// String literal decoding and text helpers of hcl_syntax (see internal/string_lit.h).
#include "hcl/syntax/internal/string_lit.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "hcl/syntax/internal/unicode.h"

namespace meshgw::hcl::internal {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void AppendUtf8(int32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Go's strconv.IsPrint, approximated with Unicode categories.
bool IsGoPrint(int32_t cp) {
  if (cp == ' ') return true;
  if (cp < 0x20 || cp == 0x7F || cp > 0x10FFFF) return false;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      return false;
    default:
      return true;
  }
}

// Strict UTF-8 decoding as Go's range-over-string does (invalid: length 1, cp = -1).
int DecodeStrict(std::string_view s, size_t i, int32_t* cp) {
  int len = DecodeLooseUtf8(s, i, cp);
  if (len <= 0) {
    *cp = -1;
    return 1;
  }
  int32_t v = *cp;
  bool overlong = (len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000);
  if (overlong || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) {
    *cp = -1;
    return 1;
  }
  return len;
}

}  // namespace

bool IsGoSpace(int32_t cp) {
  switch (cp) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string_view TrimLeftGoSpace(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    int32_t cp;
    int len = DecodeStrict(s, i, &cp);
    if (!IsGoSpace(cp)) break;
    i += len;
  }
  return s.substr(i);
}

std::string_view TrimRightGoSpace(std::string_view s) {
  while (!s.empty()) {
    unsigned char last = s.back();
    if (last < 0x80) {
      if (!IsGoSpace(last)) break;
      s.remove_suffix(1);
      continue;
    }
    size_t start = s.size() - 1;
    while (start > 0 && s.size() - start < 4 &&
           (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
      --start;
    }
    int32_t cp;
    int len = DecodeStrict(s, start, &cp);
    if (start + len != s.size() || !IsGoSpace(cp)) break;
    s.remove_suffix(len);
  }
  return s;
}

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < s.size();) {
    int32_t cp;
    int len = DecodeStrict(s, i, &cp);
    if (cp < 0) {
      unsigned char b = s[i];
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    } else if (cp == '"' || cp == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(cp));
    } else if (IsGoPrint(cp)) {
      out.append(s.substr(i, len));
    } else {
      switch (cp) {
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default: {
          int digits = cp < 0x80 ? 2 : cp < 0x10000 ? 4 : 8;
          out += digits == 2 ? "\\x" : digits == 4 ? "\\u" : "\\U";
          for (int k = digits - 1; k >= 0; --k) out.push_back(kHex[(cp >> (4 * k)) & 15]);
        }
      }
    }
    i += len;
  }
  out.push_back('"');
  return out;
}

std::string NameSuggestion(std::string_view given,
                           std::initializer_list<std::string_view> candidates) {
  auto runes = [](std::string_view s) {
    std::vector<int32_t> r;
    for (size_t i = 0; i < s.size();) {
      int32_t cp;
      i += DecodeStrict(s, i, &cp);
      r.push_back(cp);
    }
    return r;
  };
  std::vector<int32_t> a = runes(given);
  for (std::string_view cand : candidates) {
    std::vector<int32_t> b = runes(cand);
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      }
      std::swap(prev, cur);
    }
    if (prev[b.size()] < 3) return std::string(cand);
  }
  return "";
}

bool IsValidNumberLiteral(std::string_view t) {
  size_t i = 0, n = t.size();
  auto digit = [&](size_t k) { return k < n && t[k] >= '0' && t[k] <= '9'; };
  if (!digit(0)) return false;
  // Significant mantissa digits and the number of fraction digits, for the exponent range check.
  int64_t significant = 0, frac = 0;
  bool nonzero = false;
  while (digit(i)) {
    nonzero |= t[i] != '0';
    if (nonzero) ++significant;
    ++i;
  }
  if (i < n && t[i] == '.') {
    ++i;
    while (digit(i)) {
      nonzero |= t[i] != '0';
      if (nonzero) ++significant;
      ++frac;
      ++i;
    }
  }
  int64_t exp = 0;
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < n && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
    if (!digit(i)) return false;
    while (digit(i)) {
      if (exp < (int64_t{1} << 40)) exp = exp * 10 + (t[i] - '0');
      ++i;
    }
    if (neg) exp = -exp;
  }
  if (i != n) return false;
  if (!nonzero) return true;
  // Go keeps the binary exponent in an int32: bits of the mantissa - fraction digits + exponent.
  int64_t exp2 = static_cast<int64_t>(static_cast<double>(significant) * 3.321928) - frac + exp;
  return exp2 >= INT32_MIN && exp2 <= INT32_MAX;
}

void DecodeStringLiteral(const Token& tok, bool quoted, std::string* out, Diagnostics* diags) {
  std::string_view s = tok.bytes;
  size_t n = s.size();
  size_t lit_start = 0;  // start of the pending run of plain text
  auto flush = [&](size_t end) {
    if (end > lit_start) out->append(s.substr(lit_start, end - lit_start));
  };
  auto slice_range = [&](size_t start, size_t end) {
    Pos a = AdvancePos(tok.range.start, s.substr(0, start));
    Pos b = AdvancePos(a, s.substr(start, end - start));
    return Range{tok.range.filename, a, b};
  };
  size_t i = 0;
  while (i < n) {
    char c = s[i];
    if (c == '$' || c == '%') {
      if (i + 2 < n && s[i + 1] == c && s[i + 2] == '{') {
        flush(i);
        out->push_back(c);
        out->push_back('{');
        i += 3;
        lit_start = i;
      } else if (i + 1 < n && s[i + 1] == c) {
        i += 2;  // "$$" not followed by "{" stays as written
      } else {
        ++i;
      }
      continue;
    }
    if (c != '\\' || !quoted) {
      ++i;
      continue;
    }
    flush(i);
    size_t start = i;
    if (i + 1 >= n) {
      diags->AddError("Invalid escape sequence",
                      "Backslash must be followed by an escape sequence selector character.",
                      slice_range(start, n));
      out->push_back('\\');
      i = n;
      lit_start = i;
      continue;
    }
    char sel = s[i + 1];
    if (sel == 'u' || sel == 'U') {
      size_t max = sel == 'u' ? 4 : 8;
      size_t j = i + 2;
      while (j < n && j - (i + 2) < max && IsHex(s[j])) ++j;
      std::string_view slice = s.substr(i, j - i);
      i = j;
      lit_start = i;
      if (slice.size() != max + 2) {
        diags->AddError("Invalid escape sequence",
                        sel == 'u' ? "The \\u escape sequence must be followed by four "
                                     "hexadecimal digits."
                                   : "The \\U escape sequence must be followed by eight "
                                     "hexadecimal digits.",
                        slice_range(start, j));
        out->append(slice);
        continue;
      }
      uint32_t cp = static_cast<uint32_t>(std::stoul(std::string(slice.substr(2)), nullptr, 16));
      if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        char buf[16];
        snprintf(buf, sizeof(buf), "%04x", cp);
        diags->AddError("Invalid escape sequence",
                        std::string("Cannot encode character U+") + buf + " in UTF-8.",
                        slice_range(start, j));
        out->append(slice);
        continue;
      }
      AppendUtf8(static_cast<int32_t>(cp), out);
      continue;
    }
    int32_t cp;
    int len = DecodeLooseUtf8(s, i + 1, &cp);
    if (len <= 0) len = 1;  // the scanner never lets this happen
    size_t end = i + 1 + len;
    switch (sel) {
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case '"':
        out->push_back('"');
        break;
      case '\\':
        out->push_back('\\');
        break;
      default:
        diags->AddError("Invalid escape sequence",
                        "The symbol " + GoQuote(s.substr(i + 1, len)) +
                            " is not a valid escape sequence selector.",
                        slice_range(start, end));
        out->append(s.substr(i + 1, len));
    }
    i = end;
    lit_start = i;
  }
  flush(n);
}

}  // namespace meshgw::hcl::internal
