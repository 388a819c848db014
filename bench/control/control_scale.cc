// meshgw-control-scale: the control component at scale (issue 6, "Measured").
//
// Builds a model in memory (services with 1-3 instances, tcp and http, service-defaults and
// intentions for the http ones, an exported-services entry, mesh gateways, peerings importing
// services, CA material from two embedded CAs), then runs the real path:
//
//   Model ─► GatewayTranslator::Update ─► xds::SnapshotCache::SetSnapshot (one per gateway)
//         ─► xds::Server on 127.0.0.1:0 ─► gRPC ─► one xds::Client per gateway (child processes)
//
// Each client runs in a child process of its own (this binary with --clients-only), as each
// gateway is a process of its own in a deployment, and so that this process's memory is the
// control component's. Each client validates what it receives (MeshGatewayValidator, as a
// gateway does), mirrors it into a ResourceSnapshot and, after every accepted update, writes
// "applied <node> <snapshot version> <CLOCK_MONOTONIC ns>" to its stdout, a pipe to the parent;
// the client ACKs when its callback returns. A gateway has applied a change when its mirror's
// version equals the version of the snapshot published for it; every gateway has ACKed it when,
// after that, the server has counted an ACK (or NACK) for every response it sent.
//
// --real-gateways K runs the last K gateways as real `meshgw` processes (--meshgw PATH, by default
// the build's gateway/meshgw) instead of simulated clients: each translates every update into its
// snapshot and makes it live (sockets on the model's 127.0.1.x addresses, TLS contexts, counters)
// before it ACKs, as in a deployment. A real gateway has applied a change when its log says it
// installed a configuration since the last change and, as for the others, the server has its
// ACKs; when it installed more than once (the initial sync arrives type by type), when the
// server has its last ACK.
//
// Measured: the initial sync (from the start of the translation to every gateway having applied
// and ACKed its full snapshot), then --changes one-service changes (alternately an instance's
// address and a service's intentions), each from the model change (before translation) to every
// affected gateway having applied / ACKed it; the RSS of this process (the control) and of the
// client processes (summed).
//
//   meshgw-control-scale --services 10000 --peers 50 --gateways 20 --changes 200
//
// Output: a human summary, and JSON lines (lines starting with '{') for tools. Exit status 0 when
// every step completed within --deadline (seconds, default 120), 1 otherwise. Every loop is
// bounded in count and by the deadline.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "control/ca/embedded_ca.h"
#include "control/model/model.h"
#include "control/model/peering.h"
#include "control/model/validate.h"
#include "control/translate/translate.h"
#include "nlohmann/json.hpp"
#include "xds/client.h"
#include "xds/resource.h"
#include "xds/server.h"
#include "xds/snapshot_cache.h"
#include "xds/validate.h"

namespace meshgw::control {
namespace {

using Json = nlohmann::json;

constexpr char kLocalClusterId[] = "11111111-2222-3333-4444-555555555555";
constexpr char kPeerClusterId[] = "66666666-7777-8888-9999-aaaaaaaaaaaa";
constexpr char kDatacenter[] = "dc1";

// ---- options -----------------------------------------------------------------------------------

struct Options {
  int services = 10000;
  int peers = 50;
  int gateways = 20;
  int changes = 200;
  int imports_per_peer = 20;
  int export_percent = 100;
  double deadline_seconds = 120;
  bool per_change = false;  // a JSON line per change
  int real_gateways = 0;    // the last K gateways are real meshgw processes
  std::string meshgw;       // their binary (default: next to this build's bench/control)
  // --clients-only: the child.
  bool clients_only = false;
  std::string target;
  std::vector<std::string> nodes;
};

void Usage() {
  std::fprintf(
      stderr,
      "usage: meshgw-control-scale [--services N] [--peers N] [--gateways N] [--changes N]\n"
      "                            [--imports-per-peer N] [--export-percent P] [--deadline S]\n"
      "                            [--per-change] [--real-gateways K [--meshgw PATH]]\n"
      "  defaults: 10000 services, 50 peers, 20 gateways, 200 changes, 20 imports per peer,\n"
      "  100%% of services exported (each to 1-5 peers), deadline 120 s.\n"
      "  (--clients-only --target HOST:PORT --nodes A,B,... is the child it starts itself.)\n"
      "  --real-gateways K: the last K of the gateways are real meshgw processes (K < "
      "gateways).\n");
}

absl::StatusOr<Options> ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
      has_value = true;
    }
    auto next = [&]() -> absl::StatusOr<std::string> {
      if (has_value) return value;
      if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat(arg, ": needs a value"));
      return std::string(argv[++i]);
    };
    auto int_flag = [&](int* out, int min, int max) -> absl::Status {
      absl::StatusOr<std::string> v = next();
      if (!v.ok()) return v.status();
      if (!absl::SimpleAtoi(*v, out) || *out < min || *out > max) {
        return absl::InvalidArgumentError(
            absl::StrCat(arg, ": \"", *v, "\" is not an integer in ", min, "..", max));
      }
      return absl::OkStatus();
    };
    absl::Status s;
    if (arg == "--services") {
      s = int_flag(&o.services, 1, 1000000);
    } else if (arg == "--peers") {
      s = int_flag(&o.peers, 1, 1000);
    } else if (arg == "--gateways") {
      s = int_flag(&o.gateways, 1, 250);  // one loopback address each: 127.0.1.1..250
    } else if (arg == "--changes") {
      s = int_flag(&o.changes, 0, 100000);
    } else if (arg == "--imports-per-peer") {
      s = int_flag(&o.imports_per_peer, 0, 10000);
    } else if (arg == "--export-percent") {
      s = int_flag(&o.export_percent, 0, 100);
    } else if (arg == "--deadline") {
      absl::StatusOr<std::string> v = next();
      if (!v.ok()) return v.status();
      if (!absl::SimpleAtod(*v, &o.deadline_seconds) || o.deadline_seconds <= 0 ||
          o.deadline_seconds > 3600) {
        return absl::InvalidArgumentError(
            absl::StrCat("--deadline: \"", *v, "\" is not a number of seconds in (0, 3600]"));
      }
    } else if (arg == "--per-change") {
      o.per_change = true;
    } else if (arg == "--real-gateways") {
      s = int_flag(&o.real_gateways, 0, 249);
    } else if (arg == "--meshgw") {
      absl::StatusOr<std::string> v = next();
      if (!v.ok()) return v.status();
      o.meshgw = *v;
    } else if (arg == "--clients-only") {
      o.clients_only = true;
    } else if (arg == "--target") {
      absl::StatusOr<std::string> v = next();
      if (!v.ok()) return v.status();
      o.target = *v;
    } else if (arg == "--nodes") {
      absl::StatusOr<std::string> v = next();
      if (!v.ok()) return v.status();
      o.nodes = absl::StrSplit(*v, ',', absl::SkipEmpty());
    } else if (arg == "--help" || arg == "-h") {
      Usage();
      std::exit(0);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown argument \"", arg, "\""));
    }
    if (!s.ok()) return s;
  }
  if (o.clients_only && (o.target.empty() || o.nodes.empty())) {
    return absl::InvalidArgumentError("--clients-only needs --target and --nodes");
  }
  // Gateway 0 stays simulated: the rejoin step restarts it as a client process.
  if (o.real_gateways >= o.gateways) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--real-gateways ", o.real_gateways, ": must be less than --gateways (", o.gateways, ")"));
  }
  return o;
}

