// The `format` function's engine, following cty's stdlib format (its verb scanner and the way it
// hands numbers to Go's fmt with big.Float / big.Int). Stateless; thread-safe.
#include "hcl/eval/format.h"

#include <utf8proc.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "hcl/eval/eval.h"

namespace meshgw::hcl::eval_internal {
namespace {

struct Verb {
  bool sharp = false, zero = false, minus = false, plus = false, space = false;
  int arg_num = 0;
  bool has_width = false, has_prec = false;
  int width = -1, prec = -1;
  char mode = 0;
  std::string raw;
  size_t offset = 0;
};

absl::Status Err(std::string msg) { return absl::InvalidArgumentError(std::move(msg)); }

std::string GoQuote(std::string_view s) { return JsonQuote(s); }

// Go's %q of a rune: 'x'.
std::string QuoteRune(std::string_view data, size_t p) {
  const auto* b = reinterpret_cast<const utf8proc_uint8_t*>(data.data() + p);
  utf8proc_int32_t cp;
  utf8proc_ssize_t n = utf8proc_iterate(b, static_cast<utf8proc_ssize_t>(data.size() - p), &cp);
  if (n <= 0) return "'\\ufffd'";
  std::string ch(data.substr(p, n));
  if (ch == "'") return "'\\''";
  if (ch == "\\") return "'\\\\'";
  return absl::StrCat("'", ch, "'");
}

size_t GraphemeCount(const std::string& s) {
  size_t count = 0;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  size_t i = 0;
  utf8proc_int32_t prev = -1, state = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) {
      cp = 0xFFFD;
      n = 1;
    }
    if (prev < 0 || utf8proc_grapheme_break_stateful(prev, cp, &state)) ++count;
    prev = cp;
    i += n;
  }
  return count;
}

// The first `n` grapheme clusters of `s`.
std::string GraphemePrefix(const std::string& s, int n) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  size_t i = 0;
  int count = 0;
  utf8proc_int32_t prev = -1, state = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t len =
        utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (len <= 0) {
      cp = 0xFFFD;
      len = 1;
    }
    if (prev < 0 || utf8proc_grapheme_break_stateful(prev, cp, &state)) {
      if (count == n) return s.substr(0, i);
      ++count;
    }
    prev = cp;
    i += len;
  }
  return s;
}

std::string PadWidth(const Verb& v, std::string s) {
  if (v.width < 0) return s;
  size_t have = GraphemeCount(s);
  if (have >= static_cast<size_t>(v.width)) return s;
  std::string pads(v.width - have, v.zero ? '0' : ' ');
  return v.minus ? s + pads : pads + s;
}

// Go's fmt of a *big.Float with verb e/E/f/g/G.
std::string FormatFloat(const Verb& v, const Number& n) {
  char fmt = v.mode;
  int prec = v.has_prec ? v.prec : 6;
  if (fmt == 'g' || fmt == 'G') {
    if (!v.has_prec) prec = -1;
  }
  std::string buf = n.Text(fmt, prec);
  // Built char by char: GCC 12 warns falsely (-Wrestrict) on assigning literals here.
  std::string sign;
  if (!buf.empty() && buf[0] == '-') {
    sign.push_back('-');
    buf.erase(0, 1);
  } else if (!buf.empty() && buf[0] == '+') {
    sign.push_back(v.space ? ' ' : '+');
    buf.erase(0, 1);
  } else if (v.plus) {
    sign.push_back('+');
  } else if (v.space) {
    sign.push_back(' ');
  }
  size_t padding = 0;
  if (v.has_width && static_cast<size_t>(v.width) > sign.size() + buf.size()) {
    padding = v.width - sign.size() - buf.size();
  }
  if (v.zero && !n.IsInfinite()) return sign + std::string(padding, '0') + buf;
  if (v.minus) return sign + buf + std::string(padding, ' ');
  return std::string(padding, ' ') + sign + buf;
}

