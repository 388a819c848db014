// bench/tool/options.cc — flag parsing and validation for meshgw-bench.
#include "bench/tool/options.h"

#include <map>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace meshgw::bench {
namespace {

constexpr int kMaxConnections = 20000;
constexpr auto kMaxDuration = std::chrono::seconds(600);

absl::StatusOr<Mode> ParseMode(absl::string_view name) {
  static const std::map<absl::string_view, Mode> kModes = {{"throughput", Mode::kThroughput},
                                                           {"handshakes", Mode::kHandshakes},
                                                           {"latency", Mode::kLatency},
                                                           {"idle", Mode::kIdle},
                                                           {"echo", Mode::kEcho},
                                                           {"sink", Mode::kSink}};
  auto it = kModes.find(name);
  if (it == kModes.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown mode \"", name, "\" (throughput, handshakes, latency, idle, echo, sink)"));
  }
  return it->second;
}

absl::Status ParseHostPort(absl::string_view flag, absl::string_view text, BenchOptions& out) {
  const size_t colon = text.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(text.substr(colon + 1), &port) ||
      port <= 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("-", flag, ": want host:port, got \"", text, "\""));
  }
  out.host = std::string(text.substr(0, colon));
  if (out.host.empty()) out.host = "127.0.0.1";
  out.port = static_cast<uint16_t>(port);
  return absl::OkStatus();
}

absl::Status ParseInt(absl::string_view flag, absl::string_view text, int lo, int hi, int& out) {
  if (!absl::SimpleAtoi(text, &out) || out < lo || out > hi) {
    return absl::InvalidArgumentError(
        absl::StrCat("-", flag, ": want an integer in [", lo, ", ", hi, "], got \"", text, "\""));
  }
  return absl::OkStatus();
}

bool IsBackend(Mode m) { return m == Mode::kEcho || m == Mode::kSink; }

}  // namespace

absl::StatusOr<std::chrono::nanoseconds> ParseDuration(const std::string& text) {
  absl::string_view v = text;
  double scale = 1e9;
  if (absl::ConsumeSuffix(&v, "ns")) {
    scale = 1;
  } else if (absl::ConsumeSuffix(&v, "us")) {
    scale = 1e3;
  } else if (absl::ConsumeSuffix(&v, "ms")) {
    scale = 1e6;
  } else if (absl::ConsumeSuffix(&v, "s")) {
    scale = 1e9;
  } else if (absl::ConsumeSuffix(&v, "m")) {
    scale = 60e9;
  }
  double number = 0;
  if (!absl::SimpleAtod(v, &number) || number < 0) {
    return absl::InvalidArgumentError(absl::StrCat("bad duration \"", text, "\""));
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(number * scale));
}