int64_t MonotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

xds::LogSink QuietLog(std::string prefix) {
  return [prefix = std::move(prefix)](xds::LogLevel level, absl::string_view line) {
    if (level == xds::LogLevel::kWarning || level == xds::LogLevel::kError) {
      std::string text = absl::StrCat(prefix, " ", xds::LogLevelName(level), ": ", line, "\n");
      (void)!write(2, text.data(), text.size());
    }
  };
}

// ---- the child: one xds::Client per gateway node -----------------------------------------------

// Mirrors what one client has applied, to tell the parent the version of its whole configuration
// (ResourceSnapshot::Version() is the same function of the same resources on both sides).
struct ClientMirror {
  absl::Mutex mu;
  xds::ResourceSnapshot applied ABSL_GUARDED_BY(mu);
};

int RunClients(const Options& o) {
  // The parent reads our stdout; if it dies, so do we.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  absl::Mutex write_mu;
  std::vector<std::unique_ptr<ClientMirror>> mirrors;
  std::vector<std::unique_ptr<xds::Client>> clients;
  for (const std::string& node : o.nodes) {
    auto mirror = std::make_unique<ClientMirror>();
    xds::ClientOptions options;
    options.target = o.target;
    options.node.set_id(node);
    for (absl::string_view type : xds::kResourceTypes) {
      options.subscriptions.push_back(xds::Subscription{std::string(type), {}});
    }
    options.validate = xds::MeshGatewayValidator();
    options.log = QuietLog(absl::StrCat("client ", node));
    options.backoff_base = absl::Milliseconds(50);
    options.backoff_max = absl::Seconds(1);
    ClientMirror* m = mirror.get();
    options.on_update = [m, node, &write_mu](const xds::ClientUpdate& update) -> absl::Status {
      std::string version;
      {
        absl::MutexLock lock(&m->mu);
        for (const std::string& name : update.removed) m->applied.Remove(update.type_url, name);
        for (const std::string& name : update.upserted) {
          auto it = update.resources.find(name);
          if (it != update.resources.end()) m->applied.Add(it->second);
        }
        version = m->applied.Version();
      }
      const std::string line =
          absl::StrCat("applied ", node, " ", version, " ", MonotonicNs(), "\n");
      absl::MutexLock lock(&write_mu);
      (void)!write(1, line.data(), line.size());
      return absl::OkStatus();
    };
    mirrors.push_back(std::move(mirror));
    clients.push_back(std::make_unique<xds::Client>(std::move(options)));
  }
  for (auto& c : clients) c->Start();
  // Until the parent closes our stdin (or the deadline passes).
  const absl::Time end = absl::Now() + absl::Seconds(o.deadline_seconds);
  // Shared with the reader, which may still be blocked in read() when we return at the deadline.
  auto eof = std::make_shared<std::atomic<bool>>(false);
  std::thread reader([eof] {
    char buf[64];
    while (read(0, buf, sizeof buf) > 0) {
    }
    *eof = true;
  });
  reader.detach();
  while (!*eof && absl::Now() < end) absl::SleepFor(absl::Milliseconds(20));
  for (auto& c : clients) c->Stop();
  return 0;
}

// ---- the parent: the model ---------------------------------------------------------------------

std::string ServiceName(int i) { return absl::StrFormat("svc-%05d", i); }
std::string PeerName(int p) { return absl::StrFormat("peer-%02d", p); }
std::string GatewayId(int g) { return absl::StrCat("mesh-gateway-", g); }
std::string GatewayAddress(int g) { return absl::StrCat("127.0.1.", g + 1); }
bool IsHttp(int i) { return i % 2 == 1; }
int InstanceCount(int i) { return 1 + i % 3; }
// Every 100th service calls a peer's service through the gateways (an egress listener).
bool HasUpstream(int i) { return i % 100 == 0; }
bool IsExported(int i, const Options& o) { return i % 100 < o.export_percent; }

ServiceDefinition Instance(int i, int k, int generation) {
  ServiceDefinition s;
  s.id = absl::StrCat(ServiceName(i), "-", k);
  s.name = ServiceName(i);
  s.address = absl::StrCat("10.", 1 + k, ".", (i / 250) % 256, ".", 1 + i % 250);
  s.port = 1024 + generation % 60000;
  s.origin = "control_scale";
  return s;
}

ServiceIntentions Intentions(int i, int peers, int generation) {
  ServiceIntentions in;
  in.name = ServiceName(i);
  IntentionSource allow;
  allow.name = generation == 0 ? "frontend" : absl::StrCat("caller-", generation);
  allow.peer = PeerName(i % peers);
  allow.action = IntentionAction::kAllow;
  IntentionSource local;
  local.name = ServiceName((i + 1) % 100000);
  local.action = IntentionAction::kAllow;
  IntentionSource deny;
  deny.name = "*";
  deny.action = IntentionAction::kDeny;
  in.sources = {allow, local, deny};
  return in;
}

struct Built {
  Model model;
  PeeringSetPtr peerings;
  std::shared_ptr<const CaMaterial> ca;
  std::vector<ServiceAddress> local_servers;
  size_t instances = 0;
  size_t entries = 0;
};

