#include "gateway/upstream/cluster_state.h"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace meshgw::gateway::upstream {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

// The identity of an endpoint across snapshots: the binary address (so "::1" and "0::1" are one
// endpoint), falling back to the text when the storage was not filled.
std::string AddressKey(const config::SocketAddress& a) {
  std::string key;
  if (a.storage.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&a.storage);
    key.assign("4");
    key.append(reinterpret_cast<const char*>(&in->sin_addr), sizeof(in->sin_addr));
    key.append(reinterpret_cast<const char*>(&in->sin_port), sizeof(in->sin_port));
  } else if (a.storage.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&a.storage);
    key.assign("6");
    key.append(reinterpret_cast<const char*>(&in6->sin6_addr), sizeof(in6->sin6_addr));
    key.append(reinterpret_cast<const char*>(&in6->sin6_port), sizeof(in6->sin6_port));
    key.append(reinterpret_cast<const char*>(&in6->sin6_scope_id), sizeof(in6->sin6_scope_id));
  } else {
    key = "t" + a.host + ":" + std::to_string(a.port);
  }
  return key;
}

int64_t Nanos(absl::Time t) { return absl::ToUnixNanos(t); }

// The longest an ejection lasts: Envoy takes max(base, max) so that a max below the base does not
// shorten the first ejection.
absl::Duration EjectionCap(const config::OutlierDetection& o) {
  return std::max(o.base_ejection_time, o.max_ejection_time);
}

// Ejection count as of now_ns, from the stored count and the end of the last ejection.
uint32_t DecayedCount(uint32_t count, int64_t ejected_until_ns, int64_t now_ns,
                      absl::Duration interval) {
  if (count == 0 || now_ns < ejected_until_ns || interval <= absl::ZeroDuration()) return count;
  const int64_t interval_ns = absl::ToInt64Nanoseconds(interval);
  const int64_t steps = (now_ns - ejected_until_ns) / std::max<int64_t>(interval_ns, 1);
  return steps >= count ? 0 : count - static_cast<uint32_t>(steps);
}

}  // namespace

ClusterState::ClusterState(std::shared_ptr<const config::Cluster> cluster, uint32_t workers)
    : cluster_(std::move(cluster)), workers_(std::max<uint32_t>(workers, 1)) {}

std::shared_ptr<ClusterState> ClusterState::Create(std::shared_ptr<const config::Cluster> cluster,
                                                   uint32_t workers, const ClusterState* previous) {
  std::shared_ptr<ClusterState> s(new ClusterState(std::move(cluster), workers));
  const config::Cluster& c = *s->cluster_;

  absl::flat_hash_map<std::string, std::shared_ptr<internal::EndpointCounters>> known;
  if (previous != nullptr) {
    s->counters_ = previous->counters_;
    for (const Host& h : previous->hosts_)
      known.emplace(AddressKey(h.endpoint->address), h.counters);
  } else {
    s->counters_ = std::make_shared<internal::ClusterCounters>();
  }

  for (const config::PriorityLevel& level : c.priorities) {
    Level l{.begin = static_cast<uint32_t>(s->hosts_.size()),
            .end = 0,
            .equal_weights = true,
            .any_receives_traffic = false,
            .traffic_weight = 0};
    for (const config::Endpoint& e : level.endpoints) {
      std::shared_ptr<internal::EndpointCounters>& counters = known[AddressKey(e.address)];
      if (counters == nullptr) counters = std::make_shared<internal::EndpointCounters>();
      const Host h{.endpoint = &e,
                   .priority = level.priority,
                   .weight = std::max<uint32_t>(e.weight, 1),
                   .receives_traffic = config::ReceivesTraffic(e.health),
                   .counters = counters};
      if (s->hosts_.size() > l.begin && h.weight != s->hosts_[l.begin].weight) {
        l.equal_weights = false;
      }
      l.any_receives_traffic |= h.receives_traffic;
      if (h.receives_traffic) l.traffic_weight += h.weight;
      s->hosts_.push_back(h);
      s->cumulative_weight_.push_back(l.traffic_weight);
    }
    l.end = static_cast<uint32_t>(s->hosts_.size());
    if (l.end > l.begin) s->levels_.push_back(l);
  }

  // Cursors then SWRR weights, rounded up to whole cache lines plus one line of padding.
  constexpr size_t kPerLine = 64 / sizeof(std::atomic<int64_t>);
  const size_t used = s->levels_.size() + s->hosts_.size();
  s->stride_ = (used + kPerLine - 1) / kPerLine * kPerLine + kPerLine;
  const size_t total = s->stride_ * s->workers_;
  s->scratch_ = std::make_unique<std::atomic<int64_t>[]>(total);
  for (uint32_t w = 0; w < s->workers_; ++w) {
    // Workers start their rotation at different endpoints so that they do not all begin with
    // the first one after each update.
    std::atomic<int64_t>* cursors = s->Cursors(w);
    for (size_t l = 0; l < s->levels_.size(); ++l) {
      cursors[l].store(w % (s->levels_[l].end - s->levels_[l].begin), kRelaxed);
    }
    std::atomic<int64_t>* current = s->Current(w);
    for (size_t i = 0; i < s->hosts_.size(); ++i) current[i].store(0, kRelaxed);
  }
  return s;
}

bool ClusterState::TryAcquireConnection() {
  const uint32_t max = cluster_->max_connections;
  uint32_t cur = counters_->active.load(kRelaxed);
  do {
    if (cur >= max) {
      counters_->overflows.fetch_add(1, kRelaxed);
      return false;
    }
  } while (!counters_->active.compare_exchange_weak(cur, cur + 1, kRelaxed));
  return true;
}

void ClusterState::ReleaseConnection() { counters_->active.fetch_sub(1, kRelaxed); }

