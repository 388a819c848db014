#include "xds/snapshot_cache.h"

#include <algorithm>
#include <utility>

namespace meshgw::xds {
namespace {

// Appends to `names` every name whose entry differs between two maps (new, gone, or another
// resource of another version).
void DiffMaps(const ResourceMap& from, const ResourceMap& to, std::vector<std::string>* names) {
  if (&from == &to) return;  // one map shared by both snapshots: nothing changed
  // Both maps are sorted by name: walk them side by side.
  auto a = from.begin();
  auto b = to.begin();
  while (a != from.end() || b != to.end()) {
    if (a != from.end() && b != to.end() && a->second == b->second) {
      // The same resource object (snapshots built from one another share them): same name.
      ++a;
      ++b;
    } else if (b == to.end() || (a != from.end() && a->first < b->first)) {
      names->push_back(a->first);
      ++a;
    } else if (a == from.end() || b->first < a->first) {
      names->push_back(b->first);
      ++b;
    } else {
      if (a->second->version != b->second->version) names->push_back(a->first);
      ++a;
      ++b;
    }
  }
}

// A name whose resource changed changed in at least one layer: the layers are diffed apart (a
// shared layer both snapshots hold costs nothing) and each candidate is checked in the merged
// views (an own entry may hide a shared one).
// `shared_names`, when set, is the diff of the two shared layers, already known.
void DiffType(const std::string& type, const ResourceView& from, const ResourceView& to,
              const std::vector<std::string>* shared_names, SnapshotDelta* delta) {
  std::vector<std::string> candidates;
  if (shared_names != nullptr) {
    candidates = *shared_names;
  } else {
    DiffMaps(from.shared_layer(), to.shared_layer(), &candidates);
  }
  const size_t from_shared = candidates.size();
  DiffMaps(from.own_layer(), to.own_layer(), &candidates);
  if (candidates.empty()) return;
  if (from_shared != 0 && from_shared != candidates.size()) {
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  }
  std::vector<std::string>* names = nullptr;
  for (std::string& name : candidates) {
    auto a = from.find(name);
    auto b = to.find(name);
    const bool had = a != from.end();
    const bool has = b != to.end();
    if (had == has &&
        (!had || a->second == b->second || a->second->version == b->second->version)) {
      continue;
    }
    if (names == nullptr) names = &delta->changed[type];
    names->push_back(std::move(name));
  }
}

}  // namespace

SnapshotDelta DiffSnapshots(const ResourceSnapshot& from, const ResourceSnapshot& to) {
  SnapshotDelta delta;
  std::vector<std::string> types;
  for (absl::string_view type : kResourceTypes) types.emplace_back(type);
  for (const std::string& type : types) {
    DiffType(type, from.Resources(type), to.Resources(type), nullptr, &delta);
  }
  return delta;
}

std::shared_ptr<const SnapshotDelta> SnapshotCache::DeltaLocked(
    const std::shared_ptr<const ResourceSnapshot>& from,
    const std::shared_ptr<const ResourceSnapshot>& to) {
  if (from == memo_from_ && to == memo_to_ && memo_delta_ != nullptr) return memo_delta_;
  memo_from_ = from;
  memo_to_ = to;
  auto delta = std::make_shared<SnapshotDelta>();
  bool same_layers = layer_memo_.from != nullptr;
  for (absl::string_view type : kResourceTypes) {
    if (!same_layers) break;
    same_layers =
        &layer_memo_.from->Resources(type).shared_layer() ==
            &from->Resources(type).shared_layer() &&
        &layer_memo_.to->Resources(type).shared_layer() == &to->Resources(type).shared_layer();
  }
  if (!same_layers) {
    layer_memo_ = SharedLayerDiffs{from, to, {}};
    for (absl::string_view type : kResourceTypes) {
      std::vector<std::string>& names = layer_memo_.names[type];
      DiffMaps(from->Resources(type).shared_layer(), to->Resources(type).shared_layer(), &names);
    }
  }
  for (absl::string_view type : kResourceTypes) {
    DiffType(std::string(type), from->Resources(type), to->Resources(type),
             &layer_memo_.names.find(type)->second, delta.get());
  }
  memo_delta_ = std::move(delta);
  return memo_delta_;
}

void SnapshotCache::SetSnapshot(absl::string_view node_id,
                                std::shared_ptr<const ResourceSnapshot> snapshot) {
  if (snapshot == nullptr) {
    ClearSnapshot(node_id);
    return;
  }
  absl::MutexLock lock(&mu_);
  Entry& entry = entries_[node_id];
  if (entry.snapshot == snapshot) return;
  SnapshotUpdate update;
  update.previous = std::move(entry.snapshot);
  update.snapshot = snapshot;
  update.version = snapshot->Version();
  entry.snapshot = snapshot;
  entry.version = update.version;
  auto watchers = watches_by_node_.find(node_id);
  if (watchers == watches_by_node_.end() || watchers->second.empty()) return;
  if (update.previous != nullptr) update.delta = DeltaLocked(update.previous, update.snapshot);
  for (WatchId id : watchers->second) watches_[id].watcher(update);
}

void SnapshotCache::ClearSnapshot(absl::string_view node_id) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(node_id);
  if (it == entries_.end()) return;
  SnapshotUpdate update;
  update.previous = std::move(it->second.snapshot);
  entries_.erase(it);
  auto watchers = watches_by_node_.find(node_id);
  if (watchers == watches_by_node_.end()) return;
  for (WatchId id : watchers->second) watches_[id].watcher(update);
}

std::shared_ptr<const ResourceSnapshot> SnapshotCache::GetSnapshot(
    absl::string_view node_id) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(node_id);
  return it == entries_.end() ? nullptr : it->second.snapshot;
}

SnapshotCache::WatchId SnapshotCache::Watch(absl::string_view node_id, Watcher watcher) {
  absl::MutexLock lock(&mu_);
  WatchId id = next_watch_id_++;
  WatchEntry& entry = watches_[id];
  entry.node_id = std::string(node_id);
  entry.watcher = std::move(watcher);
  watches_by_node_[node_id].push_back(id);
  auto it = entries_.find(node_id);
  if (it != entries_.end()) {
    SnapshotUpdate update;
    update.snapshot = it->second.snapshot;
    update.version = it->second.version;
    entry.watcher(update);
  }
  return id;
}

void SnapshotCache::CancelWatch(WatchId id) {
  absl::MutexLock lock(&mu_);
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  auto node = watches_by_node_.find(it->second.node_id);
  if (node != watches_by_node_.end()) {
    std::vector<WatchId>& ids = node->second;
    ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
    if (ids.empty()) watches_by_node_.erase(node);
  }
  watches_.erase(it);
}

std::vector<std::string> SnapshotCache::NodeIds() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [id, entry] : entries_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace meshgw::xds
