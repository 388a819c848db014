// Hand encoding of the few protobuf fields the server writes around pre-encoded resources.
#ifndef MESHGW_XDS_INTERNAL_WIRE_H_
#define MESHGW_XDS_INTERNAL_WIRE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace meshgw::xds::internal {

inline void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// The tag and length of a length-delimited field (wire type 2) whose `length` bytes the caller
// appends next (or sends from elsewhere).
inline void AppendLengthDelimitedHeader(int field, uint64_t length, std::string* out) {
  AppendVarint(static_cast<uint64_t>(field) << 3 | 2, out);
  AppendVarint(length, out);
}

// A length-delimited field (wire type 2): string, bytes or embedded message.
inline void AppendBytesField(int field, absl::string_view bytes, std::string* out) {
  AppendLengthDelimitedHeader(field, bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

}  // namespace meshgw::xds::internal

#endif  // MESHGW_XDS_INTERNAL_WIRE_H_
