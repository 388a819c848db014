#include "control/model/model.h"

#include <set>
#include <utility>

#include "control/model/internal/cat.h"

namespace meshgw::control {

struct Model::State {
  LocalSettings local;
  std::array<EntryMap, kNumConfigEntryKinds> entries;
  ServiceMap services;
  // The model this one was built from and the keys its Builder touched: DiffModels(parent, this)
  // looks at those keys only. Weak, so that a model does not keep its ancestors alive.
  std::weak_ptr<const State> parent;
  std::set<EntryKey> touched_entries;
  std::set<std::string, std::less<>> touched_services;
};

std::string EntryKey::ToString() const {
  return internal::Cat(ConfigEntryKindName(kind), "/", name);
}

Model::Model() : Model(LocalSettings{}) {}

Model::Model(LocalSettings local) {
  auto state = std::make_shared<State>();
  state->local = std::move(local);
  state_ = std::move(state);
}

Model::Model(std::shared_ptr<const State> state) : state_(std::move(state)) {}

const LocalSettings& Model::local() const { return state_->local; }

std::shared_ptr<const ConfigEntry> Model::Find(ConfigEntryKind kind, std::string_view name) const {
  const EntryMap& m = Entries(kind);
  auto it = m.find(name);
  return it == m.end() ? nullptr : it->second;
}

const Model::EntryMap& Model::Entries(ConfigEntryKind kind) const {
  return state_->entries[static_cast<size_t>(kind)];
}

size_t Model::EntryCount() const {
  size_t n = 0;
  for (const EntryMap& m : state_->entries) n += m.size();
  return n;
}

const Model::ServiceMap& Model::Services() const { return state_->services; }

std::shared_ptr<const ServiceDefinition> Model::FindService(std::string_view id) const {
  auto it = state_->services.find(id);
  return it == state_->services.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const ServiceDefinition>> Model::ServicesNamed(
    std::string_view name) const {
  std::vector<std::shared_ptr<const ServiceDefinition>> out;
  for (const auto& [id, s] : state_->services) {
    if (s->name == name) out.push_back(s);
  }
  return out;
}

std::vector<std::shared_ptr<const ServiceDefinition>> Model::MeshGateways() const {
  std::vector<std::shared_ptr<const ServiceDefinition>> out;
  for (const auto& [id, s] : state_->services) {
    if (s->kind == "mesh-gateway") out.push_back(s);
  }
  return out;
}

std::string Model::ServiceProtocol(std::string_view service) const {
  if (auto sd = Get<ServiceDefaults>(service); sd != nullptr && !sd->protocol.empty()) {
    return sd->protocol;
  }
  if (auto pd = Get<ProxyDefaults>("global"); pd != nullptr) {
    std::string p = pd->Protocol();
    if (!p.empty()) return p;
  }
  return "tcp";
}

std::set<std::string> Model::ConsumerPeers(const ExportedService& item) const {
  std::set<std::string> peers;
  for (const ExportedConsumer& c : item.consumers) {
    if (!c.peer.empty()) peers.insert(c.peer);
    if (c.sameness_group.empty()) continue;
    if (auto group = Get<SamenessGroup>(c.sameness_group)) {
      for (const SamenessMember& m : group->members) {
        if (!m.peer.empty()) peers.insert(m.peer);
      }
    }
  }
  return peers;
}

Model::ExportIndex Model::ExportedPeersIndex() const {
  ExportIndex index;
  const std::string& partition = local().partition.empty() ? "default" : local().partition;
  auto exported = Get<ExportedServices>(partition);
  if (exported == nullptr) return index;
  for (const ExportedService& s : exported->services) {
    std::set<std::string> peers = ConsumerPeers(s);
    std::set<std::string>& into = s.name == "*" ? index.star : index.by_name[s.name];
    into.insert(peers.begin(), peers.end());
  }
  return index;
}

std::vector<std::string> Model::ExportIndex::PeersOf(std::string_view service) const {
  std::set<std::string> peers = star;
  if (auto it = by_name.find(service); it != by_name.end()) {
    peers.insert(it->second.begin(), it->second.end());
  }
  return std::vector<std::string>(peers.begin(), peers.end());
}

std::vector<std::string> Model::PeersExportedTo(std::string_view service) const {
  return ExportedPeersIndex().PeersOf(service);
}

bool Model::PeerThroughMeshGateways() const {
  auto mesh = Get<Mesh>("mesh");
  return mesh != nullptr && mesh->peering.peer_through_mesh_gateways;
}

// ---- Builder -------------------------------------------------------------------------------

Model::Builder::Builder(const Model& base) : state_(std::make_shared<State>(*base.state_)) {
  state_->parent = base.state_;
  state_->touched_entries.clear();
  state_->touched_services.clear();
}

Model::Builder& Model::Builder::ReuseUnchangedFrom(const Model& previous) {
  reuse_ = previous.state_;
  return *this;
}

Model::Builder& Model::Builder::SetLocal(LocalSettings local) {
  state_->local = std::move(local);
  return *this;
}

Model::Builder& Model::Builder::Put(ConfigEntry entry) {
  size_t k = entry.index();
  std::string name = EntryName(entry);
  state_->touched_entries.insert(EntryKey{static_cast<ConfigEntryKind>(k), name});
  if (reuse_ != nullptr) {
    auto it = reuse_->entries[k].find(name);
    if (it != reuse_->entries[k].end() && *it->second == entry) {
      state_->entries[k][name] = it->second;
      return *this;
    }
  }
  state_->entries[k][name] = std::make_shared<const ConfigEntry>(std::move(entry));
  return *this;
}

bool Model::Builder::Remove(ConfigEntryKind kind, std::string_view name) {
  EntryMap& m = state_->entries[static_cast<size_t>(kind)];
  auto it = m.find(name);
  if (it == m.end()) return false;
  state_->touched_entries.insert(EntryKey{kind, it->first});
  m.erase(it);
  return true;
}

Model::Builder& Model::Builder::PutService(ServiceDefinition service) {
  std::string id = service.EffectiveId();
  state_->touched_services.insert(id);
  if (reuse_ != nullptr) {
    auto it = reuse_->services.find(id);
    if (it != reuse_->services.end() && *it->second == service) {
      state_->services[id] = it->second;
      return *this;
    }
  }
  state_->services[id] = std::make_shared<const ServiceDefinition>(std::move(service));
  return *this;
}

bool Model::Builder::RemoveService(std::string_view id) {
  auto it = state_->services.find(id);
  if (it == state_->services.end()) return false;
  state_->touched_services.insert(it->first);
  state_->services.erase(it);
  return true;
}

Model Model::Builder::Build() && { return Model(std::shared_ptr<const State>(std::move(state_))); }

// ---- Diff ----------------------------------------------------------------------------------

namespace {

// Walks two sorted maps side by side.
template <typename Map, typename OnAdded, typename OnChanged, typename OnRemoved>
void DiffMaps(const Map& a, const Map& b, OnAdded added, OnChanged changed, OnRemoved removed) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() || j != b.end()) {
    if (j == b.end() || (i != a.end() && i->first < j->first)) {
      removed(i->first);
      ++i;
    } else if (i == a.end() || j->first < i->first) {
      added(j->first);
      ++j;
    } else {
      if (i->second != j->second && !(*i->second == *j->second)) changed(i->first);
      ++i;
      ++j;
    }
  }
}

// One key present in `a` (or not, null) and in `b`: added, changed, removed or neither.
template <typename Ptr, typename OnAdded, typename OnChanged, typename OnRemoved>
void DiffOne(const Ptr* a, const Ptr* b, OnAdded added, OnChanged changed, OnRemoved removed) {
  if (a == nullptr && b == nullptr) return;
  if (a == nullptr) {
    added();
  } else if (b == nullptr) {
    removed();
  } else if (*a != *b && !(**a == **b)) {
    changed();
  }
}

template <typename Map>
const typename Map::mapped_type* FindIn(const Map& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

}  // namespace

ModelDiff DiffModels(const Model& before, const Model& after) {
  ModelDiff d;
  d.local_changed = !(before.local() == after.local());
  // `after` was built from `before`: only the keys its Builder touched can differ (the sets are
  // sorted as the walk below would find them).
  if (after.state_->parent.lock() == before.state_) {
    for (const EntryKey& key : after.state_->touched_entries) {
      DiffOne(
          FindIn(before.Entries(key.kind), key.name), FindIn(after.Entries(key.kind), key.name),
          [&] { d.added.push_back(key); }, [&] { d.changed.push_back(key); },
          [&] { d.removed.push_back(key); });
    }
    for (const std::string& id : after.state_->touched_services) {
      DiffOne(
          FindIn(before.Services(), id), FindIn(after.Services(), id),
          [&] { d.services_added.push_back(id); }, [&] { d.services_changed.push_back(id); },
          [&] { d.services_removed.push_back(id); });
    }
    return d;
  }
  for (int k = 0; k < kNumConfigEntryKinds; ++k) {
    auto kind = static_cast<ConfigEntryKind>(k);
    DiffMaps(
        before.Entries(kind), after.Entries(kind),
        [&](const std::string& n) {
          d.added.push_back({kind, n});
        },
        [&](const std::string& n) {
          d.changed.push_back({kind, n});
        },
        [&](const std::string& n) {
          d.removed.push_back({kind, n});
        });
  }
  DiffMaps(
      before.Services(), after.Services(),
      [&](const std::string& id) { d.services_added.push_back(id); },
      [&](const std::string& id) { d.services_changed.push_back(id); },
      [&](const std::string& id) { d.services_removed.push_back(id); });
  return d;
}

}  // namespace meshgw::control
