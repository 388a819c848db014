// `meshgw-hcl fmt [--check] FILE...`: rewrite files in hclfmt's canonical layout, or with
// --check only name the files that are not in it (exit 1 if any).
//
// Unlike hclfmt, a file with syntax errors is never rewritten: its errors are printed and the
// exit code is 1, so a typo cannot be "formatted" into something harder to read.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "hcl/format/format.h"
#include "hcl/syntax/parser.h"
#include "hcl/tools/commands.h"

namespace meshgw::hcl::tools {
namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return !in.bad();
}

bool WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace

int RunFmt(const Args& args) {
  bool check = false;
  std::vector<std::string> files;
  for (const std::string& a : args) {
    if (a == "--check" || a == "-check") {
      check = true;
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr,
                   "meshgw-hcl fmt: unknown flag %s\nusage: meshgw-hcl fmt [--check] FILE...\n",
                   a.c_str());
      return 2;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fputs("usage: meshgw-hcl fmt [--check] FILE...\n", stderr);
    return 2;
  }

  int rc = 0;
  for (const std::string& path : files) {
    std::string src;
    if (!ReadFile(path, &src)) {
      std::fprintf(stderr, "meshgw-hcl fmt: cannot read %s\n", path.c_str());
      rc = 1;
      continue;
    }
    ParseResult parsed = ParseConfig(src, path);
    if (parsed.diags.HasErrors()) {
      std::fputs(parsed.diags.ToString().c_str(), stderr);
      rc = 1;
      continue;
    }
    std::string formatted = Format(src);
    if (formatted == src) continue;
    if (check) {
      std::printf("%s\n", path.c_str());
      rc = 1;
    } else if (!WriteFile(path, formatted)) {
      std::fprintf(stderr, "meshgw-hcl fmt: cannot write %s\n", path.c_str());
      rc = 1;
    }
  }
  return rc;
}

}  // namespace meshgw::hcl::tools
