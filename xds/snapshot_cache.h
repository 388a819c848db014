// SnapshotCache: the configuration the xDS server serves, one ResourceSnapshot per node id.
//
// The control component fills it; the server's streams watch it. Setting a snapshot computes what
// changed since the node's previous one (once, shared by every stream of the node, and reused when
// many nodes move between the same two snapshots), so a one-resource change costs each stream
// O(changed resources), not O(all resources).
//
//   SnapshotCache cache;
//   cache.SetSnapshot("mesh-gateway-dc1", std::make_shared<const ResourceSnapshot>(snapshot));
//   xds::Server::Start(&cache, options);
//
// Thread safety: every method is safe to call from any thread. Watchers are called with the cache's
// lock held (so that after CancelWatch returns, the watcher is never called again): a watcher must
// not call back into the cache.
#ifndef MESHGW_XDS_SNAPSHOT_CACHE_H_
#define MESHGW_XDS_SNAPSHOT_CACHE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "xds/resource.h"

namespace meshgw::xds {

// What differs between two snapshots: per type URL, the names added, changed or removed.
struct SnapshotDelta {
  absl::btree_map<std::string, std::vector<std::string>, std::less<>> changed;
};

// DiffSnapshots(from, to) lists every (type, name) whose resource is new, gone or of another
// version in `to`.
SnapshotDelta DiffSnapshots(const ResourceSnapshot& from, const ResourceSnapshot& to);

// What a watcher is told. `snapshot` is null when the node's snapshot was cleared. `delta` is set
// when `previous` is the snapshot the watcher was told about last time and lists what changed.
struct SnapshotUpdate {
  std::shared_ptr<const ResourceSnapshot> snapshot;
  std::string version;
  std::shared_ptr<const ResourceSnapshot> previous;
  std::shared_ptr<const SnapshotDelta> delta;
};

class SnapshotCache {
 public:
  using WatchId = uint64_t;
  using Watcher = std::function<void(const SnapshotUpdate& update)>;

  SnapshotCache() = default;
  SnapshotCache(const SnapshotCache&) = delete;
  SnapshotCache& operator=(const SnapshotCache&) = delete;

  // SetSnapshot(node_id, snapshot) replaces the node's configuration and tells its watchers.
  // Setting the same snapshot again is a no-op.
  void SetSnapshot(absl::string_view node_id, std::shared_ptr<const ResourceSnapshot> snapshot);

  // ClearSnapshot(node_id) forgets the node's configuration. Connected gateways keep what they
  // have (nothing is removed from them); new streams of the node get nothing until the next
  // SetSnapshot.
  void ClearSnapshot(absl::string_view node_id);

  // GetSnapshot(node_id) is the node's snapshot, or null.
  std::shared_ptr<const ResourceSnapshot> GetSnapshot(absl::string_view node_id) const;

  // Watch(node_id, watcher) calls `watcher` on every change of the node's snapshot, and once now
  // (with a null `previous`) if the node has one.
  WatchId Watch(absl::string_view node_id, Watcher watcher);

  // CancelWatch(id) stops the watcher; it is not called again once this returns.
  void CancelWatch(WatchId id);

  // NodeIds() lists the nodes with a snapshot, sorted.
  std::vector<std::string> NodeIds() const;

 private:
  struct Entry {
    std::shared_ptr<const ResourceSnapshot> snapshot;
    std::string version;
  };
  struct WatchEntry {
    std::string node_id;
    Watcher watcher;
  };

  std::shared_ptr<const SnapshotDelta> DeltaLocked(
      const std::shared_ptr<const ResourceSnapshot>& from,
      const std::shared_ptr<const ResourceSnapshot>& to) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The diffs of the shared layers (ResourceSnapshot::Over) of the last two snapshots diffed:
  // gateways layered over the same bases move between the same two shared maps.
  struct SharedLayerDiffs {
    std::shared_ptr<const ResourceSnapshot> from, to;  // hold the diffed maps alive
    absl::btree_map<std::string, std::vector<std::string>, std::less<>> names;  // by type URL
  };

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<WatchId, WatchEntry> watches_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::vector<WatchId>> watches_by_node_ ABSL_GUARDED_BY(mu_);
  WatchId next_watch_id_ ABSL_GUARDED_BY(mu_) = 1;
  // The last delta computed: many nodes usually move between the same two snapshots.
  std::shared_ptr<const ResourceSnapshot> memo_from_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const ResourceSnapshot> memo_to_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const SnapshotDelta> memo_delta_ ABSL_GUARDED_BY(mu_);
  SharedLayerDiffs layer_memo_ ABSL_GUARDED_BY(mu_);
};

}  // namespace meshgw::xds

#endif  // MESHGW_XDS_SNAPSHOT_CACHE_H_
