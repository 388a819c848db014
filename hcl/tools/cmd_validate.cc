// `meshgw-hcl validate FILE...`: parse each file and print every diagnostic on one line,
// "file:line:col: summary; detail" (warnings marked "warning:"). Exit 1 when any file has
// errors or cannot be read, 0 otherwise, 2 on bad usage.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "hcl/syntax/parser.h"
#include "hcl/tools/commands.h"

namespace meshgw::hcl::tools {
namespace {

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = std::move(ss).str();
  return !in.bad();
}

}  // namespace

int RunValidate(const Args& args) {
  if (args.empty()) {
    std::fputs("usage: meshgw-hcl validate FILE...\n", stderr);
    return 2;
  }
  int code = 0;
  for (const std::string& path : args) {
    std::string src;
    if (!ReadWholeFile(path, &src)) {
      std::printf("%s: cannot read the file\n", path.c_str());
      code = 1;
      continue;
    }
    ParseResult result = ParseConfig(std::move(src), path);
    for (const Diagnostic& d : result.diags) std::printf("%s\n", d.ToString().c_str());
    if (result.diags.HasErrors()) code = 1;
  }
  std::fflush(stdout);
  return code;
}

}  // namespace meshgw::hcl::tools
