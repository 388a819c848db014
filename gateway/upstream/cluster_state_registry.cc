#include "gateway/upstream/cluster_state_registry.h"

#include <algorithm>
#include <utility>

namespace meshgw::gateway::upstream {

ClusterState* ClusterStateSet::Find(std::string_view name) const {
  const std::shared_ptr<ClusterState>* state = clusters.Find(name);
  return state == nullptr ? nullptr : state->get();
}

std::vector<ClusterStatus> ClusterStateSet::Status(absl::Time now) const {
  std::vector<ClusterStatus> out;
  out.reserve(clusters.size());
  for (const auto& [name, state] : clusters) out.push_back(state->Status(now));
  std::sort(out.begin(), out.end(),
            [](const ClusterStatus& a, const ClusterStatus& b) { return a.name < b.name; });
  return out;
}

ClusterStateRegistry::ClusterStateRegistry(uint32_t workers)
    : workers_(std::max<uint32_t>(workers, 1)),
      current_(std::make_shared<const ClusterStateSet>()) {}

std::shared_ptr<const ClusterStateSet> ClusterStateRegistry::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

const std::shared_ptr<const ClusterStateSet>& ClusterStateView::Get() {
  const uint64_t generation = registry_.generation_.load(std::memory_order_acquire);
  if (generation != generation_) {
    // Read the generation before the set: a publication in between only makes the next Get
    // refresh once more.
    set_ = registry_.Current();
    generation_ = generation;
  }
  return set_;
}

std::shared_ptr<const ClusterStateSet> ClusterStateRegistry::Update(
    const config::Snapshot& snapshot) {
  const std::shared_ptr<const ClusterStateSet> previous = Current();
  auto next = std::make_shared<ClusterStateSet>();
  next->snapshot_version = snapshot.version;
  next->clusters = previous->clusters;
  using Configs = SharedMap<std::shared_ptr<const config::Cluster>>;
  Configs::ForEachDifference(
      configs_, snapshot.clusters,
      [&](const std::string& name, const std::shared_ptr<const config::Cluster>*,
          const std::shared_ptr<const config::Cluster>* cluster) {
        if (cluster == nullptr || *cluster == nullptr) {
          next->clusters.erase(name);
          return;
        }
        const std::shared_ptr<ClusterState>* old = previous->clusters.Find(name);
        next->clusters.insert_or_assign(
            name, ClusterState::Create(*cluster, workers_, old == nullptr ? nullptr : old->get()));
      });
  configs_ = snapshot.clusters;
  std::shared_ptr<const ClusterStateSet> published = std::move(next);
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = published;
  }
  generation_.fetch_add(1, std::memory_order_release);
  return published;
}

}  // namespace meshgw::gateway::upstream
