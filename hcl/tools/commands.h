// The subcommands of `meshgw-hcl`, one per file in this folder. Each takes the arguments after
// its name and returns the process exit code: 0 success, 1 the input has errors, 2 bad usage.
#ifndef MESHGW_HCL_TOOLS_COMMANDS_H_
#define MESHGW_HCL_TOOLS_COMMANDS_H_

#include <string>
#include <vector>

namespace meshgw::hcl::tools {

using Args = std::vector<std::string>;

int RunFmt(const Args& args);       // fmt [--check] FILE...
int RunValidate(const Args& args);  // validate FILE...
int RunJson(const Args& args);      // json [--expr|--template|--traversal] FILE...
int RunHcldec(const Args& args);    // hcldec --spec=FILE [--diags=json] [--with-type] ...

}  // namespace meshgw::hcl::tools

#endif  // MESHGW_HCL_TOOLS_COMMANDS_H_
