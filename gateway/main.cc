// meshgw: the mesh gateway. `meshgw -config gateway.hcl` (see gateway/config/bootstrap.h and
// configs/gateway/static-example.hcl for the file).
//
// Signals: SIGTERM/SIGINT drain (stop accepting, wait for open connections up to
// timeouts.drain, exit 0); SIGHUP reloads the bootstrap file (a bad file is reported and the
// running configuration stays).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "gateway/config/bootstrap.h"
#include "gateway/proxy/gateway_server.h"

namespace {

constexpr std::string_view kVersion = "0.1.0";

constexpr std::string_view kUsage =
    "usage: meshgw -config FILE [-log-level debug|info|warn|error] [-log-json] [-version]\n"
    "  -config, --config FILE   the bootstrap file (HCL): node, xds, admin, metrics, static...\n"
    "  -log-level LEVEL         overrides log.level of the file\n"
    "  -log-json                JSON log lines (overrides log.json)\n"
    "  -version                 print the version and exit\n";

struct Flags {
  std::string config;
  std::string log_level;
  bool log_json = false;
  bool version = false;
};

// Accepts -flag and --flag, with the value as the next argument or after '='.
bool ParseFlags(int argc, char** argv, Flags& flags, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') {
      error = absl::StrCat("unexpected argument \"", arg, "\"");
      return false;
    }
    arg.remove_prefix(arg[1] == '-' ? 2 : 1);
    absl::string_view value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != absl::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto take = [&](std::string& out) {
      if (!has_value) {
        if (i + 1 >= argc) {
          error = absl::StrCat("flag -", arg, " needs a value");
          return false;
        }
        value = argv[++i];
      }
      out = std::string(value);
      return true;
    };
    if (arg == "config") {
      if (!take(flags.config)) return false;
    } else if (arg == "log-level") {
      if (!take(flags.log_level)) return false;
    } else if (arg == "log-json") {
      flags.log_json = !has_value || value == "true";
    } else if (arg == "version") {
      flags.version = true;
    } else if (arg == "help" || arg == "h") {
      fputs(kUsage.data(), stdout);
      exit(0);
    } else {
      error = absl::StrCat("unknown flag -", arg);
      return false;
    }
  }
  if (!flags.version && flags.config.empty()) {
    error = "-config is required";
    return false;
  }
  return true;
}

absl::Status ConfigureLogging(const meshgw::gateway::config::Bootstrap& bootstrap,
                              const Flags& flags) {
  meshgw::LogOptions options;
  absl::StatusOr<meshgw::LogLevel> level =
      meshgw::ParseLogLevel(flags.log_level.empty() ? bootstrap.log.level : flags.log_level);
  if (!level.ok()) return level.status();
  options.level = *level;
  options.format =
      (flags.log_json || bootstrap.log.json) ? meshgw::LogFormat::kJson : meshgw::LogFormat::kText;
  return meshgw::ProcessLogger().Configure(options);
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  std::string error;
  if (!ParseFlags(argc, argv, flags, error)) {
    fprintf(stderr, "meshgw: %s\n%s", error.c_str(), kUsage.data());
    return 2;
  }
  if (flags.version) {
    printf("meshgw %s\n", kVersion.data());
    return 0;
  }
  absl::StatusOr<meshgw::gateway::config::Bootstrap> bootstrap =
      meshgw::gateway::config::LoadBootstrap(flags.config);
  if (!bootstrap.ok()) {
    fprintf(stderr, "meshgw: %s\n", std::string(bootstrap.status().message()).c_str());
    return 1;
  }
  if (flags.log_json) bootstrap->log.json = true;
  if (absl::Status s = ConfigureLogging(*bootstrap, flags); !s.ok()) {
    fprintf(stderr, "meshgw: %s\n", std::string(s.message()).c_str());
    return 1;
  }

  // Signals are taken synchronously by this thread; every thread started later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  absl::Duration drain_timeout = bootstrap->timeouts.drain;
  meshgw::gateway::proxy::GatewayServer server(*std::move(bootstrap));
  if (absl::Status s = server.Start(); !s.ok()) {
    MESHGW_LOG(meshgw::LogLevel::kError, "meshgw could not start",
               {"error", std::string(s.message())});
    fprintf(stderr, "meshgw: %s\n", std::string(s.message()).c_str());
    return 1;
  }

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      absl::StatusOr<meshgw::gateway::config::Bootstrap> reloaded =
          meshgw::gateway::config::LoadBootstrap(flags.config);
      absl::Status s = reloaded.ok() ? server.Reload(*std::move(reloaded)) : reloaded.status();
      if (s.ok()) {
        MESHGW_LOG(meshgw::LogLevel::kInfo, "bootstrap reloaded", {"file", flags.config});
      } else {
        MESHGW_LOG(meshgw::LogLevel::kError, "reload rejected; the running configuration stays",
                   {"file", flags.config}, {"error", std::string(s.message())});
      }
      continue;
    }
    MESHGW_LOG(meshgw::LogLevel::kInfo, "signal received, draining", {"signal", strsignal(sig)});
    uint64_t left = server.Drain(drain_timeout);
    if (left > 0) {
      MESHGW_LOG(meshgw::LogLevel::kWarn, "drain timeout: closing the connections left",
                 {"open_connections", left});
    }
    server.Stop();
    MESHGW_LOG(meshgw::LogLevel::kInfo, "meshgw stopped");
    return 0;
  }
}