uint32_t ClusterState::active_connections() const { return counters_->active.load(kRelaxed); }

uint32_t ClusterState::active_connections(EndpointIndex i) const {
  return hosts_[i].counters->active.load(kRelaxed);
}

void ClusterState::Release(EndpointIndex i) {
  hosts_[i].counters->active.fetch_sub(1, kRelaxed);
  ReleaseConnection();
}

void ClusterState::OnConnectSuccess(EndpointIndex i, absl::Time /*now*/) {
  hosts_[i].counters->consecutive_failures.store(0, kRelaxed);
}

void ClusterState::OnConnectFailure(EndpointIndex i, absl::Time now, bool timeout) {
  internal::EndpointCounters& e = *hosts_[i].counters;
  e.connect_failures.fetch_add(1, kRelaxed);
  counters_->connect_failures.fetch_add(1, kRelaxed);
  if (timeout) {
    e.connect_timeouts.fetch_add(1, kRelaxed);
    counters_->connect_timeouts.fetch_add(1, kRelaxed);
  }
  Release(i);
  const uint32_t failures = e.consecutive_failures.fetch_add(1, kRelaxed) + 1;
  const config::OutlierDetection& o = cluster_->outlier;
  if (o.enabled && failures >= std::max<uint32_t>(o.consecutive_failures, 1)) MaybeEject(i, now);
}

void ClusterState::OnConnectionClosed(EndpointIndex i) { Release(i); }

void ClusterState::MaybeEject(EndpointIndex i, absl::Time now) {
  const config::OutlierDetection& o = cluster_->outlier;
  internal::EndpointCounters& e = *hosts_[i].counters;
  const int64_t now_ns = Nanos(now);
  std::lock_guard<std::mutex> lock(counters_->ejection_mu);
  // Failures of connections started before the ejection (or a racing thread ejected first): no
  // new ejection, and the run starts over so that the endpoint gets a fresh chance on return.
  if (now_ns < e.ejected_until_ns.load(kRelaxed)) {
    e.consecutive_failures.store(0, kRelaxed);
    return;
  }
  if (e.consecutive_failures.load(kRelaxed) < std::max<uint32_t>(o.consecutive_failures, 1)) return;

  uint64_t ejected = 0;
  for (const Host& h : hosts_) ejected += now_ns < h.counters->ejected_until_ns.load(kRelaxed);
  // As Envoy: allowed when the ejection keeps the ejected share within the limit, and always
  // for the first ejected endpoint. The counters stay above the threshold, so the next failure
  // asks again.
  if (ejected > 0 && 100 * (ejected + 1) > uint64_t{o.max_ejection_percent} * hosts_.size()) {
    counters_->ejections_refused.fetch_add(1, kRelaxed);
    return;
  }

  const absl::Duration cap = EjectionCap(o);
  uint32_t count = DecayedCount(e.ejection_count.load(kRelaxed), e.ejected_until_ns.load(kRelaxed),
                                now_ns, o.interval);
  // Grow while the next ejection would still be below the cap; beyond it the count only makes
  // the decay back take longer.
  if (count == 0 || o.base_ejection_time * count < cap) ++count;
  const absl::Duration length = std::min(o.base_ejection_time * count, cap);
  e.ejection_count.store(count, kRelaxed);
  e.ejected_until_ns.store(Nanos(now + length), kRelaxed);
  e.consecutive_failures.store(0, kRelaxed);
  e.ejections.fetch_add(1, kRelaxed);
  counters_->ejections.fetch_add(1, kRelaxed);
}

bool ClusterState::IsEjected(EndpointIndex i, absl::Time now) const {
  return Nanos(now) < hosts_[i].counters->ejected_until_ns.load(kRelaxed);
}

uint32_t ClusterState::EjectionCount(EndpointIndex i, absl::Time now) const {
  const internal::EndpointCounters& e = *hosts_[i].counters;
  return DecayedCount(e.ejection_count.load(kRelaxed), e.ejected_until_ns.load(kRelaxed),
                      Nanos(now), cluster_->outlier.interval);
}

ClusterStatus ClusterState::Status(absl::Time now) const {
  ClusterStatus s;
  s.name = cluster_->name;
  s.max_connections = cluster_->max_connections;
  s.active = counters_->active.load(kRelaxed);
  s.overflows = counters_->overflows.load(kRelaxed);
  s.connects = counters_->connects.load(kRelaxed);
  s.connect_failures = counters_->connect_failures.load(kRelaxed);
  s.connect_timeouts = counters_->connect_timeouts.load(kRelaxed);
  s.ejections = counters_->ejections.load(kRelaxed);
  s.ejections_refused = counters_->ejections_refused.load(kRelaxed);
  s.endpoints.reserve(hosts_.size());
  for (EndpointIndex i = 0; i < hosts_.size(); ++i) {
    const Host& h = hosts_[i];
    const internal::EndpointCounters& e = *h.counters;
    EndpointStatus es;
    es.address = h.endpoint->address;
    es.hostname = h.endpoint->hostname;
    es.priority = h.priority;
    es.weight = h.weight;
    es.health = h.endpoint->health;
    es.ejected = IsEjected(i, now);
    if (es.ejected) es.ejected_until = absl::FromUnixNanos(e.ejected_until_ns.load(kRelaxed));
    es.ejection_count = EjectionCount(i, now);
    es.active = e.active.load(kRelaxed);
    es.connects = e.connects.load(kRelaxed);
    es.connect_failures = e.connect_failures.load(kRelaxed);
    es.connect_timeouts = e.connect_timeouts.load(kRelaxed);
    es.ejections = e.ejections.load(kRelaxed);
    s.endpoints.push_back(std::move(es));
  }
  return s;
}

}  // namespace meshgw::gateway::upstream
