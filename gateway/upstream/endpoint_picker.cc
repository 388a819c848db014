#include "gateway/upstream/endpoint_picker.h"

#include <algorithm>

namespace meshgw::gateway::upstream {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr uint32_t kNone = UINT32_MAX;

bool Tried(absl::Span<const EndpointIndex> tried, EndpointIndex i) {
  return std::find(tried.begin(), tried.end(), i) != tried.end();
}

}  // namespace

std::string_view PickErrorName(PickError e) {
  switch (e) {
    case PickError::kNone:
      return "none";
    case PickError::kNoEndpoints:
      return "no_endpoints";
    case PickError::kNoHealthyEndpoint:
      return "no_healthy_endpoint";
    case PickError::kCircuitOpen:
      return "circuit_open";
  }
  return "unknown";
}

EndpointPicker::EndpointPicker(uint32_t worker, uint64_t seed) : worker_(worker), rng_(seed) {}

PickResult EndpointPicker::Pick(ClusterState& state, absl::Time now,
                                absl::Span<const EndpointIndex> tried) {
  if (state.hosts_.empty()) return {.error = PickError::kNoEndpoints};
  if (!state.TryAcquireConnection()) return {.error = PickError::kCircuitOpen};

  const int64_t now_ns = absl::ToUnixNanos(now);
  const uint32_t worker = worker_ % state.workers_;
  std::atomic<int64_t>* cursors = state.Cursors(worker);
  std::atomic<int64_t>* current = state.Current(worker);
  const auto candidate = [&](uint32_t i) {
    const ClusterState::Host& h = state.hosts_[i];
    return h.receives_traffic && now_ns >= h.counters->ejected_until_ns.load(kRelaxed) &&
           !Tried(tried, i);
  };

  uint32_t chosen = kNone;
  for (size_t l = 0; l < state.levels_.size() && chosen == kNone; ++l) {
    const ClusterState::Level& level = state.levels_[l];
    if (!level.any_receives_traffic) continue;
    const uint32_t n = level.end - level.begin;
    const auto at = [&](uint32_t k) { return level.begin + k % n; };
    const uint32_t cursor = static_cast<uint32_t>(cursors[l].load(kRelaxed) % n);

    switch (state.cluster_->lb_policy) {
      case config::LbPolicy::kRoundRobin:
        if (level.equal_weights) {
          for (uint32_t k = 0; k < n; ++k) {
            if (candidate(at(cursor + k))) {
              chosen = at(cursor + k);
              break;
            }
          }
          if (chosen != kNone) cursors[l].store((chosen - level.begin + 1) % n, kRelaxed);
        } else {
          // Smooth weighted round robin over this pick's candidates: each gains its weight,
          // the largest wins and pays back the candidates' total. Non-candidates keep their
          // standing, so an endpoint back from ejection rejoins without a burst.
          int64_t total = 0;
          for (uint32_t i = level.begin; i < level.end; ++i) {
            if (!candidate(i)) continue;
            const int64_t w = state.hosts_[i].weight;
            const int64_t c = current[i].load(kRelaxed) + w;
            current[i].store(c, kRelaxed);
            total += w;
            if (chosen == kNone || c > current[chosen].load(kRelaxed)) chosen = i;
          }
          if (chosen != kNone) {
            current[chosen].store(current[chosen].load(kRelaxed) - total, kRelaxed);
          }
        }
        break;
      case config::LbPolicy::kLeastRequest: {
        uint32_t best_active = UINT32_MAX;
        for (uint32_t k = 0; k < n; ++k) {
          const uint32_t i = at(cursor + k);
          if (!candidate(i)) continue;
          const uint32_t active = state.hosts_[i].counters->active.load(kRelaxed);
          if (chosen == kNone || active < best_active) {
            chosen = i;
            best_active = active;
          }
        }
        if (chosen != kNone) cursors[l].store((chosen - level.begin + 1) % n, kRelaxed);
        break;
      }
      case config::LbPolicy::kRandom: {
        // One draw over every endpoint that receives traffic (binary search); when it lands on
        // an ejected or tried one, draw again among the candidates only. The two steps together
        // still give each candidate its weight's share of the candidates' total.
        {
          const uint64_t r =
              std::uniform_int_distribution<uint64_t>(0, level.traffic_weight - 1)(rng_);
          const uint64_t* first = state.cumulative_weight_.data() + level.begin;
          const uint64_t* hit = std::upper_bound(first, first + n, r);
          const uint32_t i = level.begin + static_cast<uint32_t>(hit - first);
          if (candidate(i)) {
            chosen = i;
            break;
          }
        }
        uint64_t total = 0;
        for (uint32_t i = level.begin; i < level.end; ++i) {
          if (candidate(i)) total += state.hosts_[i].weight;
        }
        if (total == 0) break;
        uint64_t r = std::uniform_int_distribution<uint64_t>(0, total - 1)(rng_);
        for (uint32_t i = level.begin; i < level.end; ++i) {
          if (!candidate(i)) continue;
          const uint64_t w = state.hosts_[i].weight;
          if (r < w) {
            chosen = i;
            break;
          }
          r -= w;
        }
        break;
      }
    }
  }

  if (chosen == kNone) {
    // Panic, as Envoy does when too few endpoints are usable: when every endpoint that receives
    // traffic is ejected, ejection is ignored rather than refusing everything — a lone endpoint
    // that failed while its peer restarted (a control component's peering port) must not be
    // out of service for a whole ejection time once it is back. Health status still counts.
    for (size_t l = 0; l < state.levels_.size() && chosen == kNone; ++l) {
      const ClusterState::Level& level = state.levels_[l];
      if (!level.any_receives_traffic) continue;
      const uint32_t n = level.end - level.begin;
      const uint32_t cursor = static_cast<uint32_t>(cursors[l].load(kRelaxed) % n);
      for (uint32_t k = 0; k < n; ++k) {
        const uint32_t i = level.begin + (cursor + k) % n;
        if (state.hosts_[i].receives_traffic && !Tried(tried, i)) {
          chosen = i;
          cursors[l].store((k + cursor + 1) % n, kRelaxed);
          break;
        }
      }
    }
  }
  if (chosen == kNone) {
    state.ReleaseConnection();
    return {.error = PickError::kNoHealthyEndpoint};
  }
  internal::EndpointCounters& e = *state.hosts_[chosen].counters;
  e.active.fetch_add(1, kRelaxed);
  e.connects.fetch_add(1, kRelaxed);
  state.counters_->connects.fetch_add(1, kRelaxed);
  return {.error = PickError::kNone, .endpoint = chosen};
}

}  // namespace meshgw::gateway::upstream
