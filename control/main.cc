// meshgw-control: the control agent (`meshgw-control agent -config control.hcl`) and the CLI
// commands shaped like Consul's (see control/cli/cli.h and control/README.md).
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "control/agent/agent.h"
#include "control/agent/control_config.h"
#include "control/cli/cli.h"

namespace {

int RunAgent(const std::vector<std::string>& args) {
  using meshgw::control::cli::FlagSpec;
  absl::StatusOr<meshgw::control::cli::ParsedFlags> flags =
      meshgw::control::cli::ParseFlags(args, {FlagSpec{"config"}});
  if (!flags.ok() || flags->Get("config").empty() || !flags->positional.empty()) {
    std::cerr << (flags.ok() ? std::string("missing the required flag -config")
                             : std::string(flags.status().message()))
              << "\nUsage: meshgw-control agent -config FILE\n";
    return 1;
  }
  absl::StatusOr<meshgw::control::ControlConfig> config =
      meshgw::control::LoadControlConfig(flags->Get("config"));
  if (!config.ok()) {
    std::cerr << "Error loading the control config:\n" << config.status().message() << "\n";
    return 1;
  }
  if (absl::StatusOr<meshgw::LogLevel> level = meshgw::ParseLogLevel(config->log_level);
      level.ok()) {
    meshgw::ProcessLogger().SetLevel(*level);
  }
  // Signals are taken synchronously by this thread; the agent's threads never see them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  absl::StatusOr<std::unique_ptr<meshgw::control::ControlAgent>> agent =
      meshgw::control::ControlAgent::Start(*std::move(config));
  if (!agent.ok()) {
    std::cerr << "Error starting the agent:\n" << agent.status().message() << "\n";
    return 1;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  meshgw::Log(meshgw::LogLevel::kInfo, "stopping", {{"signal", sig}});
  (*agent)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "agent") {
    return RunAgent(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  return meshgw::control::cli::RunCli(args, std::cout, std::cerr,
                                      meshgw::control::cli::CliEnvironment::FromEnv());
}
