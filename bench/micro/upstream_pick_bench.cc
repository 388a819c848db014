// Cost of choosing an upstream endpoint for a new connection: EndpointPicker::Pick followed by
// OnConnectionClosed, per load-balancing policy and cluster size, with failover, and from two
// threads on one shared ClusterState; and the cost of a config update (ClusterStateRegistry).
#include <arpa/inet.h>
#include <netinet/in.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "gateway/config/snapshot.h"
#include "gateway/upstream/cluster_state.h"
#include "gateway/upstream/cluster_state_registry.h"
#include "gateway/upstream/endpoint_picker.h"

namespace meshgw::gateway::upstream {
namespace {

config::Endpoint Endpoint(uint16_t port, uint32_t weight) {
  config::Endpoint e;
  e.address.host = "127.0.0.1";
  e.address.port = port;
  auto* in = reinterpret_cast<sockaddr_in*>(&e.address.storage);
  in->sin_family = AF_INET;
  in->sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
  e.address.length = sizeof(sockaddr_in);
  e.health = config::HealthStatus::kHealthy;
  e.weight = weight;
  return e;
}

// `n` endpoints at priority 0 (weights 1, or 1..4 when `weighted`), one at priority 1.
std::shared_ptr<config::Cluster> Cluster(int n, config::LbPolicy policy, bool weighted) {
  auto c = std::make_shared<config::Cluster>();
  c->name = "bench";
  c->lb_policy = policy;
  c->max_connections = 1 << 30;
  c->outlier.enabled = true;
  c->outlier.consecutive_failures = 1;
  c->outlier.max_ejection_percent = 100;
  config::PriorityLevel p0{.priority = 0, .endpoints = {}};
  for (int i = 0; i < n; ++i) {
    p0.endpoints.push_back(Endpoint(static_cast<uint16_t>(10000 + i), weighted ? 1 + i % 4 : 1));
  }
  c->priorities.push_back(std::move(p0));
  c->priorities.push_back({.priority = 1, .endpoints = {Endpoint(20000, 1)}});
  return c;
}

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

void PickAndClose(benchmark::State& state, config::LbPolicy policy, bool weighted) {
  auto s = ClusterState::Create(Cluster(static_cast<int>(state.range(0)), policy, weighted), 1);
  EndpointPicker picker(0, 1);
  for (auto _ : state) {
    PickResult p = picker.Pick(*s, kNow);
    benchmark::DoNotOptimize(p);
    s->OnConnectionClosed(p.endpoint);
  }
}

void BM_RoundRobin(benchmark::State& state) {
  PickAndClose(state, config::LbPolicy::kRoundRobin, false);
}
void BM_WeightedRoundRobin(benchmark::State& state) {
  PickAndClose(state, config::LbPolicy::kRoundRobin, true);
}
void BM_LeastRequest(benchmark::State& state) {
  PickAndClose(state, config::LbPolicy::kLeastRequest, false);
}
void BM_Random(benchmark::State& state) { PickAndClose(state, config::LbPolicy::kRandom, true); }
BENCHMARK(BM_RoundRobin)->Arg(4)->Arg(64)->Arg(1024);
BENCHMARK(BM_WeightedRoundRobin)->Arg(4)->Arg(64)->Arg(1024);
BENCHMARK(BM_LeastRequest)->Arg(4)->Arg(64)->Arg(1024);
BENCHMARK(BM_Random)->Arg(4)->Arg(64)->Arg(1024);

// Every priority-0 endpoint ejected: each pick scans level 0, then takes priority 1.
void BM_FailoverAllEjected(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto s = ClusterState::Create(Cluster(n, config::LbPolicy::kRoundRobin, false), 1);
  EndpointPicker picker(0, 1);
  for (int i = 0; i < n; ++i) {
    PickResult p = picker.Pick(*s, kNow);
    s->OnConnectFailure(p.endpoint, kNow, false);
  }
  for (auto _ : state) {
    PickResult p = picker.Pick(*s, kNow);
    benchmark::DoNotOptimize(p);
    s->OnConnectionClosed(p.endpoint);
  }
  state.counters["priority"] = s->priority(picker.Pick(*s, kNow).endpoint);
}
BENCHMARK(BM_FailoverAllEjected)->Arg(4)->Arg(64);

// Two workers on one ClusterState: the shared atomics (circuit breaker, active counts) are the
// only contended lines.
std::shared_ptr<ClusterState> shared_state;
void BM_TwoWorkersSharedCluster(benchmark::State& state) {
  if (state.thread_index() == 0) {
    shared_state = ClusterState::Create(Cluster(8, config::LbPolicy::kRoundRobin, false), 2);
  }
  // The benchmark library starts the timed loop of all threads together, after thread 0's setup.
  EndpointPicker picker(static_cast<uint32_t>(state.thread_index()), 1);
  for (auto _ : state) {
    PickResult p = picker.Pick(*shared_state, kNow);
    benchmark::DoNotOptimize(p);
    shared_state->OnConnectionClosed(p.endpoint);
  }
}
BENCHMARK(BM_TwoWorkersSharedCluster)->Threads(2);

// ClusterStateRegistry::Update over range(0) clusters of 3 endpoints: every cluster a new config
// object (range(1) == 1), or only one of them (range(1) == 0, the others are reused as they are).
void BM_RegistryUpdate(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const bool all_changed = state.range(1) == 1;
  config::Snapshot snap;
  for (int i = 0; i < n; ++i) {
    auto c = Cluster(3, config::LbPolicy::kRoundRobin, false);
    c->name = "cluster-" + std::to_string(i);
    snap.clusters[c->name] = c;
  }
  ClusterStateRegistry registry(2);
  registry.Update(snap);
  std::vector<config::Snapshot> next(2, snap);
  for (config::Snapshot& s : next) {
    for (int i = 0; i < n; ++i) {
      const std::string name = "cluster-" + std::to_string(i);
      if (all_changed || i == 0) {
        s.clusters.insert_or_assign(name, std::make_shared<config::Cluster>(*s.clusters.at(name)));
      }
    }
  }
  size_t k = 0;
  for (auto _ : state) {
    // Alternate between two snapshots so that every Update sees changed objects.
    benchmark::DoNotOptimize(registry.Update(next[k++ % 2]));
  }
}
BENCHMARK(BM_RegistryUpdate)->Args({2000, 1})->Args({2000, 0})->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meshgw::gateway::upstream

BENCHMARK_MAIN();