absl::StatusOr<BenchOptions> ParseOptions(int argc, char** argv) {
  BenchOptions o;
  int i = 1;
  if (i < argc && argv[i][0] != '-') o.mode_name = argv[i++];
  bool have_target = false;
  while (i < argc) {
    absl::string_view arg = argv[i++];
    if (!absl::ConsumePrefix(&arg, "--")) absl::ConsumePrefix(&arg, "-");
    std::string flag(arg), value;
    bool has_value = false;
    if (size_t eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
      has_value = true;
    }
    auto boolean = [&](bool& target) -> absl::Status {
      target = !has_value || value == "true" || value == "1";
      return absl::OkStatus();
    };
    if (flag == "tls") {
      (void)boolean(o.tls);
      continue;
    }
    if (flag == "resume") {
      (void)boolean(o.resume);
      continue;
    }
    if (flag == "quiet") {
      (void)boolean(o.quiet);
      continue;
    }
    if (flag == "h" || flag == "help") return absl::InvalidArgumentError(Usage());
    if (!has_value) {
      if (i >= argc) return absl::InvalidArgumentError(absl::StrCat("-", flag, ": missing value"));
      value = argv[i++];
    }
    absl::Status st;
    if (flag == "mode") {
      o.mode_name = value;
    } else if (flag == "target" || flag == "listen") {
      st = ParseHostPort(flag, value, o);
      have_target = st.ok();
    } else if (flag == "sni") {
      o.sni = value;
    } else if (flag == "cert") {
      o.cert = value;
    } else if (flag == "key") {
      o.key = value;
    } else if (flag == "ca") {
      o.ca = value;
    } else if (flag == "connections" || flag == "c") {
      st = ParseInt(flag, value, 1, kMaxConnections, o.connections);
    } else if (flag == "threads") {
      st = ParseInt(flag, value, 1, 64, o.threads);
    } else if (flag == "size") {
      st = ParseInt(flag, value, 1, 16 << 20, o.size);
    } else if (flag == "concurrency") {
      st = ParseInt(flag, value, 1, 4096, o.concurrency);
    } else if (flag == "rate") {
      if (!absl::SimpleAtod(value, &o.rate) || o.rate <= 0 || o.rate > 10e6) {
        st = absl::InvalidArgumentError(
            absl::StrCat("-rate: want (0, 1e7] per second, got \"", value, "\""));
      }
    } else if (flag == "duration" || flag == "d" || flag == "warmup") {
      auto d = ParseDuration(value);
      if (!d.ok()) {
        st = absl::InvalidArgumentError(absl::StrCat("-", flag, ": ", d.status().message()));
      } else {
        (flag == "warmup" ? o.warmup : o.duration) = *d;
      }
    } else if (flag == "ready-file") {
      o.ready_file = value;
    } else {
      st = absl::InvalidArgumentError(absl::StrCat("unknown flag -", flag, "\n", Usage()));
    }
    if (!st.ok()) return st;
  }

  if (o.mode_name.empty()) return absl::InvalidArgumentError(Usage());
  auto mode = ParseMode(o.mode_name);
  if (!mode.ok()) return mode.status();
  o.mode = *mode;
  if (!have_target) {
    return absl::InvalidArgumentError(IsBackend(o.mode) ? "-listen host:port is required"
                                                        : "-target host:port is required");
  }
  if (!o.sni.empty() || !o.cert.empty() || !o.ca.empty()) o.tls = true;
  if (o.cert.empty() != o.key.empty()) {
    return absl::InvalidArgumentError("-cert and -key go together");
  }
  if (IsBackend(o.mode) && o.tls && o.cert.empty()) {
    return absl::InvalidArgumentError("a TLS backend needs -cert and -key");
  }
  if (o.duration > kMaxDuration) return absl::InvalidArgumentError("-duration: at most 600s");
  if (!IsBackend(o.mode) && o.duration.count() == 0) {
    return absl::InvalidArgumentError("-duration is required (e.g. -duration 10s)");
  }
  if (o.warmup >= o.duration && !IsBackend(o.mode)) {
    return absl::InvalidArgumentError("-warmup must be shorter than -duration");
  }
  if (o.connections == 0) {
    switch (o.mode) {
      case Mode::kThroughput:
        o.connections = 1;
        break;
      case Mode::kHandshakes:
        o.connections = 8;
        break;
      case Mode::kLatency:
        o.connections = 16;
        break;
      case Mode::kIdle:
        o.connections = 100;
        break;
      default:
        break;
    }
  }
  if (o.size == 0) {
    o.size = o.mode == Mode::kThroughput ? 64 * 1024 : (o.mode == Mode::kLatency ? 64 : 16);
  }
  if (o.connections < o.threads && !IsBackend(o.mode)) o.threads = o.connections;
  return o;
}

std::string Usage() {
  return R"(usage: meshgw-bench MODE [flags]

modes:
  throughput   bulk bytes both ways over -connections long connections (Gbit/s)
  handshakes   new connections per second (TLS handshakes, or plain TCP connects without TLS);
               -resume to resume with session tickets
  latency      -size byte requests at -rate per second over kept connections, open loop;
               latency from the intended send time: p50 p90 p99 p99.9 max
  idle         open -connections and hold them for -duration (writes -ready-file when open)
  echo | sink  the backend: echo every byte back, or discard it

flags:
  -target host:port     where to connect (client modes)
  -listen host:port     where to listen (echo, sink)
  -tls                  use TLS (implied by -sni, -ca, -cert)
  -sni name             server name of the ClientHello
  -cert f -key f        client certificate (client modes) or server certificate (backends)
  -ca f                 verify the peer with these roots (backends: require a client certificate)
  -connections N        connections (defaults: throughput 1, handshakes 8, latency 16, idle 100)
  -threads N            event-loop threads (default 1)
  -duration D           run time, e.g. 10s (required for client modes; backends: until SIGTERM)
  -warmup D             not measured at the start (default 0)
  -size B               request / probe / write chunk bytes (64, 16, 65536)
  -rate R               latency: requests per second in all (default 1000)
  -resume               handshakes: resume sessions (tickets)
  -concurrency N        idle: handshakes in flight while opening (default 64)
  -ready-file F         idle: created when every connection is open
  -quiet                no human summary on stderr

output: one JSON line on stdout; a human summary on stderr.
)";
}

}  // namespace meshgw::bench