absl::StatusOr<Built> BuildInputs(const Options& o, const EmbeddedCa& ca, const EmbeddedCa& peer_ca,
                                  absl::Time now) {
  Built out;
  LocalSettings local;
  local.datacenter = std::string(kDatacenter);
  local.cluster_id = std::string(kLocalClusterId);
  Model::Builder b{Model(local)};

  Mesh mesh;
  mesh.peering.peer_through_mesh_gateways = true;
  b.Put(mesh);
  out.local_servers.push_back(ServiceAddress{"127.0.0.1", 8503});

  ExportedServices exports;
  exports.name = "default";
  for (int i = 0; i < o.services; ++i) {
    for (int k = 0; k < InstanceCount(i); ++k) {
      ServiceDefinition s = Instance(i, k, 0);
      if (HasUpstream(i) && k == 0) {
        const int p = (i / 100) % o.peers;
        ServiceUpstream up;
        up.destination_name = absl::StrCat("remote-", p, "-0");
        up.destination_peer = PeerName(p);
        up.local_bind_address = GatewayAddress((i / 100) % o.gateways);
        up.local_bind_port = 20000 + (i / 100) % 40000;
        SidecarService sidecar;
        sidecar.proxy.upstreams.push_back(up);
        s.connect = ServiceConnect{.native = false, .sidecar_service = sidecar};
      }
      b.PutService(std::move(s));
      ++out.instances;
    }
    if (IsHttp(i)) {
      ServiceDefaults d;
      d.name = ServiceName(i);
      d.protocol = "http";
      b.Put(d);
      ConfigEntry intentions = Intentions(i, o.peers, 0);
      NormalizeConfigEntry(&intentions);
      b.Put(std::move(intentions));
    }
    if (IsExported(i, o)) {
      ExportedService e;
      e.name = ServiceName(i);
      for (int j = 0; j < std::min(1 + i % 5, o.peers); ++j) {
        ExportedConsumer consumer;
        consumer.peer = PeerName((i * 7 + j) % o.peers);
        e.consumers.push_back(std::move(consumer));
      }
      exports.services.push_back(std::move(e));
    }
  }
  b.Put(std::move(exports));
  for (int g = 0; g < o.gateways; ++g) {
    ServiceDefinition gw;
    gw.id = GatewayId(g);
    gw.name = "mesh-gateway";
    gw.kind = "mesh-gateway";
    gw.address = GatewayAddress(g);
    gw.port = 8443;
    gw.tagged_addresses["lan"] = ServiceAddress{gw.address, 8443};
    gw.tagged_addresses["wan"] = ServiceAddress{gw.address, 8443};
    gw.proxy = ServiceProxy{};
    b.PutService(std::move(gw));
  }
  out.model = std::move(b).Build();
  out.entries = out.model.EntryCount();

  // Peerings: each peer exports `imports_per_peer` services to us, through its two gateways.
  const std::string peer_td = absl::StrCat(kPeerClusterId, ".consul");
  auto peerings = std::make_shared<PeeringSet>();
  for (int p = 0; p < o.peers; ++p) {
    Peering peer;
    peer.name = PeerName(p);
    peer.id = absl::StrFormat("00000000-0000-4000-8000-%012d", p);
    peer.peer_id = absl::StrFormat("00000000-0000-4000-9000-%012d", p);
    peer.state = PeeringState::kActive;
    peer.peer_datacenter = absl::StrCat("dc-peer-", p);
    peer.peer_trust_domain = peer_td;
    peer.peer_ca_pems = {peer_ca.root().root_cert_pem};
    peer.peer_server_name = absl::StrCat("server.dc-peer-", p, ".peering.", peer_td);
    peer.peer_server_addresses = {absl::StrCat("127.0.2.", 1 + p % 250, ":8503")};
    for (int j = 0; j < o.imports_per_peer; ++j) {
      ImportedService s;
      s.name = absl::StrCat("remote-", p, "-", j);
      s.protocol = j % 2 == 1 ? "http" : "tcp";
      s.sni = {absl::StrCat(s.name, ".default.default.dc1-default.external.", peer_td)};
      s.spiffe_ids = {
          absl::StrCat("spiffe://", peer_td, "/ns/default/dc/dc-peer-", p, "/svc/", s.name),
          absl::StrCat("spiffe://", peer_td, "/gateway/mesh/dc/dc-peer-", p)};
      s.gateways = {{absl::StrCat("127.0.2.", 1 + p % 250), 8443},
                    {absl::StrCat("127.0.3.", 1 + p % 250), 8443}};
      peer.imported.push_back(std::move(s));
    }
    for (int i = 0; i < o.services; ++i) {
      if (!IsExported(i, o)) continue;
      for (int j = 0; j < std::min(1 + i % 5, o.peers); ++j) {
        if ((i * 7 + j) % o.peers == p) peer.exported.push_back(ServiceName(i));
      }
    }
    peerings->emplace(peer.name, std::move(peer));
  }
  out.peerings = std::move(peerings);

  // CA material, as the agent keeps it: roots, the gateway leaf, a leaf per service with upstreams.
  auto material = std::make_shared<CaMaterial>();
  material->root_pems = {ca.root().root_cert_pem};
  absl::StatusOr<IssuedCert> gw_leaf = ca.IssueMeshGatewayLeaf(now);
  if (!gw_leaf.ok()) return gw_leaf.status();
  material->gateway_leaf = *std::move(gw_leaf);
  for (int i = 0; i < o.services; ++i) {
    if (!HasUpstream(i)) continue;
    absl::StatusOr<IssuedCert> leaf = ca.IssueServiceLeaf(ServiceName(i), "default", now);
    if (!leaf.ok()) return leaf.status();
    material->service_leaves[ServiceName(i)] = *std::move(leaf);
  }
  out.ca = std::move(material);
  return out;
}

// ---- the parent: the client processes and what they report -------------------------------------

// Reads the children's "applied <node> <version> <ns>" lines and keeps, per node, the last version
// applied and when.
class AppliedTracker {
 public:
  struct Applied {
    std::string version;
    int64_t at_ns = 0;
  };

  explicit AppliedTracker(int fd) : fd_(fd), reader_([this] { Read(); }) {}
  ~AppliedTracker() {
    reader_.join();  // ends at EOF: the child has exited
  }

  // WaitFor(expected, deadline): every node of `expected` at its version; returns when the last
  // of them got there, or nullopt at the deadline.
  std::optional<int64_t> WaitFor(const std::map<std::string, std::string>& expected,
                                 absl::Time deadline) {
    absl::MutexLock lock(&mu_);
    int64_t last = 0;
    auto done = [&] {
      last = 0;
      for (const auto& [node, version] : expected) {
        auto it = applied_.find(node);
        if (it == applied_.end() || it->second.version != version) return false;
        last = std::max(last, it->second.at_ns);
      }
      return true;
    };
    while (!done()) {
      if (eof_ || mu_.AwaitWithDeadline(absl::Condition(&changed_), deadline) == false) {
        if (!done()) return std::nullopt;
        break;
      }
      changed_ = false;
    }
    return last;
  }

