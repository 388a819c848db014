// The control component's model: every config entry and service definition it knows, and the
// local settings, as one immutable value that sources produce and the translation consumes.
//
// A `Model` is a handle on shared, immutable state: copying one is a pointer copy, and it may be
// read from any number of threads. Changes go through a `Model::Builder`, which copies the
// tables (not the entries: each entry is a `shared_ptr<const>` shared with the base model) and
// yields a new Model; the old one is untouched. Because an unchanged entry keeps its pointer from
// one model to the next, `DiffModels` finds what changed by comparing pointers first, so the
// translation can rebuild only what a change touches.
//
//   Mesh mesh;
//   mesh.peering.peer_through_mesh_gateways = true;
//   Model::Builder b{Model(local_settings)};
//   b.Put(mesh);
//   Model m = std::move(b).Build();
//   m.Get<Mesh>("mesh")->peering.peer_through_mesh_gateways == true
//   m.Find(ConfigEntryKind::kServiceIntentions, "private-api") == nullptr
//
// Entries are keyed by kind and name, as in Consul CE (one partition, one namespace); the
// `Partition`/`Namespace` fields are kept on the entries for Enterprise-shaped inputs.
// Thread-safety: Model is immutable and safe to share; a Builder is not (one owner).
#ifndef MESHGW_CONTROL_MODEL_MODEL_H_
#define MESHGW_CONTROL_MODEL_MODEL_H_

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "control/model/config_entry.h"
#include "control/model/service.h"

namespace meshgw::control {

struct ModelDiff;

struct EntryKey {
  ConfigEntryKind kind;
  std::string name;

  // "service-intentions/private-api"
  std::string ToString() const;
  friend auto operator<=>(const EntryKey&, const EntryKey&) = default;
};

class Model {
 public:
  using EntryMap = std::map<std::string, std::shared_ptr<const ConfigEntry>, std::less<>>;
  using ServiceMap = std::map<std::string, std::shared_ptr<const ServiceDefinition>, std::less<>>;

  Model();  // empty, with default local settings
  explicit Model(LocalSettings local);

  const LocalSettings& local() const;

  // Find returns the entry of that kind and name, or null.
  std::shared_ptr<const ConfigEntry> Find(ConfigEntryKind kind, std::string_view name) const;
  // Get<ServiceIntentions>("web"): the typed entry (sharing ownership with the model), or null.
  template <typename T>
  std::shared_ptr<const T> Get(std::string_view name) const {
    std::shared_ptr<const ConfigEntry> e = Find(T::kKind, name);
    if (e == nullptr) return nullptr;
    return std::shared_ptr<const T>(e, &std::get<T>(*e));
  }
  // Entries of one kind, by name.
  const EntryMap& Entries(ConfigEntryKind kind) const;
  size_t EntryCount() const;

  // Service definitions by their effective ID.
  const ServiceMap& Services() const;
  std::shared_ptr<const ServiceDefinition> FindService(std::string_view id) const;
  // The definitions registered under a service name, in ID order.
  std::vector<std::shared_ptr<const ServiceDefinition>> ServicesNamed(std::string_view name) const;
  // The definitions of kind "mesh-gateway", in ID order.
  std::vector<std::shared_ptr<const ServiceDefinition>> MeshGateways() const;

  // Convenience for translation. ServiceProtocol("web"): the protocol of `web` as Consul
  // resolves it: service-defaults Protocol, else proxy-defaults "global" Config.protocol, else
  // "tcp".
  std::string ServiceProtocol(std::string_view service) const;
  // PeersExportedTo("public-api"): the peers the local partition exports `service` to, sorted
  // and unique, as Consul computes them: the exported-services entry of the local partition,
  // services named `service` or "*", consumers by Peer or by SamenessGroup (expanded to the
  // group's Peer members). Empty without an exported-services entry.
  std::vector<std::string> PeersExportedTo(std::string_view service) const;
  // ConsumerPeers(item): the peers one item of an exported-services entry names, by Peer or
  // through a SamenessGroup's Peer members.
  std::set<std::string> ConsumerPeers(const ExportedService& item) const;
  // PeersExportedTo for every service at once, from one pass over the entry (a translation asks
  // for thousands of services): the peers of the items naming each service, and of "*".
  struct ExportIndex {
    std::map<std::string, std::set<std::string>, std::less<>> by_name;
    std::set<std::string> star;
    // PeersOf(service) == Model::PeersExportedTo(service).
    std::vector<std::string> PeersOf(std::string_view service) const;
  };
  ExportIndex ExportedPeersIndex() const;
  // PeerThroughMeshGateways() is the mesh entry's Peering.PeerThroughMeshGateways (false
  // without a mesh entry).
  bool PeerThroughMeshGateways() const;

  class Builder;

 private:
  friend ModelDiff DiffModels(const Model& before, const Model& after);
  struct State;
  explicit Model(std::shared_ptr<const State> state);
  std::shared_ptr<const State> state_;
};

class Model::Builder {
 public:
  // Starts from `base`: its local settings, entries and services.
  explicit Builder(const Model& base);

  // Entries `Put` later that equal (==) an entry of `previous` with the same key take that
  // entry's pointer, so that a model rebuilt from scratch still diffs cheaply against the last.
  Builder& ReuseUnchangedFrom(const Model& previous);

  Builder& SetLocal(LocalSettings local);
  // Put adds or replaces the entry of the same kind and name. The entry is stored as given: run
  // NormalizeConfigEntry (model/validate.h) first.
  Builder& Put(ConfigEntry entry);
  // Remove returns whether there was such an entry.
  bool Remove(ConfigEntryKind kind, std::string_view name);
  // PutService adds or replaces the definition of the same effective ID.
  Builder& PutService(ServiceDefinition service);
  bool RemoveService(std::string_view id);

  Model Build() &&;

 private:
  std::shared_ptr<State> state_;
  std::shared_ptr<const State> reuse_;
};

// What differs between two models. Keys and IDs are sorted.
struct ModelDiff {
  bool local_changed = false;
  std::vector<EntryKey> added, changed, removed;
  std::vector<std::string> services_added, services_changed, services_removed;

  bool empty() const {
    return !local_changed && added.empty() && changed.empty() && removed.empty() &&
           services_added.empty() && services_changed.empty() && services_removed.empty();
  }
};

// DiffModels(before, after): entries and services added, changed and removed. Shared pointers
// are equal without a look at the values; distinct ones are compared by value. When `after` was
// built by a Builder started from `before`, only the keys that Builder touched are looked at
// (O(changed), not O(model)).
ModelDiff DiffModels(const Model& before, const Model& after);

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_MODEL_MODEL_H_
