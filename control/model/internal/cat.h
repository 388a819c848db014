// Cat: absl::StrCat that also takes std::string_view. The Debian build of Abseil has its own
// absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW is 0), which StrCat's AlphaNum does not
// convert from std::string_view; this adapts the arguments. Internal to control/.
#ifndef MESHGW_CONTROL_MODEL_INTERNAL_CAT_H_
#define MESHGW_CONTROL_MODEL_INTERNAL_CAT_H_

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace meshgw::control::internal {

inline absl::string_view ToAlphaNum(std::string_view s) { return {s.data(), s.size()}; }
template <typename T>
const T& ToAlphaNum(const T& t) {
  return t;
}

template <typename... Args>
std::string Cat(const Args&... args) {
  return absl::StrCat(ToAlphaNum(args)...);
}

}  // namespace meshgw::control::internal

#endif  // MESHGW_CONTROL_MODEL_INTERNAL_CAT_H_
