// Unicode helpers of the HCL scanner and parser: the scanner's loose UTF-8 decoding, UAX #31
// identifier classes, grapheme-cluster column counting and NFC. Private to hcl_syntax.
// Thread-safe (pure functions).
#ifndef MESHGW_HCL_SYNTAX_INTERNAL_UNICODE_H_
#define MESHGW_HCL_SYNTAX_INTERNAL_UNICODE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "hcl/source.h"

namespace meshgw::hcl::internal {

// DecodeLooseUtf8 decodes the character at s[i] the way the official scanner classifies bytes: a
// lead byte C0-DF, E0-EF or F0-F7 followed by the right number of continuation bytes is one
// character (overlong forms and surrogates included). Returns its length, or 0 for a broken
// byte. An ASCII byte decodes to itself.
int DecodeLooseUtf8(std::string_view s, size_t i, int32_t* cp);

// UAX #31 classes at Unicode 9.0, as the official scanner has them (with '_' in ID_Start).
bool IsIdStart(int32_t cp);
bool IsIdContinue(int32_t cp);

// AdvancePos returns the position after `text` starting at `start`: a "\n" or "\r\n" cluster
// starts a new line, any other grapheme cluster is one column.
Pos AdvancePos(Pos start, std::string_view text);

// CountGraphemes is the number of grapheme clusters in `text`.
int CountGraphemes(std::string_view text);

// GraphemePrefixBytes is the byte length of the first `count` grapheme clusters of `text` (all of
// it when it has fewer).
size_t GraphemePrefixBytes(std::string_view text, int count);

// NfcNormalize returns `s` in Unicode Normalization Form C (unchanged when it is ASCII or
// invalid UTF-8).
std::string NfcNormalize(std::string_view s);

}  // namespace meshgw::hcl::internal

#endif  // MESHGW_HCL_SYNTAX_INTERNAL_UNICODE_H_
