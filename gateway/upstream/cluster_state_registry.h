// ClusterStateRegistry: builds the ClusterState of every cluster of each new snapshot, carrying
// endpoint state (ejections, active connections, totals) over from the previous snapshot, and
// publishes the result for the workers.
//
//   ClusterStateRegistry registry(/*workers=*/4);
//   // config thread, after installing `snap`:
//   std::shared_ptr<const ClusterStateSet> states = registry.Update(*snap);
//   // worker: one view per worker; for a new connection (keep the set as long as the
//   // connection, like the snapshot):
//   ClusterStateView view(registry);
//   std::shared_ptr<const ClusterStateSet> states = view.Get();
//   ClusterState* cluster = states->Find("public-api");  // nullptr: unknown cluster
//
// A cluster whose config object is the same (`shared_ptr` equality) as in the previous snapshot
// keeps its ClusterState as is; a changed cluster gets a new ClusterState built with the previous
// one as `previous` (see cluster_state.h). An update costs only what changed: the set starts as
// a copy of the previous one (SharedMap: shard pointers), and the clusters that changed are found
// by comparing the snapshot's cluster map with the previous one's, shard by shard. Carry-over is
// from the immediately previous snapshot: an endpoint (or cluster) that leaves and comes back
// later starts from fresh counters, while connections still open on the old state release into
// the old counters (they are never corrupted, only no longer shown).
//
// Thread-safety: Update must be called by one thread at a time (the config thread). Current is
// safe from any thread (it takes a mutex: for the admin page and tests); a ClusterStateView
// belongs to one thread, and its Get costs one atomic load unless a new set was published (then
// it takes the mutex once). Everything reachable from a ClusterStateSet is safe from any thread.
#ifndef MESHGW_GATEWAY_UPSTREAM_CLUSTER_STATE_REGISTRY_H_
#define MESHGW_GATEWAY_UPSTREAM_CLUSTER_STATE_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/shared_map.h"
#include "gateway/config/snapshot.h"
#include "gateway/upstream/cluster_state.h"

namespace meshgw::gateway::upstream {

// The ClusterStates of one snapshot, by cluster name. Immutable once published.
struct ClusterStateSet {
  uint64_t snapshot_version = 0;
  SharedMap<std::shared_ptr<ClusterState>> clusters;

  // Find returns the named cluster's state, or nullptr.
  ClusterState* Find(std::string_view name) const;
  // Status returns every cluster's status, sorted by name (for /clusters).
  std::vector<ClusterStatus> Status(absl::Time now) const;
};

class ClusterStateRegistry {
 public:
  // `workers`: the number of EndpointPickers (worker indexes 0..workers-1).
  explicit ClusterStateRegistry(uint32_t workers);

  // Update builds and publishes the states of `snapshot`'s clusters, and returns them.
  std::shared_ptr<const ClusterStateSet> Update(const config::Snapshot& snapshot);
  // Current returns the last published set (an empty one before the first Update).
  std::shared_ptr<const ClusterStateSet> Current() const;

 private:
  friend class ClusterStateView;

  uint32_t workers_;
  // The cluster map of the snapshot last given to Update (config thread only).
  SharedMap<std::shared_ptr<const config::Cluster>> configs_;
  // Bumped after each publication, so that views notice a new set without the mutex.
  std::atomic<uint64_t> generation_{0};
  mutable std::mutex mu_;
  std::shared_ptr<const ClusterStateSet> current_;  // guarded by mu_
};

// A worker's cached view of the registry's current set.
class ClusterStateView {
 public:
  explicit ClusterStateView(const ClusterStateRegistry& registry) : registry_(registry) {}

  // Get returns the registry's current set, refreshed if a newer one was published.
  const std::shared_ptr<const ClusterStateSet>& Get();

 private:
  const ClusterStateRegistry& registry_;
  uint64_t generation_ = UINT64_MAX;  // never a real generation: the first Get refreshes
  std::shared_ptr<const ClusterStateSet> set_;
};

}  // namespace meshgw::gateway::upstream

#endif  // MESHGW_GATEWAY_UPSTREAM_CLUSTER_STATE_REGISTRY_H_
