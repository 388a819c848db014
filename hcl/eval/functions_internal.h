// Helpers shared by the files defining StandardFunctions (not part of the public contract).
// Stateless; thread-safe.
#ifndef MESHGW_HCL_EVAL_FUNCTIONS_INTERNAL_H_
#define MESHGW_HCL_EVAL_FUNCTIONS_INTERNAL_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "hcl/eval/eval.h"

namespace meshgw::hcl::eval_internal {

using Args = std::vector<Value>;
using Kind = Type::Kind;

inline absl::Status Err(std::string msg) { return absl::InvalidArgumentError(std::move(msg)); }

inline Function::Param P(std::string name, Type t, bool allow_null = false,
                         bool allow_unknown = false) {
  return Function::Param{std::move(name), std::move(t), allow_null, allow_unknown};
}

inline Function Fn(std::vector<Function::Param> params, std::optional<Function::Param> variadic,
                   std::function<absl::StatusOr<Value>(const Args&)> impl) {
  Function f;
  f.params = std::move(params);
  f.variadic = std::move(variadic);
  f.impl = std::move(impl);
  return f;
}

inline bool IsSeq(const Type& t) {
  return t.kind() == Kind::kList || t.kind() == Kind::kSet || t.kind() == Kind::kTuple;
}

void AddStringFunctions(std::map<std::string, Function>* fns);
void AddCollectionFunctions(std::map<std::string, Function>* fns);
void AddNumberAndEncodingFunctions(std::map<std::string, Function>* fns,
                                   const std::string& base_dir);

}  // namespace meshgw::hcl::eval_internal

#endif  // MESHGW_HCL_EVAL_FUNCTIONS_INTERNAL_H_
