// xDS server push costs (issue 3): encode and push 10,000 clusters with their endpoints to one
// client and to 100 clients; deliver one changed endpoint set to 100 clients; server memory per
// resource per client. Envoy is reported to stall for seconds at 4,000 clusters
// (reference/xds.md §2.4); these numbers are the other side of that stream.
//
//   build/release/bench/micro/xds_push_bench --benchmark_min_time=0.2
//
// The in-process benchmarks run the server's per-stream state machine (what each gRPC stream
// runs) and encode every response to its wire bytes, as the gRPC transport does; BM_GrpcFullPush10k
// goes through real gRPC on 127.0.0.1 to a real Client, until the client has applied (and ACKed)
// everything.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "xds/client.h"
#include "xds/internal/delta_server_stream.h"
#include "xds/server.h"
#include "xds/snapshot_cache.h"

// ---- allocation accounting (for memory per resource per client) ---------------------------------
namespace {
std::atomic<bool> g_counting{false};
std::atomic<int64_t> g_live_bytes{0};
}  // namespace

void* operator new(size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  if (g_counting.load(std::memory_order_relaxed)) {
    g_live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
  return p;
}
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  if (g_counting.load(std::memory_order_relaxed)) {
    g_live_bytes.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
  std::free(p);
}
void operator delete(void* p, size_t) noexcept { operator delete(p); }

namespace meshgw::xds {
namespace {

using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using internal::DeltaServerStream;

constexpr int kClusters = 10000;

std::string ClusterName(int i) {
  return "svc-" + std::to_string(i) + ".default.dc1.internal.11111111-2222-3333.consul";
}

envoy::config::cluster::v3::Cluster MakeCluster(int i) {
  envoy::config::cluster::v3::Cluster cluster;
  cluster.set_name(ClusterName(i));
  cluster.set_type(envoy::config::cluster::v3::Cluster::EDS);
  cluster.mutable_eds_cluster_config()->mutable_eds_config()->mutable_ads();
  cluster.mutable_eds_cluster_config()->mutable_eds_config()->set_resource_api_version(
      envoy::config::core::v3::V3);
  cluster.mutable_connect_timeout()->set_seconds(5);
  cluster.mutable_outlier_detection();
  return cluster;
}

envoy::config::endpoint::v3::ClusterLoadAssignment MakeEndpoints(int i, int port) {
  envoy::config::endpoint::v3::ClusterLoadAssignment cla;
  cla.set_cluster_name(ClusterName(i));
  auto* locality = cla.add_endpoints();
  for (int e = 0; e < 3; ++e) {
    auto* lb = locality->add_lb_endpoints();
    auto* socket = lb->mutable_endpoint()->mutable_address()->mutable_socket_address();
    socket->set_address("10." + std::to_string(i / 65536 % 256) + "." +
                        std::to_string(i / 256 % 256) + "." + std::to_string(e + 1));
    socket->set_port_value(port);
    lb->set_health_status(envoy::config::core::v3::HEALTHY);
  }
  return cla;
}

// Encodes 10k clusters and their endpoints (3 each) into a snapshot.
std::shared_ptr<ResourceSnapshot> EncodeSnapshot(int port = 21000) {
  auto snapshot = std::make_shared<ResourceSnapshot>();
  for (int i = 0; i < kClusters; ++i) {
    (void)snapshot->Add(MakeCluster(i));
    (void)snapshot->Add(MakeEndpoints(i, port));
  }
  return snapshot;
}

const std::shared_ptr<ResourceSnapshot>& SharedSnapshot() {
  static auto* snapshot = new std::shared_ptr<ResourceSnapshot>(EncodeSnapshot());
  return *snapshot;
}

struct Stream {
  explicit Stream(int id) : state(internal::DeltaServerStreamOptions{}) {
    node = "gw-" + std::to_string(id);
  }
  std::string node;
  DeltaServerStream state;
};

// Subscribes a stream to clusters and endpoints; returns the bytes written.
size_t Subscribe(Stream& stream, DeltaServerStream::Responses* out) {
  for (absl::string_view type : {kClusterType, kEndpointType}) {
    DeltaDiscoveryRequest request;
    request.mutable_node()->set_id(stream.node);
    request.set_type_url(std::string(type));
    (void)stream.state.OnRequest(request, out);
  }
  size_t bytes = 0;
  for (const internal::OutgoingResponse& response : *out) bytes += response.Encode().size();
  return bytes;
}

void AckAll(Stream& stream, const DeltaServerStream::Responses& responses) {
  for (const internal::OutgoingResponse& response : responses) {
    DeltaDiscoveryRequest ack;
    ack.set_type_url(response.type_url);
    ack.set_response_nonce(response.nonce);
    DeltaServerStream::Responses more;
    (void)stream.state.OnRequest(ack, &more);
  }
}

// Encode 10k clusters + 10k endpoint sets, and push them all to one new stream (serialized).
void BM_EncodeAndPush10k_OneClient(benchmark::State& state) {
  size_t bytes = 0;
  for (auto _ : state) {
    auto snapshot = EncodeSnapshot();
    Stream stream(0);
    SnapshotUpdate update;
    update.snapshot = snapshot;
    DeltaServerStream::Responses out;
    stream.state.OnSnapshot(update, &out);
    bytes = Subscribe(stream, &out);
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["resources"] = 2 * kClusters;
  state.counters["wire_MiB"] = static_cast<double>(bytes) / (1 << 20);
}
BENCHMARK(BM_EncodeAndPush10k_OneClient)->Unit(benchmark::kMillisecond)->UseRealTime();

// Push an already encoded 10k snapshot to `clients` new streams (each response serialized).
void BM_Push10k(benchmark::State& state) {
  const int clients = static_cast<int>(state.range(0));
  const auto& snapshot = SharedSnapshot();
  for (auto _ : state) {
    std::vector<std::unique_ptr<Stream>> streams;
    for (int c = 0; c < clients; ++c) {
      auto stream = std::make_unique<Stream>(c);
      SnapshotUpdate update;
      update.snapshot = snapshot;
      DeltaServerStream::Responses out;
      stream->state.OnSnapshot(update, &out);
      benchmark::DoNotOptimize(Subscribe(*stream, &out));
      streams.push_back(std::move(stream));
    }
    state.PauseTiming();
    streams.clear();
    state.ResumeTiming();
  }
  state.counters["clients"] = clients;
  state.counters["resources_per_client"] = 2 * kClusters;
}
BENCHMARK(BM_Push10k)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

// 100 streams in steady state; one endpoint set changes; the change reaches every stream through
// the SnapshotCache (one diff, shared), each stream builds and serializes its one-resource
// response. Alternates between two snapshots that differ in one ClusterLoadAssignment.
void BM_DeltaOneEndpoint_100Clients(benchmark::State& state) {
  constexpr int kClients = 100;
  SnapshotCache cache;
  auto a = SharedSnapshot();
  auto b = std::make_shared<ResourceSnapshot>(*a);
  b->Add(*MakeResource(MakeEndpoints(4242, 21001)));
  std::vector<std::unique_ptr<Stream>> streams;
  std::vector<DeltaServerStream::Responses> pending(kClients);
  size_t delivered = 0;
  std::string wire;
  for (int c = 0; c < kClients; ++c) streams.push_back(std::make_unique<Stream>(c));
  for (int c = 0; c < kClients; ++c) {
    cache.SetSnapshot(streams[c]->node, a);
    Stream* stream = streams[c].get();
    DeltaServerStream::Responses* out = &pending[c];
    cache.Watch(stream->node, [stream, out, &delivered, &wire](const SnapshotUpdate& update) {
      size_t before = out->size();
      stream->state.OnSnapshot(update, out);
      for (size_t i = before; i < out->size(); ++i) {
        wire = (*out)[i].Encode();
        delivered += (*out)[i].resources.size();
      }
    });
    DeltaServerStream::Responses first;
    Subscribe(*stream, &first);
    first.insert(first.end(), pending[c].begin(), pending[c].end());
    pending[c].clear();
    AckAll(*stream, first);
  }
  bool flip = false;
  delivered = 0;
  for (auto _ : state) {
    flip = !flip;
    const auto& next = flip ? b : a;
    for (int c = 0; c < kClients; ++c) cache.SetSnapshot(streams[c]->node, next);
    state.PauseTiming();
    for (int c = 0; c < kClients; ++c) {
      AckAll(*streams[c], pending[c]);
      pending[c].clear();
    }
    state.ResumeTiming();
  }
  state.counters["clients"] = kClients;
  state.counters["resources_per_change"] =
      static_cast<double>(delivered) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_DeltaOneEndpoint_100Clients)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Server memory per resource per client: what 100 streams hold after a full push is ACKed (the
// snapshot itself is shared by all streams and not counted).
void BM_ServerMemoryPerResourcePerClient(benchmark::State& state) {
  constexpr int kClients = 100;
  const auto& snapshot = SharedSnapshot();
  double per = 0;
  for (auto _ : state) {
    g_live_bytes = 0;
    g_counting = true;
    std::vector<std::unique_ptr<Stream>> streams;
    for (int c = 0; c < kClients; ++c) {
      auto stream = std::make_unique<Stream>(c);
      SnapshotUpdate update;
      update.snapshot = snapshot;
      DeltaServerStream::Responses out;
      stream->state.OnSnapshot(update, &out);
      Subscribe(*stream, &out);
      AckAll(*stream, out);
      out.clear();
      streams.push_back(std::move(stream));
    }
    g_counting = false;
    per = static_cast<double>(g_live_bytes.load()) / (kClients * 2.0 * kClusters);
    g_counting = true;
    streams.clear();
    g_counting = false;
  }
  state.counters["bytes_per_resource_per_client"] = per;
}
BENCHMARK(BM_ServerMemoryPerResourcePerClient)->Unit(benchmark::kMillisecond)->Iterations(1);

// Real gRPC on 127.0.0.1: a new Client receives and ACKs 10k clusters and 10k endpoint sets.
void BM_GrpcFullPush10k_OneClient(benchmark::State& state) {
  SnapshotCache cache;
  cache.SetSnapshot("gw-bench", SharedSnapshot());
  ServerOptions options;
  options.log = [](LogLevel, absl::string_view) {};
  auto server = Server::Start(&cache, options);
  if (!server.ok()) {
    state.SkipWithError("cannot start the server");
    return;
  }
  for (auto _ : state) {
    ClientOptions client_options;
    client_options.target = "127.0.0.1:" + std::to_string((*server)->port());
    client_options.node.set_id("gw-bench");
    client_options.subscriptions = {{std::string(kClusterType), {}},
                                    {std::string(kEndpointType), {}}};
    client_options.log = options.log;
    Client client(std::move(client_options));
    const uint64_t acks_before = (*server)->stats().acks.load();
    client.Start();
    // 20k resources of ~100-250 bytes: split into ~1 MiB responses.
    while (client.ResourceCount(kEndpointType) < kClusters ||
           client.ResourceCount(kClusterType) < kClusters) {
      absl::SleepFor(absl::Microseconds(200));
    }
    benchmark::DoNotOptimize(acks_before);
    client.Stop();
  }
  (*server)->Shutdown(absl::Milliseconds(100));
}
BENCHMARK(BM_GrpcFullPush10k_OneClient)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace meshgw::xds

BENCHMARK_MAIN();
