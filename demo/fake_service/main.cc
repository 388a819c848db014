// meshgw-fake-service: the sandbox's demo HTTP service (see fake_service.h). Configured by
// environment variables like nicholasjackson/fake-service; SIGINT/SIGTERM stop it.
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/signal_set.hpp"
#include "common/log.h"
#include "demo/fake_service/fake_service.h"

int main(int argc, char** argv) {
  if (argc > 1) {
    std::fprintf(stderr,
                 "usage: NAME=... MESSAGE=... LISTEN_ADDR=host:port "
                 "UPSTREAM_URIS=http://h:p[/path],... TIMEOUT=30s %s\n",
                 argv[0]);
    return 2;
  }
  absl::StatusOr<meshgw::demo::FakeServiceConfig> config =
      meshgw::demo::FakeServiceConfig::FromEnv([](const char* n) { return std::getenv(n); });
  if (!config.ok()) {
    std::fprintf(stderr, "meshgw-fake-service: %s\n",
                 std::string(config.status().message()).c_str());
    return 2;
  }
  boost::asio::io_context io;
  meshgw::demo::FakeService service(io, *config);
  if (absl::Status s = service.Start(); !s.ok()) {
    std::fprintf(stderr, "meshgw-fake-service: listen %s\n", std::string(s.message()).c_str());
    return 1;
  }
  std::vector<std::string> upstreams;
  for (const auto& u : config->upstreams) upstreams.push_back(u.uri);
  std::string listen = absl::StrCat(config->listen_host, ":", service.port());
  std::string upstream_list = absl::StrJoin(upstreams, ",");
  meshgw::Log(meshgw::LogLevel::kInfo, "listening",
              {{"name", config->name}, {"address", listen}, {"upstreams", upstream_list}});
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    meshgw::Log(meshgw::LogLevel::kInfo, "stopping", {{"signal", signo}});
    service.Stop();
    io.stop();
  });
  io.run();
  return 0;
}
