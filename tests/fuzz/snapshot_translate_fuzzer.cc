// libFuzzer target for the gateway's configuration: the bootstrap file and the xDS → Snapshot
// translation. The first byte picks the form of the rest of the input:
//   even: a bootstrap file (HCL), parsed with no file access; when it is accepted, its static
//         section must translate again to a complete snapshot (everything it names is declared),
//         with the same listeners and clusters;
//   odd:  five length-prefixed serialized resources (Listener, Cluster, ClusterLoadAssignment,
//         Secret, TypedExtensionConfig: a chain's RBAC over ECDS), each validated alone (the xDS
//         client's NACK check) and then translated together; a snapshot that translates has a route
//         table per listener whose indexes match its chains, and every chain ends with a tcp_proxy.
// Under ASan/UBSan nothing may crash, leak or hang. Seeds: tests/fuzz/corpus/snapshot/.
//
// Link: gateway_config (and, for coverage, -fsanitize=fuzzer-no-link on gateway_config,
// gateway_route, hcl_* and xds).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/core/v3/core.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "gateway/config/bootstrap.h"
#include "gateway/config/translate.h"
#include "xds/resource.h"

namespace meshgw::gateway::config {
namespace {

[[noreturn]] void Fail(const char* what, absl::string_view detail = {}) {
  std::fprintf(stderr, "invariant broken: %s %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void CheckSnapshot(const Snapshot& s) {
  for (const auto& [name, listener] : s.listeners) {
    if (listener == nullptr) Fail("null listener", name);
    const Listener& l = *listener;
    if (l.name != name) Fail("listener filed under another name", name);
    if (l.routes == nullptr || l.routes->chains().size() != l.chains.size()) {
      Fail("route table does not match the chains", name);
    }
    for (size_t i = 0; i < l.chains.size(); ++i) {
      const FilterChain& c = l.chains[i];
      if (c.filters.empty() || !std::holds_alternative<TcpProxyFilter>(c.filters.back())) {
        Fail("chain does not end with tcp_proxy", c.name);
      }
      if (l.routes->chains()[i].name != c.match.name) Fail("route index mismatch", c.name);
    }
  }
  for (const auto& [name, c] : s.clusters) {
    if (c == nullptr || c->name != name) Fail("cluster filed under another name", name);
    for (size_t i = 1; i < c->priorities.size(); ++i) {
      if (c->priorities[i - 1].priority >= c->priorities[i].priority) {
        Fail("priorities not sorted", name);
      }
    }
  }
  if (s.complete != s.missing.empty()) Fail("complete disagrees with missing");
}

void FuzzBootstrap(std::string_view text) {
  absl::StatusOr<Bootstrap> b = ParseBootstrap(absl::string_view(text.data(), text.size()),
                                               "fuzz.hcl", BootstrapOptions{.read_files = false});
  if (!b.ok()) {
    if (b.status().message().empty()) Fail("error without a message");
    return;
  }
  absl::StatusOr<SnapshotPtr> snap = Translate(b->static_resources, 1);
  if (!snap.ok()) Fail("accepted static section does not translate", snap.status().message());
  CheckSnapshot(**snap);
  if (!(*snap)->complete) Fail("static snapshot incomplete", (*snap)->missing.front());
  if ((*snap)->listeners.size() != b->static_resources.listeners.size() ||
      (*snap)->clusters.size() != b->static_resources.clusters.size()) {
    Fail("static resources lost in translation");
  }
}

// Takes a 2-byte length-prefixed chunk off the front of `data`.
std::string_view Chunk(std::string_view* data) {
  if (data->size() < 2) {
    std::string_view rest = *data;
    *data = {};
    return rest;
  }
  const size_t n = (static_cast<uint8_t>((*data)[0]) << 8) | static_cast<uint8_t>((*data)[1]);
  data->remove_prefix(2);
  std::string_view out = data->substr(0, n);
  data->remove_prefix(out.size());
  return out;
}

template <typename T>
void AddResource(std::string_view bytes, ResourceInputs* to, absl::string_view type_url,
                 std::string (*name_of)(const T&)) {
  T message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  auto any = std::make_shared<google::protobuf::Any>();
  any->PackFrom(message);
  const std::string name = name_of(message);
  absl::Status valid = ValidateResource(type_url, name, *any);
  if (!valid.ok() && valid.message().empty()) Fail("validation error without a message");
  // Translation must also cope with what validation would have NACKed.
  (*to)[name] = ResourceInput{any, "v1", "xds"};
}

void FuzzResources(std::string_view data) {
  namespace listener_pb = envoy::config::listener::v3;
  namespace cluster_pb = envoy::config::cluster::v3;
  namespace endpoint_pb = envoy::config::endpoint::v3;
  namespace tls_pb = envoy::extensions::transport_sockets::tls::v3;
  TranslateInput in;
  AddResource<listener_pb::Listener>(Chunk(&data), &in.listeners, xds::kListenerType,
                                     [](const listener_pb::Listener& m) { return m.name(); });
  AddResource<cluster_pb::Cluster>(Chunk(&data), &in.clusters, xds::kClusterType,
                                   [](const cluster_pb::Cluster& m) { return m.name(); });
  AddResource<endpoint_pb::ClusterLoadAssignment>(
      Chunk(&data), &in.endpoints, xds::kEndpointType,
      [](const endpoint_pb::ClusterLoadAssignment& m) { return m.cluster_name(); });
  AddResource<tls_pb::Secret>(Chunk(&data), &in.secrets, xds::kSecretType,
                              [](const tls_pb::Secret& m) { return m.name(); });
  AddResource<envoy::config::core::v3::TypedExtensionConfig>(
      Chunk(&data), &in.extension_configs, xds::kExtensionConfigType,
      [](const envoy::config::core::v3::TypedExtensionConfig& m) { return m.name(); });
  Translator translator;
  for (uint64_t version = 1; version <= 2; ++version) {  // the second one from the cache
    absl::StatusOr<SnapshotPtr> snap = translator.Translate(in, version);
    if (!snap.ok()) {
      if (snap.status().message().empty()) Fail("error without a message");
      return;
    }
    CheckSnapshot(**snap);
  }
}

}  // namespace
}  // namespace meshgw::gateway::config

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    meshgw::gateway::config::FuzzBootstrap(rest);
  } else {
    meshgw::gateway::config::FuzzResources(rest);
  }
  return 0;
}