// Go's fmt of a *big.Int with verb b/d/o/x/X.
std::string FormatInteger(const Verb& v, const Number& n) {
  bool neg = n.Sign() < 0;
  std::string digits;
  int base = v.mode == 'b' ? 2 : v.mode == 'o' ? 8 : (v.mode == 'x' || v.mode == 'X') ? 16 : 10;
  if (base == 10) {
    digits = n.Abs().Text('f', 0);
  } else {
    std::optional<int64_t> i = n.Abs().ToInt64();
    uint64_t u = i.has_value() ? static_cast<uint64_t>(*i) : 0;
    if (u == 0) digits.push_back('0');
    while (u > 0) {
      digits.insert(digits.begin(), "0123456789abcdef"[u % base]);
      u /= base;
    }
    if (v.mode == 'X') digits = absl::AsciiStrToUpper(digits);
  }
  const char* sign = neg ? "-" : v.plus ? "+" : v.space ? " " : "";
  const char* prefix = "";
  if (v.sharp) {
    switch (v.mode) {
      case 'b':
        prefix = "0b";
        break;
      case 'o':
        prefix = "0";
        break;
      case 'x':
        prefix = "0x";
        break;
      case 'X':
        prefix = "0X";
        break;
      default:
        break;
    }
  }
  size_t zeros = 0, left = 0, right = 0;
  if (v.has_prec) {
    if (digits.size() < static_cast<size_t>(v.prec)) {
      zeros = v.prec - digits.size();
    } else if (digits == "0" && v.prec == 0) {
      return "";
    }
  }
  size_t length = std::strlen(sign) + std::strlen(prefix) + zeros + digits.size();
  if (v.has_width && length < static_cast<size_t>(v.width)) {
    size_t d = v.width - length;
    if (v.minus) {
      right = d;
    } else if (v.zero && !v.has_prec) {
      zeros = d;
    } else {
      left = d;
    }
  }
  std::string out;
  out.append(left, ' ');
  out.append(sign);
  out.append(prefix);
  out.append(zeros, '0');
  out.append(digits);
  out.append(right, ' ');
  return out;
}

absl::Status Append(Verb& v, std::string* buf, const std::vector<Value>& args) {
  size_t idx = static_cast<size_t>(v.arg_num - 1);
  if (v.arg_num < 1 || idx >= args.size()) {
    return Err(absl::StrFormat("not enough arguments for %s at %d: need index %d but have %d total",
                               GoQuote(v.raw), v.offset, v.arg_num, args.size()));
  }
  const Value& arg = args[idx];
  if (v.mode != 'v' && arg.is_null()) {
    return Err(absl::StrFormat("unsupported value for %s at %d: null value cannot be formatted",
                               GoQuote(v.raw), v.offset));
  }
  if (!v.has_width) v.width = -1;
  if (!v.has_prec) v.prec = -1;
  auto unsupported = [&](absl::string_view why) {
    return Err(
        absl::StrFormat("unsupported value for %s at %d: %s", GoQuote(v.raw), v.offset, why));
  };
  switch (v.mode) {
    case 'v': {
      if (!v.sharp && !arg.is_null()) {
        if (arg.type().kind() == Type::Kind::kString) {
          *buf += PadWidth(v, arg.AsString());
          return absl::OkStatus();
        }
        if (arg.type().kind() == Type::Kind::kNumber) {
          *buf += PadWidth(v, arg.AsNumber().Text('g', -1));
          return absl::OkStatus();
        }
      }
      absl::StatusOr<std::string> j = arg.ToJson();
      if (!j.ok()) return unsupported(j.status().message());
      *buf += PadWidth(v, *j);
      return absl::OkStatus();
    }
    case 't': {
      absl::StatusOr<Value> b = Convert(arg, Type::Bool());
      if (!b.ok()) return unsupported(b.status().message());
      *buf += b->AsBool() ? "true" : "false";
      return absl::OkStatus();
    }
    case 'b':
    case 'd':
    case 'o':
    case 'x':
    case 'X':
    case 'e':
    case 'E':
    case 'f':
    case 'g':
    case 'G': {
      absl::StatusOr<Value> n = Convert(arg, Type::Number());
      if (!n.ok()) return unsupported(n.status().message());
      const Number& num = n->AsNumber();
      if (v.mode == 'e' || v.mode == 'E' || v.mode == 'f' || v.mode == 'g' || v.mode == 'G') {
        *buf += FormatFloat(v, num);
        return absl::OkStatus();
      }
      if (!num.IsInteger()) return unsupported("an integer is required");
      *buf += FormatInteger(v, num);
      return absl::OkStatus();
    }
    case 's':
    case 'q': {
      absl::StatusOr<Value> s = Convert(arg, Type::String());
      if (!s.ok()) return unsupported(s.status().message());
      std::string str = s->AsString();
      if (v.prec > 0) str = GraphemePrefix(str, v.prec);
      *buf += PadWidth(v, v.mode == 's' ? str : JsonQuote(str));
      return absl::OkStatus();
    }
    default:
      return Err(absl::StrFormat("unsupported format verb %s in %s at offset %d",
                                 absl::StrCat("'", std::string(1, v.mode), "'"), GoQuote(v.raw),
                                 v.offset));
  }
}

}  // namespace

