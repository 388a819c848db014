// The `format` function's engine: Go-style verbs (%s %q %d %f %e %g %t %v %b %o %x %X %%, flags,
// width, precision and [n] argument indexes) with cty's stdlib semantics and messages.
// Stateless; thread-safe.
#ifndef MESHGW_HCL_EVAL_FORMAT_H_
#define MESHGW_HCL_EVAL_FORMAT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "hcl/value/value.h"

namespace meshgw::hcl::eval_internal {

// FormatString("%s-%03d", {"a", 7}) == "a-007". Errors read like cty's; an error about an
// argument carries its index (counting the format string as 0) as FunctionArgError does.
absl::StatusOr<std::string> FormatString(std::string_view format, const std::vector<Value>& args);

}  // namespace meshgw::hcl::eval_internal

#endif  // MESHGW_HCL_EVAL_FORMAT_H_
