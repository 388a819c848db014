#include "gateway/upstream/cluster_state_registry.h"

#include <algorithm>
#include <utility>

namespace meshgw::gateway::upstream {

ClusterState* ClusterStateSet::Find(std::string_view name) const {
  auto it = clusters.find(absl::string_view(name.data(), name.size()));
  return it == clusters.end() ? nullptr : it->second.get();
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
  next->clusters.reserve(snapshot.clusters.size());
  for (const auto& [name, cluster] : snapshot.clusters) {
    if (cluster == nullptr) continue;
    auto it = previous->clusters.find(name);
    const ClusterState* old = it == previous->clusters.end() ? nullptr : it->second.get();
    if (old != nullptr && old->config_ptr() == cluster) {
      next->clusters.emplace(name, it->second);
    } else {
      next->clusters.emplace(name, ClusterState::Create(cluster, workers_, old));
    }
  }
  std::shared_ptr<const ClusterStateSet> published = std::move(next);
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = published;
  }
  generation_.fetch_add(1, std::memory_order_release);
  return published;
}

}  // namespace meshgw::gateway::upstream
