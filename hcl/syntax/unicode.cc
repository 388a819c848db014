// Unicode helpers of hcl_syntax (see internal/unicode.h), on top of utf8proc's tables.
#include "hcl/syntax/internal/unicode.h"

#include <utf8proc.h>

#include <cstdlib>

namespace meshgw::hcl::internal {

int DecodeLooseUtf8(std::string_view s, size_t i, int32_t* cp) {
  if (i >= s.size()) return 0;
  unsigned char c = s[i];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  int len;
  int32_t v;
  if (c >= 0xC0 && c <= 0xDF) {
    len = 2;
    v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    v = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF7) {
    len = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (int k = 1; k < len; ++k) {
    unsigned char d = s[i + k];
    if ((d & 0xC0) != 0x80) return 0;
    v = (v << 6) | (d & 0x3F);
  }
  *cp = v;
  return len;
}

namespace {

bool IsScalar(int32_t cp) { return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

// End of the grapheme cluster starting at text[i], with utf8proc's extended rules; a broken byte
// is a cluster of its own.
size_t NextGraphemeEnd(std::string_view text, size_t i) {
  size_t n = text.size();
  unsigned char c = text[i];
  unsigned char next = i + 1 < n ? text[i + 1] : 0;
  if (c < 0x80 && next < 0x80) {
    // Two ASCII characters are always separate clusters, except CR LF.
    return (c == '\r' && next == '\n') ? i + 2 : i + 1;
  }
  int32_t cp;
  int len = DecodeLooseUtf8(text, i, &cp);
  if (len <= 0) return i + 1;
  if (!IsScalar(cp)) return i + len;
  utf8proc_int32_t state = 0;
  size_t j = i + len;
  int32_t prev = cp;
  while (j < n) {
    int32_t cp2;
    int len2 = DecodeLooseUtf8(text, j, &cp2);
    if (len2 <= 0 || !IsScalar(cp2)) break;
    if (utf8proc_grapheme_break_stateful(prev, cp2, &state)) break;
    prev = cp2;
    j += len2;
  }
  return j;
}

}  // namespace

Pos AdvancePos(Pos pos, std::string_view text) {
  pos.byte += static_cast<int>(text.size());
  size_t i = 0, n = text.size();
  while (i < n) {
    size_t j = NextGraphemeEnd(text, i);
    if (text[i] == '\n' || (text[i] == '\r' && j == i + 2 && text[i + 1] == '\n')) {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
    i = j;
  }
  return pos;
}

int CountGraphemes(std::string_view text) {
  int count = 0;
  for (size_t i = 0; i < text.size(); i = NextGraphemeEnd(text, i)) ++count;
  return count;
}

size_t GraphemePrefixBytes(std::string_view text, int count) {
  size_t i = 0;
  for (int k = 0; k < count && i < text.size(); ++k) i = NextGraphemeEnd(text, i);
  return i;
}

std::string NfcNormalize(std::string_view s) {
  bool ascii = true;
  for (unsigned char c : s) {
    if (c >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return std::string(s);
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t len = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
      &out, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (len < 0) return std::string(s);
  std::string result(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  std::free(out);
  return result;
}

}  // namespace meshgw::hcl::internal