  uint64_t lines() const {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  void Read() {
    std::string buffer;
    char chunk[1 << 14];
    while (true) {
      ssize_t n = read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
      size_t start = 0;
      absl::MutexLock lock(&mu_);
      for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::vector<std::string> parts =
            absl::StrSplit(absl::string_view(buffer).substr(start, nl - start), ' ');
        int64_t at = 0;
        if (parts.size() == 4 && parts[0] == "applied" && absl::SimpleAtoi(parts[3], &at)) {
          applied_[parts[1]] = Applied{parts[2], at};
          ++lines_;
          changed_ = true;
        }
      }
      buffer.erase(0, start);
    }
    absl::MutexLock lock(&mu_);
    eof_ = true;
    changed_ = true;
  }

  const int fd_;
  mutable absl::Mutex mu_;
  std::map<std::string, Applied> applied_ ABSL_GUARDED_BY(mu_);
  bool changed_ ABSL_GUARDED_BY(mu_) = false;
  bool eof_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t lines_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread reader_;
};

struct Memory {
  double rss_mb = 0;
  double hwm_mb = 0;
};

// The simulated gateways: one process each, as in a deployment (20 gateways as threads of one
// process would share its malloc arenas and its address-space lock, which page faults and heap
// growth take). They share one stdin (EOF stops them all) and one stdout (each "applied" line is
// written with one write(2) of less than PIPE_BUF bytes, so lines never interleave).
struct ChildProcess {
  std::vector<pid_t> pids;  // -1 once reaped
  int stdin_fd = -1;        // ours to close: the children stop at EOF
  int stdout_fd = -1;       // the applied lines

  // Reap(block): reaps the children that have exited (waiting for each if `block`) and says how
  // many; `status` gets the last exit status seen.
  int Reap(bool block, int* status) {
    int reaped = 0;
    for (pid_t& pid : pids) {
      if (pid > 0 && waitpid(pid, status, block ? 0 : WNOHANG) == pid) {
        pid = -1;
        ++reaped;
      }
    }
    return reaped;
  }
  bool AllReaped() const {
    return std::all_of(pids.begin(), pids.end(), [](pid_t pid) { return pid < 0; });
  }
  void Kill() {
    for (pid_t pid : pids) {
      if (pid > 0) kill(pid, SIGKILL);
    }
  }
  // The memory of all of them, summed.
  Memory ReadMemory() const;
  // The CPU seconds all of them have used, summed.
  double CpuSeconds() const;
};

absl::StatusOr<ChildProcess> StartClients(const Options& o, int port,
                                          const std::vector<std::string>& nodes) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return absl::InternalError("cannot read /proc/self/exe");
  self[n] = '\0';
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  ChildProcess child{{}, in[1], out[0]};
  for (const std::string& node : nodes) {
    std::vector<std::string> args = {self,         "--clients-only",
                                     "--target",   absl::StrCat("127.0.0.1:", port),
                                     "--nodes",    node,
                                     "--deadline", absl::StrCat(o.deadline_seconds + 5)};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
      child.Kill();
      return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
    }
    if (pid == 0) {
      // Only async-signal-safe calls until exec: the parent has threads.
      dup2(in[0], 0);
      dup2(out[1], 1);
      execv(argv[0], argv.data());
      _exit(127);
    }
    child.pids.push_back(pid);
  }
  close(in[0]);
  close(out[1]);
  return child;
}

Memory ReadMemory(const std::string& status_path) {
  Memory m;
  std::ifstream in(status_path);
  std::string line;
  while (std::getline(in, line)) {
    auto kb = [&](std::string_view key, double* out) {
      if (line.rfind(key, 0) != 0) return;
      int64_t v = 0;
      std::string rest = line.substr(key.size());
      rest.erase(
          std::remove_if(rest.begin(), rest.end(), [](char c) { return c < '0' || c > '9'; }),
          rest.end());
      if (absl::SimpleAtoi(rest, &v)) *out = static_cast<double>(v) / 1024.0;
    };
    kb("VmRSS:", &m.rss_mb);
    kb("VmHWM:", &m.hwm_mb);
  }
  return m;
}

// CPU seconds (user + system) a process has used: fields 14 and 15 of /proc/<pid>/stat, after
// the command name (which may hold spaces, so counted from its closing parenthesis).
double ReadCpuSeconds(const std::string& stat_path) {
  std::ifstream in(stat_path);
  std::string line;
  if (!std::getline(in, line)) return 0;
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos) return 0;
  std::vector<std::string> fields = absl::StrSplit(line.substr(paren + 2), ' ');
  // After ")": field 3 (state) is fields[0], so utime (14) and stime (15) are fields[11], [12].
  int64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return 0;
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

Memory ChildProcess::ReadMemory() const {
  Memory sum;
  for (pid_t pid : pids) {
    if (pid < 0) continue;
    Memory m = meshgw::control::ReadMemory(absl::StrCat("/proc/", pid, "/status"));
    sum.rss_mb += m.rss_mb;
    sum.hwm_mb += m.hwm_mb;
  }
  return sum;
}

double ChildProcess::CpuSeconds() const {
  double sum = 0;
  for (pid_t pid : pids) {
    if (pid > 0) sum += ReadCpuSeconds(absl::StrCat("/proc/", pid, "/stat"));
  }
  return sum;
}

// ---- real gateways (--real-gateways) -----------------------------------------------------------

// How many configurations a real gateway has installed: its log's "configuration installed"
// lines (info level), read as the log grows. (Polling its metrics instead cost the gateway more
// than the changes: 110,000 series rendered per poll at this scale.)
struct InstallCounter {
  std::string path;
  off_t offset = 0;
  std::string partial;  // the last line, while it has no newline yet
  int64_t installs = 0;

  int64_t Poll() {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return installs;
    char buf[65536];
    for (int reads = 0; reads < 1024; ++reads) {  // bounded: 64 MiB of log per poll at most
      const ssize_t n = pread(fd, buf, sizeof buf, offset);
      if (n <= 0) break;
      offset += n;
      partial.append(buf, static_cast<size_t>(n));
      size_t line_end;
      while ((line_end = partial.find('\n')) != std::string::npos) {
        if (std::string_view(partial.data(), line_end).find("configuration installed") !=
            std::string_view::npos) {
          ++installs;
        }
        partial.erase(0, line_end + 1);
      }
    }
    close(fd);
    return installs;
  }
};

// The real meshgw processes, their install counters (same order as `nodes`) and their folder of
// bootstrap files and logs, removed by Stop().
struct RealGateways {
  ChildProcess procs;
  std::vector<std::string> nodes;
  std::vector<InstallCounter> installs;
  std::string dir;

  void Stop() {
    for (pid_t pid : procs.pids) {
      if (pid > 0) kill(pid, SIGTERM);  // no connections to drain: they exit at once
    }
    int status = 0;
    procs.Reap(true, &status);
    if (!dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
      dir.clear();
    }
  }
};

