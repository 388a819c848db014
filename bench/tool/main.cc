// bench/tool/main.cc — meshgw-bench: the load tool (throughput, handshakes/s, latency, idle
// connections) and its echo/sink backend. See options.h for the command line.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>

#include "bench/tool/modes.h"
#include "bench/tool/options.h"
#include "bench/tool/tls.h"

namespace {

// The per-process file limit bounds the connections: use all of it.
void RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace meshgw::bench;
  // OpenSSL writes sockets with write(2): a peer that closed must not kill the tool.
  std::signal(SIGPIPE, SIG_IGN);
  RaiseFileLimit();

  auto options = ParseOptions(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "meshgw-bench: %s\n", std::string(options.status().message()).c_str());
    return 2;
  }
  const BenchOptions& o = *options;
  const bool backend = o.mode == Mode::kEcho || o.mode == Mode::kSink;

  SslCtxPtr tls;
  if (o.tls) {
    auto ctx = backend ? MakeServerTlsContext(o.cert, o.key, o.ca)
                       : MakeClientTlsContext(o.cert, o.key, o.ca);
    if (!ctx.ok()) {
      std::fprintf(stderr, "meshgw-bench: %s\n", std::string(ctx.status().message()).c_str());
      return 2;
    }
    tls = std::move(*ctx);
  }

  if (backend) {
    auto st = RunBackend(o, tls.get());
    if (!st.ok()) {
      std::fprintf(stderr, "meshgw-bench: %s\n", std::string(st.message()).c_str());
      return 1;
    }
    return 0;
  }
  auto result = RunLoad(o, tls.get());
  if (!result.ok()) {
    std::fprintf(stderr, "meshgw-bench: %s\n", std::string(result.status().message()).c_str());
    return 1;
  }
  PrintResult(o, *result);
  return 0;
}
