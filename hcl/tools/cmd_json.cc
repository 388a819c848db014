// `meshgw-hcl json [--expr|--template|--traversal] FILE...`: the structure, constant values or
// diagnostics of each file as one JSON line in the official-parser oracle's shape
// (hcl/json/oracle_json.h), so tests/conformance/hcl-oracle can diff ours against HashiCorp's
// parser over many files in one run. Exit 0 when every file parses, 1 when any has errors, 2 on bad
// usage or an unreadable file.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "hcl/json/oracle_json.h"
#include "hcl/tools/commands.h"

namespace meshgw::hcl::tools {
namespace {

constexpr char kJsonUsage[] = "usage: meshgw-hcl json [--expr|--template|--traversal] FILE...\n";

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = std::move(ss).str();
  return !in.bad();
}

}  // namespace

int RunJson(const Args& args) {
  OracleParseMode mode = OracleParseMode::kConfig;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--expr" || a == "-expr") {
      mode = OracleParseMode::kExpression;
    } else if (a == "--template" || a == "-template") {
      mode = OracleParseMode::kTemplate;
    } else if (a == "--traversal" || a == "-traversal") {
      mode = OracleParseMode::kTraversal;
    } else if (a == "--") {
      ++i;
      break;
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "meshgw-hcl json: unknown flag \"%s\"\n%s", a.c_str(), kJsonUsage);
      return 2;
    } else {
      break;
    }
  }
  if (i == args.size()) {
    std::fputs(kJsonUsage, stderr);
    return 2;
  }
  int code = 0;
  for (; i < args.size(); ++i) {
    std::string src;
    if (!ReadWholeFile(args[i], &src)) {
      std::fprintf(stderr, "meshgw-hcl json: cannot read %s\n", args[i].c_str());
      code = 2;
      continue;
    }
    bool has_errors = false;
    std::string line = OracleJsonForSource(args[i], std::move(src), mode, &has_errors);
    if (has_errors && code == 0) code = 1;
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  std::fflush(stdout);
  return code;
}

}  // namespace meshgw::hcl::tools