// The meshgw next to this binary in the build tree: <build>/bench/control/.. /../gateway/meshgw.
std::string DefaultMeshgw() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "";
  self[n] = '\0';
  return (std::filesystem::path(self).parent_path().parent_path().parent_path() / "gateway" /
          "meshgw")
      .string();
}

absl::StatusOr<RealGateways> StartRealGateways(const Options& o, int xds_port,
                                               const std::vector<std::string>& nodes) {
  RealGateways real;
  const std::string binary = o.meshgw.empty() ? DefaultMeshgw() : o.meshgw;
  if (access(binary.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("--real-gateways: no meshgw at \"", binary,
                                            "\" (build it, or give --meshgw PATH)"));
  }
  char tmpl[] = "/tmp/meshgw-control-scale-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  }
  real.dir = tmpl;
  for (const std::string& node : nodes) {
    const std::string config = absl::StrCat(real.dir, "/", node, ".hcl");
    const std::string log = absl::StrCat(real.dir, "/", node, ".log");
    std::ofstream(config) << "node {\n  id = \"" << node << "\"\n}\n"
                          << "xds {\n  address = \"127.0.0.1:" << xds_port << "\"\n}\n"
                          << "admin {\n  address = \"127.0.0.1:0\"\n}\n"
                          << "metrics {\n  address = \"127.0.0.1:0\"\n}\n"
                          << "workers = 1\n"
                          << "timeouts {\n  drain = \"1s\"\n}\n"
                          << "log {\n  level = \"info\"\n  access_log = \"off\"\n}\n";
    std::vector<std::string> args = {binary, "-config", config};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      real.Stop();
      return absl::InternalError(absl::StrCat("open ", log, ": ", std::strerror(errno)));
    }
    pid_t pid = fork();
    if (pid < 0) {
      close(log_fd);
      real.Stop();
      return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
    }
    if (pid == 0) {
      // Only async-signal-safe calls until exec: the parent has threads.
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // if the harness dies, so do they
      dup2(log_fd, 1);
      dup2(log_fd, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(log_fd);
    real.procs.pids.push_back(pid);
    real.nodes.push_back(node);
    real.installs.emplace_back().path = log;
  }
  return real;
}

// ---- measuring ---------------------------------------------------------------------------------

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  size_t count = 0;
};

// Nearest-rank percentiles.
Percentiles Summarize(std::vector<double> v) {
  Percentiles p;
  p.count = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) {
    size_t r = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(r, 1, v.size()) - 1];
  };
  p.p50 = rank(0.50);
  p.p99 = rank(0.99);
  p.max = v.back();
  return p;
}

Json ToJson(const Percentiles& p) {
  return Json{{"count", p.count}, {"p50_ms", p.p50}, {"p99_ms", p.p99}, {"max_ms", p.max}};
}

// One publication: translate, set the snapshots, wait for the gateways to apply and ACK.
struct Publication {
  int64_t translate_ns = 0;  // GatewayTranslator::Update
  int64_t publish_ns = 0;    // SnapshotCache::SetSnapshot for every changed gateway
  int64_t applied_ns = 0;    // from start to the last gateway having applied
  int64_t acked_ns = 0;      // from start to the server having every ACK
  size_t gateways = 0;       // gateways whose snapshot changed
  size_t resources = 0;      // resources of one of them
  size_t built_units = 0;
  bool ok = false;
  std::string error;
};

class Harness {
 public:
  // `real`: the real gateways, if any (their nodes are not in the tracker's stream).
  Harness(xds::SnapshotCache* cache, const xds::Server* server, AppliedTracker* tracker,
          RealGateways* real, absl::Time deadline)
      : cache_(cache), server_(server), tracker_(tracker), real_(real), deadline_(deadline) {
    if (real_ != nullptr) real_seen_.assign(real_->nodes.size(), 0);
  }

