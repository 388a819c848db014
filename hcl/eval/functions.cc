// StandardFunctions: the functions configs may call, with the parameters, results and error
// messages of cty's stdlib (cty/function/stdlib) and of the `file` function Nomad and Terraform
// provide. The functions are defined by area in functions_*.cc. Thread-safe.
#include "hcl/eval/eval.h"
#include "hcl/eval/functions_internal.h"

namespace meshgw::hcl {

std::map<std::string, Function> StandardFunctions(std::string base_dir) {
  std::map<std::string, Function> fns;
  eval_internal::AddStringFunctions(&fns);
  eval_internal::AddCollectionFunctions(&fns);
  eval_internal::AddNumberAndEncodingFunctions(&fns, base_dir);
  return fns;
}

}  // namespace meshgw::hcl