absl::StatusOr<std::string> FormatString(std::string_view data, const std::vector<Value>& args) {
  std::string buf;
  int next_arg = 1;
  int highest = 0;
  size_t p = 0;
  while (p < data.size()) {
    if (data[p] != '%') {
      buf.push_back(data[p++]);
      continue;
    }
    size_t ts = p++;
    if (p < data.size() && data[p] == '%') {
      buf.push_back('%');
      ++p;
      continue;
    }
    Verb v;
    v.arg_num = next_arg;
    // flags
    for (; p < data.size(); ++p) {
      char c = data[p];
      if (c == '#') {
        v.sharp = true;
      } else if (c == '0') {
        v.zero = true;
      } else if (c == '-') {
        v.minus = true;
      } else if (c == '+') {
        v.plus = true;
      } else if (c == ' ') {
        v.space = true;
      } else {
        break;
      }
    }
    auto bad = [&](size_t at) -> absl::Status {
      if (at >= data.size()) {
        return Err(absl::StrFormat("invalid format string starting at offset %d", data.size()));
      }
      return Err(absl::StrFormat("unrecognized format character %s at offset %d",
                                 QuoteRune(data, at), at));
    };
    if (p < data.size() && data[p] == '[') {
      ++p;
      v.arg_num = 0;
      size_t digits = 0;
      if (p < data.size() && data[p] == '0') return bad(p);  // indexes start at 1
      while (p < data.size() && std::isdigit(static_cast<unsigned char>(data[p]))) {
        v.arg_num = v.arg_num * 10 + (data[p] - '0');
        ++p;
        ++digits;
      }
      if (digits == 0 || p >= data.size() || data[p] != ']') return bad(p);
      ++p;
    }
    if (p < data.size() && data[p] >= '1' && data[p] <= '9') {
      v.has_width = true;
      v.width = 0;
      while (p < data.size() && std::isdigit(static_cast<unsigned char>(data[p]))) {
        v.width = v.width * 10 + (data[p] - '0');
        ++p;
      }
    }
    if (p < data.size() && data[p] == '.') {
      ++p;
      v.has_prec = true;
      v.prec = 0;
      while (p < data.size() && std::isdigit(static_cast<unsigned char>(data[p]))) {
        v.prec = v.prec * 10 + (data[p] - '0');
        ++p;
      }
    }
    if (p >= data.size() || !std::isalpha(static_cast<unsigned char>(data[p]))) return bad(p);
    v.mode = data[p];
    ++p;
    v.raw = std::string(data.substr(ts, p - ts));
    v.offset = ts;
    if (v.arg_num > highest) highest = v.arg_num;
    if (absl::Status s = Append(v, &buf, args); !s.ok()) return s;
    next_arg = v.arg_num + 1;
  }
  if (static_cast<size_t>(highest) < args.size()) {
    size_t first_bad = static_cast<size_t>(highest) + 1;
    if (highest == 0) {
      return FunctionArgError(first_bad, "too many arguments; no verbs in format string");
    }
    return FunctionArgError(first_bad, absl::StrFormat("too many arguments; only %d used by "
                                                       "format string",
                                                       highest));
  }
  return buf;
}

}  // namespace meshgw::hcl::eval_internal