  // Publish(input, start_ns): the translation of `input` to every gateway; `start_ns` is when
  // the change began (before the model was built).
  Publication Publish(const TranslateInput& input, int64_t start_ns) {
    Publication p;
    const int64_t t0 = MonotonicNs();
    std::map<std::string, std::shared_ptr<const xds::ResourceSnapshot>> changed =
        translator_.Update(input);
    const int64_t t1 = MonotonicNs();
    std::map<std::string, std::string> expected;  // the simulated gateways'
    std::vector<size_t> real_changed;             // indexes into real_->nodes
    for (const auto& [node, snapshot] : changed) {
      if (snapshot == nullptr) continue;
      cache_->SetSnapshot(node, snapshot);
      p.resources = snapshot->size();
      if (size_t i = RealIndex(node); i != kNotReal) {
        real_changed.push_back(i);
      } else {
        expected[node] = snapshot->Version();
      }
    }
    const int64_t t2 = MonotonicNs();
    p.translate_ns = t1 - t0;
    p.publish_ns = t2 - t1;
    p.gateways = expected.size() + real_changed.size();
    p.built_units = translator_.last_built_units();
    for (const auto& [node, error] : translator_.errors()) {
      p.error = absl::StrCat("gateway ", node, " not translated: ", error.ToString());
      return p;
    }
    if (p.gateways == 0) {
      p.error = "the change reached no gateway";
      return p;
    }
    std::optional<int64_t> applied = MonotonicNs();
    if (!expected.empty()) applied = tracker_->WaitFor(expected, deadline_);
    if (!applied.has_value()) {
      p.error = "deadline: not every gateway applied the change";
      return p;
    }
    // A real gateway has installed a new configuration (it ACKs after installing).
    for (size_t i : real_changed) {
      for (;;) {
        if (real_->installs[i].Poll() > real_seen_[i]) break;
        if (absl::Now() > deadline_) {
          p.error = absl::StrCat("deadline: the real gateway ", real_->nodes[i],
                                 " did not install the change");
          return p;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      applied = std::max(*applied, MonotonicNs());
    }
    p.applied_ns = *applied - start_ns;
    // Every response that carried the change was counted before it was sent; wait until each
    // has been answered.
    const xds::ServerStats& stats = server_->stats();
    while (stats.acks.load() + stats.nacks.load() < stats.responses.load()) {
      if (absl::Now() > deadline_) {
        p.error = "deadline: the server did not get every ACK";
        return p;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    p.acked_ns = MonotonicNs() - start_ns;
    // Every response answered: each real gateway installed all of this change. One that
    // installed more than once (the initial sync comes type by type) had applied it all only at
    // its last install, which its last ACK marks.
    for (size_t i : real_changed) {
      const int64_t installs = real_->installs[i].Poll();
      if (installs - real_seen_[i] > 1) p.applied_ns = std::max(p.applied_ns, p.acked_ns);
      real_seen_[i] = installs;
    }
    if (stats.nacks.load() != 0) {
      p.error = absl::StrCat("the gateways NACKed ", stats.nacks.load(), " responses");
      return p;
    }
    p.ok = true;
    return p;
  }

  const GatewayTranslator& translator() const { return translator_; }

 private:
  static constexpr size_t kNotReal = ~size_t{0};
  size_t RealIndex(const std::string& node) const {
    if (real_ == nullptr) return kNotReal;
    for (size_t i = 0; i < real_->nodes.size(); ++i) {
      if (real_->nodes[i] == node) return i;
    }
    return kNotReal;
  }

  xds::SnapshotCache* cache_;
  const xds::Server* server_;
  AppliedTracker* tracker_;
  RealGateways* real_;
  std::vector<int64_t> real_seen_;  // each real gateway's installs after the last change
  absl::Time deadline_;
  GatewayTranslator translator_;
};

void PrintJson(const Json& j) { std::printf("%s\n", j.dump().c_str()); }

int RunControl(const Options& o) {
  ProcessLogger().SetLevel(LogLevel::kWarn);
  const absl::Time deadline = absl::Now() + absl::Seconds(o.deadline_seconds);
  const absl::Time now = absl::Now();

  // --- the model ---
  int64_t t = MonotonicNs();
  CaOptions local_ca;
  local_ca.trust_domain = absl::StrCat(kLocalClusterId, ".consul");
  local_ca.datacenter = std::string(kDatacenter);
  absl::StatusOr<std::unique_ptr<EmbeddedCa>> ca = EmbeddedCa::Create(local_ca, now);
  CaOptions remote_ca;
  remote_ca.trust_domain = absl::StrCat(kPeerClusterId, ".consul");
  remote_ca.datacenter = "dc-peer";
  absl::StatusOr<std::unique_ptr<EmbeddedCa>> peer_ca = EmbeddedCa::Create(remote_ca, now);
  if (!ca.ok() || !peer_ca.ok()) {
    std::fprintf(stderr, "error: embedded CA: %s\n",
                 (!ca.ok() ? ca.status() : peer_ca.status()).ToString().c_str());
    return 1;
  }
  absl::StatusOr<Built> built = BuildInputs(o, **ca, **peer_ca, now);
  if (!built.ok()) {
    std::fprintf(stderr, "error: building the model: %s\n", built.status().ToString().c_str());
    return 1;
  }
  const int64_t model_ns = MonotonicNs() - t;
  const Memory after_model = ReadMemory("/proc/self/status");

  // --- the server and the clients ---
  xds::SnapshotCache cache;
  xds::ServerOptions server_options;
  server_options.address = "127.0.0.1:0";
  server_options.log = QuietLog("server");
  absl::StatusOr<std::unique_ptr<xds::Server>> server = xds::Server::Start(&cache, server_options);
  if (!server.ok()) {
    std::fprintf(stderr, "error: xds server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::vector<std::string> simulated_nodes, real_nodes;
  for (int g = 0; g < o.gateways; ++g) {
    (g < o.gateways - o.real_gateways ? simulated_nodes : real_nodes).push_back(GatewayId(g));
  }
  RealGateways real;
  if (!real_nodes.empty()) {
    absl::StatusOr<RealGateways> started = StartRealGateways(o, (*server)->port(), real_nodes);
    if (!started.ok()) {
      std::fprintf(stderr, "error: real gateways: %s\n", started.status().ToString().c_str());
      return 1;
    }
    real = std::move(*started);
  }
  absl::Cleanup stop_real = [&real] { real.Stop(); };  // on every return (Stop is idempotent)
  absl::StatusOr<ChildProcess> child = StartClients(o, (*server)->port(), simulated_nodes);
  if (!child.ok()) {
    std::fprintf(stderr, "error: clients: %s\n", child.status().ToString().c_str());
    return 1;
  }
  int exit_code = 1;
  // Destroyed (its reader joined) only once the child is gone, so the join cannot hang.
  auto tracker_owner = std::make_unique<AppliedTracker>(child->stdout_fd);
  {
    AppliedTracker& tracker = *tracker_owner;
    auto finish = [&] {
      close(child->stdin_fd);  // the child stops its clients and exits; the tracker sees EOF
    };
    // The streams are open before the clock starts: the sync measured is the configuration's,
    // not the connection's.
    int child_status = 0;
    while ((*server)->stats().streams_active.load() < o.gateways && absl::Now() < deadline) {
      if (child->Reap(false, &child_status) > 0) {
        std::fprintf(stderr, "error: a client process exited (status %d)\n", child_status);
        break;
      }
      if (real.procs.Reap(false, &child_status) > 0) {
        std::fprintf(stderr, "error: a meshgw process exited (status %d); its log is in %s\n",
                     child_status, real.dir.c_str());
        break;
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
    if ((*server)->stats().streams_active.load() < o.gateways) {
      std::fprintf(stderr, "error: only %lld of %d gateways connected before the deadline\n",
                   static_cast<long long>((*server)->stats().streams_active.load()), o.gateways);
      finish();
    } else {
      Harness harness(&cache, server->get(), &tracker, real_nodes.empty() ? nullptr : &real,
                      deadline);
      TranslateInput input{.model = built->model,
                           .peerings = built->peerings,
                           .ca = built->ca,
                           .local_servers = built->local_servers};
      const double control_cpu_before = ReadCpuSeconds("/proc/self/stat");
      const double clients_cpu_before = child->CpuSeconds() + real.procs.CpuSeconds();
      const double real_cpu_before = real.procs.CpuSeconds();
      const int64_t sync_start = MonotonicNs();
      Publication sync = harness.Publish(input, sync_start);
      // The CPU the sync took, the control's and the gateways': against this machine's cores,
      // the floor under its wall-clock time.
      const double control_cpu = ReadCpuSeconds("/proc/self/stat") - control_cpu_before;
      const double clients_cpu = child->CpuSeconds() + real.procs.CpuSeconds() - clients_cpu_before;
      const double real_cpu = real.procs.CpuSeconds() - real_cpu_before;
      const Memory real_mem = real.procs.ReadMemory();
      const Memory control_mem = ReadMemory("/proc/self/status");
      const Memory clients_mem = child->ReadMemory();
      size_t listener_bytes = 0;
      // What one gateway is sent, by type: the count and the encoded bytes of each.
      Json per_type = Json::object();
      std::string per_type_line;
      if (auto snap = cache.GetSnapshot(GatewayId(0)); snap != nullptr) {
        for (const auto& [name, r] : snap->Resources(xds::kListenerType)) {
          listener_bytes = std::max(listener_bytes, r->WireSize());
        }
        for (absl::string_view type : xds::kResourceTypes) {
          size_t count = 0, bytes = 0;
          for (const auto& [name, r] : snap->Resources(type)) {
            ++count;
            bytes += r->WireSize();
          }
          const std::string short_name(type.substr(type.rfind('.') + 1));
          per_type[short_name] = Json{{"count", count}, {"bytes", bytes}};
          absl::StrAppendFormat(&per_type_line, "%s%s %zu (%.2f MB)",
                                per_type_line.empty() ? "" : ", ", short_name, count,
                                static_cast<double>(bytes) / 1e6);
        }
      }
      // What the published snapshots hold: each distinct resource once (units are shared between
      // gateways), its encoded bytes once (the packed body, sent between its wire head and tail),
      // and a payload shared by several resources (the mesh listeners' chains) once.
      std::set<const xds::Resource*> distinct;
      std::set<const std::string*> shared_payloads;
      double resource_mb = 0;
      double listener_mb = 0;
      for (int g = 0; g < o.gateways; ++g) {
        std::shared_ptr<const xds::ResourceSnapshot> snap = cache.GetSnapshot(GatewayId(g));
        if (snap == nullptr) continue;
        for (absl::string_view type : xds::kResourceTypes) {
          for (const auto& [name, r] : snap->Resources(type)) {
            if (!distinct.insert(r.get()).second) continue;
            size_t bytes = r->name.size() + r->WireSize();
            if (r->shared_payload != nullptr &&
                !shared_payloads.insert(r->shared_payload.get()).second) {
              bytes -= r->shared_payload->size();
            }
            const double mb = static_cast<double>(bytes) / (1024.0 * 1024.0);
            resource_mb += mb;
            if (type == xds::kListenerType) listener_mb += mb;
          }
        }
      }
      PrintJson(Json{{"event", "setup"},
                     {"services", o.services},
                     {"instances", built->instances},
                     {"config_entries", built->entries},
                     {"peers", o.peers},
                     {"imports_per_peer", o.imports_per_peer},
                     {"gateways", o.gateways},
                     {"export_percent", o.export_percent},
                     {"model_build_ms", Ms(model_ns)},
                     {"rss_after_model_mb", after_model.rss_mb}});
      PrintJson(Json{{"event", "initial_sync"},
                     {"ok", sync.ok},
                     {"error", sync.error},
                     {"translate_ms", Ms(sync.translate_ns)},
                     {"publish_ms", Ms(sync.publish_ns)},
                     {"applied_ms", Ms(sync.applied_ns)},
                     {"acked_ms", Ms(sync.acked_ns)},
                     {"gateways", sync.gateways},
                     {"resources_per_gateway", sync.resources},
                     {"largest_listener_bytes", listener_bytes},
                     {"one_gateway_by_type", per_type},
                     {"server_responses", (*server)->stats().responses.load()},
                     {"server_resources_sent", (*server)->stats().resources_sent.load()},
                     {"control_cpu_s", control_cpu},
                     {"gateways_cpu_s", clients_cpu},
                     {"real_gateways", real_nodes.size()},
                     {"real_gateways_cpu_s", real_cpu},
                     {"cores", std::thread::hardware_concurrency()}});
      PrintJson(Json{{"event", "memory"},
                     {"control_rss_mb", control_mem.rss_mb},
                     {"control_hwm_mb", control_mem.hwm_mb},
                     {"clients_rss_mb", clients_mem.rss_mb},
                     {"clients_hwm_mb", clients_mem.hwm_mb},
                     {"real_gateways_rss_mb", real_mem.rss_mb},
                     {"distinct_resources", distinct.size()},
                     {"resource_bytes_mb", resource_mb},
                     {"listener_bytes_mb", listener_mb}});

      // --- one-service changes ---
      std::vector<double> acked_all, applied_all, translate_all, acked_instance, acked_intention;
      std::string change_error;
      int done = 0;
      if (sync.ok) {
        std::mt19937 rng(42);
        Model model = built->model;
        for (int c = 1; c <= o.changes; ++c) {
          if (absl::Now() > deadline) {
            change_error = absl::StrCat("deadline after ", done, " changes");
            break;
          }
          // Intentions shape only the chains of exported http services: those are the ones an
          // intention change can reach the gateways through.
          int i = static_cast<int>(rng() % static_cast<uint32_t>(o.services));
          std::optional<int> http_exported;
          for (int k = 0; k < std::min(o.services, 200) && !http_exported.has_value(); ++k) {
            const int candidate = (i + k) % o.services;
            if (IsHttp(candidate) && IsExported(candidate, o)) http_exported = candidate;
          }
          const bool intention = c % 2 == 0 && http_exported.has_value();
          if (intention) i = *http_exported;
          const int64_t start = MonotonicNs();
          Model::Builder b(model);
          if (intention) {
            ConfigEntry entry = Intentions(i, o.peers, c);
            NormalizeConfigEntry(&entry);
            b.Put(std::move(entry));
          } else {
            ServiceDefinition s = Instance(i, 0, c);
            if (auto old = model.FindService(s.id); old != nullptr) s.connect = old->connect;
            b.PutService(std::move(s));
          }
          model = std::move(b).Build();
          input.model = model;
          Publication p = harness.Publish(input, start);
          if (!p.ok) {
            change_error = absl::StrCat("change ", c, " (", ServiceName(i), "): ", p.error);
            break;
          }
          if (p.gateways != static_cast<size_t>(o.gateways)) {
            change_error = absl::StrCat("change ", c, " (", ServiceName(i), ") reached ",
                                        p.gateways, " of ", o.gateways, " gateways");
            break;
          }
          ++done;
          acked_all.push_back(Ms(p.acked_ns));
          applied_all.push_back(Ms(p.applied_ns));
          translate_all.push_back(Ms(p.translate_ns));
          (intention ? acked_intention : acked_instance).push_back(Ms(p.acked_ns));
          if (o.per_change) {
            PrintJson(Json{{"event", "change"},
                           {"n", c},
                           {"kind", intention ? "intention" : "instance"},
                           {"service", ServiceName(i)},
                           {"translate_ms", Ms(p.translate_ns)},
                           {"publish_ms", Ms(p.publish_ns)},
                           {"applied_ms", Ms(p.applied_ns)},
                           {"acked_ms", Ms(p.acked_ns)},
                           {"built_units", p.built_units}});
          }
        }
      }
      // --- one gateway rejoining (a restart) while the others stay connected ---
      // Its full configuration, from a new process's start to having applied it: what one
      // gateway waits for, without the other nineteen decoding theirs on the same two cores.
      std::optional<double> rejoin_ms;
      std::string rejoin_error;
      if (sync.ok && absl::Now() < deadline) {
        const int64_t start = MonotonicNs();
        absl::StatusOr<ChildProcess> joiner = StartClients(o, (*server)->port(), {GatewayId(0)});
        if (!joiner.ok()) {
          rejoin_error = std::string(joiner.status().message());
        } else {
          auto joined = std::make_unique<AppliedTracker>(joiner->stdout_fd);
          std::shared_ptr<const xds::ResourceSnapshot> snap = cache.GetSnapshot(GatewayId(0));
          std::optional<int64_t> at = joined->WaitFor({{GatewayId(0), snap->Version()}}, deadline);
          if (at.has_value()) {
            rejoin_ms = Ms(*at - start);
          } else {
            rejoin_error = "deadline: the rejoining gateway did not apply its configuration";
          }
          close(joiner->stdin_fd);
          int joiner_status = 0;
          joiner->Reap(true, &joiner_status);  // it exits at EOF on its stdin
          joined.reset();
          close(joiner->stdout_fd);
        }
      }
      PrintJson(Json{{"event", "rejoin"},
                     {"ok", rejoin_ms.has_value()},
                     {"error", rejoin_error},
                     {"applied_ms", rejoin_ms.value_or(-1)}});

      const Percentiles acked = Summarize(acked_all);
      const Percentiles applied = Summarize(applied_all);
      const Percentiles translate = Summarize(translate_all);
      PrintJson(Json{{"event", "changes"},
                     {"ok", change_error.empty()},
                     {"error", change_error},
                     {"done", done},
                     {"acked", ToJson(acked)},
                     {"applied", ToJson(applied)},
                     {"translate", ToJson(translate)},
                     {"acked_instance_change", ToJson(Summarize(acked_instance))},
                     {"acked_intention_change", ToJson(Summarize(acked_intention))}});
      const Memory end_mem = ReadMemory("/proc/self/status");
      const bool sync_goal = sync.ok && Ms(sync.acked_ns) < 2000;
      const bool change_goal = done > 0 && acked.p99 < 100;
      const bool memory_goal = end_mem.hwm_mb < 500;
      PrintJson(Json{{"event", "goals"},
                     {"initial_sync_under_2s", sync_goal},
                     {"change_p99_under_100ms", change_goal},
                     {"control_under_500mb", memory_goal},
                     {"control_hwm_mb", end_mem.hwm_mb}});

      std::printf(
          "\nmeshgw-control-scale: %d services (%zu instances, %zu config entries), %d peers "
          "(%d imports each), %d gateways\n",
          o.services, built->instances, built->entries, o.peers, o.imports_per_peer, o.gateways);
      std::printf("  model built in %.1f ms\n", Ms(model_ns));
      const std::string sync_state = sync.ok ? "" : absl::StrCat("FAILED (", sync.error, ") ");
      std::printf(
          "  initial sync: %stranslate %.1f ms, publish %.1f ms, all applied %.1f ms, all "
          "ACKed %.1f ms  (%zu resources per gateway, listener %.2f MB)  goal < 2000 ms: %s\n",
          sync_state.c_str(), Ms(sync.translate_ns), Ms(sync.publish_ns), Ms(sync.applied_ns),
          Ms(sync.acked_ns), sync.resources, static_cast<double>(listener_bytes) / 1e6,
          sync_goal ? "met" : "MISSED");
      std::printf("    one gateway's resources: %s\n", per_type_line.c_str());
      const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
      std::printf(
          "    CPU used during the sync: control %.2f s, the %d gateways %.2f s (%.2f s each); "
          "on %u cores no less than %.2f s\n",
          control_cpu, o.gateways, clients_cpu, clients_cpu / std::max(1, o.gateways), cores,
          (control_cpu + clients_cpu) / cores);
      if (!real_nodes.empty()) {
        std::printf(
            "    of the gateways, %zu real meshgw (%s): %.2f CPU-s during the sync (%.2f s each), "
            "RSS %.1f MB (%.1f MB each)\n",
            real_nodes.size(), absl::StrJoin(real_nodes, ", ").c_str(), real_cpu,
            real_cpu / static_cast<double>(real_nodes.size()), real_mem.rss_mb,
            real_mem.rss_mb / static_cast<double>(real_nodes.size()));
      }
      std::printf(
          "  %d one-service changes, to all %d gateways ACKed: p50 %.1f ms, p99 %.1f ms, max "
          "%.1f ms  goal p99 < 100 ms: %s\n",
          done, o.gateways, acked.p50, acked.p99, acked.max,
          done == 0     ? "not measured"
          : change_goal ? "met"
                        : "MISSED");
      std::printf(
          "    applied: p50 %.1f ms, p99 %.1f ms; translation alone: p50 %.1f ms, p99 %.1f ms\n",
          applied.p50, applied.p99, translate.p50, translate.p99);
      std::printf("    instance address changes p99 %.1f ms, intention changes p99 %.1f ms\n",
                  Summarize(acked_instance).p99, Summarize(acked_intention).p99);
      if (!change_error.empty()) std::printf("    stopped: %s\n", change_error.c_str());
      if (rejoin_ms.has_value()) {
        std::printf(
            "  one gateway rejoining (new process, the others connected): its whole "
            "configuration applied in %.1f ms\n",
            *rejoin_ms);
      } else {
        std::printf("  one gateway rejoining: %s\n", rejoin_error.c_str());
      }
      std::printf(
          "  control memory: RSS %.1f MB after sync, peak %.1f MB (the clients' processes: %.1f "
          "MB)  "
          "goal < 500 MB: %s\n",
          control_mem.rss_mb, end_mem.hwm_mb, clients_mem.rss_mb, memory_goal ? "met" : "MISSED");
      std::printf(
          "    published snapshots: %zu distinct resources, %.1f MB encoded (listeners %.1f MB)\n",
          distinct.size(), resource_mb, listener_mb);
      std::fflush(stdout);
      exit_code = sync.ok && change_error.empty() && rejoin_error.empty() ? 0 : 1;
      finish();
    }
  }
  // The children exit at EOF on their stdin; bounded wait, then kill them.
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    child->Reap(false, &status);
    if (child->AllReaped()) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  child->Kill();
  child->Reap(true, &status);
  real.Stop();
  tracker_owner.reset();
  close(child->stdout_fd);
  (*server)->Shutdown(absl::Milliseconds(200));
  return exit_code;
}

}  // namespace
}  // namespace meshgw::control

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  absl::StatusOr<meshgw::control::Options> options = meshgw::control::ParseOptions(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(options.status().message()).c_str());
    meshgw::control::Usage();
    return 2;
  }
  if (options->clients_only) return meshgw::control::RunClients(*options);
  return meshgw::control::RunControl(*options);
}
