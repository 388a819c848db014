// Snapshot translation costs (issue 4, "thousands of clusters must apply in milliseconds"):
// 10,000 EDS clusters with their assignments and a mesh listener with 10,000 chains (half of them
// terminating mTLS with RBAC, as exported services are), translated from scratch; then the same
// set with one assignment changed, through a warm Translator (the incremental path an xDS update
// takes); then one listener validated alone, as the xDS client does before ACKing it; then the
// gateway's live objects built from such a snapshot (BuildActiveConfig: a listening socket, a TLS
// server context per terminating chain, the chains' counters), cold and after one changed
// assignment, as GatewayServer installs each update.
//
//   build/release/bench/micro/snapshot_translate_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "gateway/config/translate.h"
#include "gateway/proxy/active_config.h"
#include "gateway/proxy/gateway_metrics.h"
#include "gateway/upstream/cluster_state_registry.h"
#include "tests/unit/gateway/tls/test_pki.h"
#include "xds/resource.h"

namespace {

namespace config = meshgw::gateway::config;
namespace cluster_pb = envoy::config::cluster::v3;
namespace endpoint_pb = envoy::config::endpoint::v3;
namespace listener_pb = envoy::config::listener::v3;
namespace net_pb = envoy::extensions::filters::network;
namespace tls_pb = envoy::extensions::transport_sockets::tls::v3;

template <typename T>
std::shared_ptr<const google::protobuf::Any> Pack(const T& message) {
  auto any = std::make_shared<google::protobuf::Any>();
  any->PackFrom(message);
  return any;
}

std::string Name(int i) { return absl::StrCat("svc", i, ".default.default.dc2.external.td"); }

endpoint_pb::ClusterLoadAssignment Assignment(int i, int port) {
  endpoint_pb::ClusterLoadAssignment cla;
  cla.set_cluster_name(Name(i));
  for (int priority = 0; priority < 2; ++priority) {
    auto* locality = cla.add_endpoints();
    locality->set_priority(priority);
    for (int e = 0; e < 2; ++e) {
      auto* sa = locality->add_lb_endpoints()
                     ->mutable_endpoint()
                     ->mutable_address()
                     ->mutable_socket_address();
      sa->set_address(absl::StrCat("10.", priority, ".", i % 250, ".", e + 1));
      sa->set_port_value(port);
    }
  }
  return cla;
}

// The gateway's leaf and the peers' CA: real PEM, for the activation benchmarks' TLS contexts (the
// translation alone never parses them).
struct BenchPki {
  meshgw::gateway::tls::testing::TestCredential ca =
      meshgw::gateway::tls::testing::MakeRootCa("bench CA");
  meshgw::gateway::tls::testing::TestCredential leaf =
      meshgw::gateway::tls::testing::Issue(ca, {.common_name = "mesh-gateway"});
};
const BenchPki& Pki() {
  static const BenchPki* pki = new BenchPki();
  return *pki;
}

config::TranslateInput MakeInput(int n) {
  config::TranslateInput in;
  tls_pb::Secret leaf;
  leaf.set_name("leaf");
  leaf.mutable_tls_certificate()->mutable_certificate_chain()->set_inline_string(
      Pki().leaf.cert_pem);
  leaf.mutable_tls_certificate()->mutable_private_key()->set_inline_string(Pki().leaf.key_pem);
  in.secrets["leaf"] = {Pack(leaf), "v1", "xds"};
  tls_pb::Secret bundle;
  bundle.set_name("bundle");
  bundle.mutable_validation_context()->mutable_trusted_ca()->set_inline_string(Pki().ca.cert_pem);
  in.secrets["bundle"] = {Pack(bundle), "v1", "xds"};

  listener_pb::Listener l;
  l.set_name("mesh");
  // Port 0: the activation benchmarks bind it (an update to the same address keeps the socket).
  l.mutable_address()->mutable_socket_address()->set_address("127.0.0.1");
  l.mutable_address()->mutable_socket_address()->set_port_value(0);
  l.add_listener_filters()->mutable_typed_config()->PackFrom(
      envoy::extensions::filters::listener::tls_inspector::v3::TlsInspector());
  for (int i = 0; i < n; ++i) {
    cluster_pb::Cluster c;
    c.set_name(Name(i));
    c.set_type(cluster_pb::Cluster::EDS);
    c.mutable_eds_cluster_config()->mutable_eds_config()->mutable_ads();
    c.mutable_connect_timeout()->set_seconds(5);
    c.mutable_outlier_detection()->mutable_consecutive_5xx()->set_value(5);
    in.clusters[Name(i)] = {Pack(c), meshgw::xds::ContentVersion(c.SerializeAsString()), "xds"};
    in.endpoints[Name(i)] = {Pack(Assignment(i, 20000)), "v1", "xds"};

    listener_pb::FilterChain* chain = l.add_filter_chains();
    chain->set_name(Name(i));
    chain->mutable_filter_chain_match()->add_server_names(Name(i));
    if (i % 2 == 0) {
      tls_pb::DownstreamTlsContext tls;
      auto* common = tls.mutable_common_tls_context();
      common->add_tls_certificate_sds_secret_configs()->set_name("leaf");
      auto* combined = common->mutable_combined_validation_context();
      auto* san =
          combined->mutable_default_validation_context()->add_match_typed_subject_alt_names();
      san->set_san_type(tls_pb::SubjectAltNameMatcher::URI);
      san->mutable_matcher()->set_prefix("spiffe://td2/");
      combined->mutable_validation_context_sds_secret_config()->set_name("bundle");
      tls.mutable_require_client_certificate()->set_value(true);
      chain->mutable_transport_socket()->mutable_typed_config()->PackFrom(tls);
      net_pb::rbac::v3::RBAC rbac;
      auto& policy = (*rbac.mutable_rules()->mutable_policies())["web"];
      policy.add_permissions()->set_any(true);
      policy.add_principals()
          ->mutable_authenticated()
          ->mutable_principal_name()
          ->mutable_safe_regex()
          ->set_regex("^spiffe://td2/ns/default/dc/[^/]+/svc/web$");
      chain->add_filters()->mutable_typed_config()->PackFrom(rbac);
    }
    net_pb::tcp_proxy::v3::TcpProxy proxy;
    proxy.set_cluster(Name(i));
    chain->add_filters()->mutable_typed_config()->PackFrom(proxy);
  }
  in.listeners["mesh"] = {Pack(l), "v1", "xds"};
  return in;
}

void BM_TranslateFull(benchmark::State& state) {
  const config::TranslateInput in = MakeInput(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    config::Translator translator;
    absl::StatusOr<config::SnapshotPtr> snap = translator.Translate(in, 1);
    if (!snap.ok() || !(*snap)->complete) state.SkipWithError("translation failed");
    benchmark::DoNotOptimize(snap);
  }
  state.counters["clusters"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_TranslateFull)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// The input of n services whose middle one's assignment moves between two ports, one version to
// the next (an endpoint moved).
struct OneAssignmentFlip {
  explicit OneAssignmentFlip(int n)
      : n(n),
        in(MakeInput(n)),
        before(in.endpoints[Name(n / 2)].resource),
        after(Pack(Assignment(n / 2, 20001))) {}
  // The input of `version`.
  const config::TranslateInput& At(uint64_t version) {
    in.endpoints[Name(n / 2)].resource = version % 2 == 0 ? after : before;
    return in;
  }
  const int n;
  config::TranslateInput in;
  const std::shared_ptr<const google::protobuf::Any> before, after;
};

// One assignment changes between snapshots (an endpoint moved): the warm Translator decodes that
// cluster again and reuses the rest, including the 10,000-chain listener.
void BM_TranslateOneAssignmentChanged(benchmark::State& state) {
  OneAssignmentFlip flip(static_cast<int>(state.range(0)));
  config::Translator translator;
  if (!translator.Translate(flip.At(1), 1).ok()) state.SkipWithError("translation failed");
  uint64_t version = 2;
  for (auto _ : state) {
    absl::StatusOr<config::SnapshotPtr> snap = translator.Translate(flip.At(version), version);
    ++version;
    if (!snap.ok() || translator.last_decoded() != 3) state.SkipWithError("not incremental");
    benchmark::DoNotOptimize(snap);
  }
}
BENCHMARK(BM_TranslateOneAssignmentChanged)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_ValidateListener(benchmark::State& state) {
  const config::TranslateInput in = MakeInput(static_cast<int>(state.range(0)));
  const google::protobuf::Any& listener = *in.listeners.at("mesh").resource;
  for (auto _ : state) {
    absl::Status s = config::ValidateResource(meshgw::xds::kListenerType, "mesh", listener);
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
  }
}
BENCHMARK(BM_ValidateListener)->Arg(10000)->Unit(benchmark::kMillisecond);

// What GatewayServer passes BuildActiveConfig: its counters and its cluster states (one worker).
struct LiveOptions {
  meshgw::metrics::Registry registry{/*workers=*/1};
  meshgw::gateway::proxy::GatewayMetrics metrics{registry};
  meshgw::gateway::upstream::ClusterStateRegistry states{/*workers=*/1};
  meshgw::gateway::proxy::BuildOptions options{.metrics = &metrics, .cluster_states = &states};
};

// Resident memory of this process, in MiB.
double RssMib() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * 4096.0 / (1024.0 * 1024.0);
}

// The first activation of a 10,000-chain snapshot: every terminating chain's TLS context is made.
void BM_ActivateFirst(benchmark::State& state) {
  const config::TranslateInput in = MakeInput(static_cast<int>(state.range(0)));
  config::Translator translator;
  absl::StatusOr<config::SnapshotPtr> snap = translator.Translate(in, 1);
  if (!snap.ok()) {
    state.SkipWithError(std::string(snap.status().message()).c_str());
    return;
  }
  LiveOptions live;  // not const: the build registers counters in it
  const meshgw::gateway::proxy::BuildOptions& options = live.options;
  // The first build's growth: later ones reuse the memory the allocator kept.
  double rss_growth = -1;
  for (auto _ : state) {
    const double before = RssMib();
    auto active = meshgw::gateway::proxy::BuildActiveConfig(*snap, nullptr, options);
    if (!active.ok()) state.SkipWithError(std::string(active.status().message()).c_str());
    if (rss_growth < 0) rss_growth = RssMib() - before;
    state.PauseTiming();
    active = absl::StatusOr<std::shared_ptr<const meshgw::gateway::proxy::ActiveConfig>>();
    state.ResumeTiming();
  }
  state.counters["rss_growth_mib"] = rss_growth;
}
BENCHMARK(BM_ActivateFirst)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(3);

// One assignment changed: the new snapshot translated (warm) and activated over the previous one,
// which hands over its sockets, TLS contexts and counters.
void BM_ActivateOneAssignmentChanged(benchmark::State& state) {
  OneAssignmentFlip flip(static_cast<int>(state.range(0)));
  config::Translator translator;
  absl::StatusOr<config::SnapshotPtr> first = translator.Translate(flip.At(1), 1);
  LiveOptions live;  // not const: the build registers counters in it
  const meshgw::gateway::proxy::BuildOptions& options = live.options;
  if (!first.ok()) {
    state.SkipWithError("translation failed");
    return;
  }
  auto active = meshgw::gateway::proxy::BuildActiveConfig(*first, nullptr, options);
  if (!active.ok()) {
    state.SkipWithError(std::string(active.status().message()).c_str());
    return;
  }
  uint64_t version = 2;
  for (auto _ : state) {
    absl::StatusOr<config::SnapshotPtr> snap = translator.Translate(flip.At(version), version);
    ++version;
    if (!snap.ok()) state.SkipWithError("translation failed");
    auto next = meshgw::gateway::proxy::BuildActiveConfig(*snap, active->get(), options);
    if (!next.ok()) state.SkipWithError(std::string(next.status().message()).c_str());
    active = std::move(next);
  }
}
BENCHMARK(BM_ActivateOneAssignmentChanged)->Arg(10000)->Unit(benchmark::kMillisecond);

// A gateway's first configuration as an xDS stream delivers it: type by type (secrets, clusters,
// assignments, then the listener), the clusters and assignments in batches of 1,000, each update
// translated by the warm Translator and made live over the previous one, as GatewayServer
// installs each response. The sum is what a gateway spends on its initial sync besides decoding
// and validating the responses.
void BM_ApplyInBatches(benchmark::State& state) {
  const config::TranslateInput all = MakeInput(static_cast<int>(state.range(0)));
  constexpr size_t kBatch = 1000;
  size_t installs = 0;
  for (auto _ : state) {
    config::Translator translator;
    LiveOptions live;
    std::shared_ptr<const meshgw::gateway::proxy::ActiveConfig> active;
    config::TranslateInput in;
    uint64_t version = 0;
    auto install = [&] {
      absl::StatusOr<config::SnapshotPtr> snap = translator.Translate(in, ++version);
      if (!snap.ok()) {
        state.SkipWithError(std::string(snap.status().message()).c_str());
        return;
      }
      auto next = meshgw::gateway::proxy::BuildActiveConfig(*snap, active.get(), live.options);
      if (!next.ok()) {
        state.SkipWithError(std::string(next.status().message()).c_str());
        return;
      }
      active = *next;
      ++installs;
    };
    in.secrets = all.secrets;
    install();
    for (config::ResourceInputs config::TranslateInput::*type :
         {&config::TranslateInput::clusters, &config::TranslateInput::endpoints}) {
      size_t in_batch = 0;
      for (const auto& [name, resource] : all.*type) {
        (in.*type).insert_or_assign(name, resource);
        if (++in_batch == kBatch) {
          install();
          in_batch = 0;
        }
      }
      if (in_batch > 0) install();
    }
    in.listeners = all.listeners;
    install();
    if (active == nullptr || !active->snapshot->complete) state.SkipWithError("incomplete");
  }
  state.counters["installs"] =
      benchmark::Counter(static_cast<double>(installs), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_ApplyInBatches)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
