// The `meshgw-control` commands shaped like Consul's CLI, talking to a running agent's control
// API (gRPC) at MESHGW_CONTROL_ADDR (default 127.0.0.1:8510) with MESHGW_CONTROL_TOKEN:
//
//   peering generate-token -name N [-server-external-addresses a:p,b:p]   prints the token only
//   peering establish -name N -peering-token T
//   peering list | peering read -name N (or: peering read N) | peering delete -name N
//   catalog services [-peer P] [-tags]
//   health service NAME [-peer P] [-passing]
//   intention check SRC DST [-source-peer P]        "Allowed" (exit 0) or "Denied" (exit 2)
//   config read -kind K -name N | config write FILE | config list -kind K
//   proxy-config NODE
//   explain -sni NAME | explain -source S [-source-peer P] -destination D   [-node NODE]
//
// Every command takes -format=json (else human tables, "pretty"), -control-addr and -token
// (over the environment). Flags are Go-style, as Consul's: `-name value`, `-name=value`,
// `--name`; booleans alone. Errors name the flag ("flag needs an argument: -name") or the
// resource; an unknown command prints the usage and exits 1.
//
//   std::ostringstream out, err;
//   int code = RunCli({"peering", "list"}, out, err, CliEnvironment::FromEnv());
//
// Thread-safety: RunCli is reentrant; the renderers are pure functions.
#ifndef MESHGW_CONTROL_CLI_CLI_H_
#define MESHGW_CONTROL_CLI_CLI_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace meshgw::control::cli {

struct CliEnvironment {
  std::string address = "127.0.0.1:8510";
  std::string token;
  // FromEnv: MESHGW_CONTROL_ADDR and MESHGW_CONTROL_TOKEN, with the defaults above.
  static CliEnvironment FromEnv();
};

// RunCli runs one command (`args` without the program name) and returns the exit code: 0 done,
// 1 an error (printed on `err`), 2 "Denied" for `intention check`.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnvironment& env);

// Usage() is the list of commands printed for `help` and unknown commands.
std::string Usage();

// ---- flags (exposed for tests) -------------------------------------------------------------

struct FlagSpec {
  std::string name;  // without dashes
  bool is_bool = false;
};

struct ParsedFlags {
  std::map<std::string, std::string> values;  // bools: "true"/"false"
  std::vector<std::string> positional;

  bool Has(const std::string& name) const { return values.count(name) != 0; }
  std::string Get(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? "" : it->second;
  }
  bool Bool(const std::string& name) const { return Get(name) == "true"; }
};

// ParseFlags(args, spec): Go's flag syntax, positional arguments anywhere, "--" ends flags.
// Errors (InvalidArgument) as Go prints them: "flag provided but not defined: -x",
// "flag needs an argument: -name", "invalid boolean value \"maybe\" for -passing".
absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                                       const std::vector<FlagSpec>& spec);

// ---- rendering (exposed for tests) ---------------------------------------------------------

// RenderTable: columns padded to their widest cell, separated by two spaces, no trailing
// spaces; the header row first (Consul's columnize layout).
std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// The human forms of each answer (the JSON is the control API's, see control.proto).
std::string RenderPeeringList(const nlohmann::json& peerings);
std::string RenderPeeringRead(const nlohmann::json& peering);
std::string RenderCatalogServices(const nlohmann::json& services, bool tags);
std::string RenderHealthService(const nlohmann::json& instances);
std::string RenderConfigList(const nlohmann::json& entries);
std::string RenderExplain(const nlohmann::json& explain);

}  // namespace meshgw::control::cli

#endif  // MESHGW_CONTROL_CLI_CLI_H_
