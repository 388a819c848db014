// meshgw-hcl: format, validate and inspect HCL files with meshgw's HCL library.
//
//   meshgw-hcl fmt --check FILE...     exit 1 and name the files that are not canonically formatted
//   meshgw-hcl validate FILE...        parse; print errors as file:line:col
//   meshgw-hcl json FILE...            the structure and values as JSON (the oracle's shape)
//   meshgw-hcl hcldec --spec=S FILE    decode with an hcldec spec (HashiCorp's hclspecsuite)
#include <cstdio>
#include <cstring>

#include "hcl/tools/commands.h"

namespace {

constexpr char kUsage[] =
    "usage: meshgw-hcl <command> [args]\n"
    "commands:\n"
    "  fmt [--check] FILE...      rewrite files in canonical format, or with --check only report\n"
    "  validate FILE...           parse and report errors as file:line:col\n"
    "  json [--expr|--template|--traversal] FILE...   print structure and values as JSON\n"
    "  hcldec --spec=FILE [--diags=json] [--with-type] [--keep-nulls] [--var-refs] FILE\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  meshgw::hcl::tools::Args args(argv + 2, argv + argc);
  const std::string cmd = argv[1];
  if (cmd == "fmt") return meshgw::hcl::tools::RunFmt(args);
  if (cmd == "validate") return meshgw::hcl::tools::RunValidate(args);
  if (cmd == "json") return meshgw::hcl::tools::RunJson(args);
  if (cmd == "hcldec") return meshgw::hcl::tools::RunHcldec(args);
  std::fprintf(stderr, "meshgw-hcl: unknown command \"%s\"\n%s", cmd.c_str(), kUsage);
  return 2;
}
