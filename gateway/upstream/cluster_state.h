// ClusterState: the live state of one cluster's endpoints, shared by every worker — active
// connections, passive outlier detection (consecutive connect failures eject an endpoint for a
// growing time) and the cluster's `max_connections` circuit breaker.
//
// One ClusterState is built per cluster per snapshot (ClusterStateRegistry does it). Picking an
// endpoint is EndpointPicker's job (endpoint_picker.h); it reserves the connection on success.
// The connection then reports what happened, always with the ClusterState it picked from:
//
//   PickResult pick = picker.Pick(*state, now, tried);  // reserves a cluster slot + endpoint
//   if (!pick.ok()) return Close(pick.error);           // kNoEndpoints, kCircuitOpen, ...
//   ... connect to state->endpoint(pick.endpoint).address ...
//   state->OnConnectFailure(pick.endpoint, now, /*timeout=*/true);  // releases; pick another
//   state->OnConnectSuccess(pick.endpoint, now);                    // keeps the reservation
//   state->OnConnectionClosed(pick.endpoint);                       // releases
//
// There is no clock inside: every call that needs the time takes `now`, so tests drive time by
// hand. An ejected endpoint comes back lazily: it is a candidate again once now >= ejected-until.
//
// State carried across snapshots: the counters of an endpoint live in a shared object that the
// next ClusterState of the same cluster reuses for the same address, and the cluster's counters
// (active connections, overflows, totals) likewise. So a config update neither forgets an
// ejection nor loses the count of connections still open on the old ClusterState: they release
// into the same counters. Two endpoints of one cluster with the same address share one state.
//
// Thread-safety: every method is safe to call from any thread. Reservations, releases and results
// are lock-free atomics; only an ejection decision (at most once per `consecutive_failures`
// failures) takes the cluster's mutex, so that max_ejection_percent holds exactly.
#ifndef MESHGW_GATEWAY_UPSTREAM_CLUSTER_STATE_H_
#define MESHGW_GATEWAY_UPSTREAM_CLUSTER_STATE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gateway/config/snapshot.h"

namespace meshgw::gateway::upstream {

// Index of an endpoint in ClusterState::endpoint(i): priority levels in ascending order, each
// level's endpoints in config order. Valid only with the ClusterState it came from.
using EndpointIndex = uint32_t;

namespace internal {

// Counters of one endpoint address within one cluster, shared across snapshots.
struct EndpointCounters {
  std::atomic<uint32_t> active{0};                // reserved: connecting or connected
  std::atomic<uint32_t> consecutive_failures{0};  // reset by a success and by an ejection
  // Unix nanoseconds; the endpoint is ejected while now < ejected_until_ns.
  std::atomic<int64_t> ejected_until_ns{INT64_MIN};
  // The ejection count as of the last ejection; it decays once the ejection is over (see
  // ClusterState::EjectionCount).
  std::atomic<uint32_t> ejection_count{0};
  std::atomic<uint64_t> connects{0};  // attempts (picks)
  std::atomic<uint64_t> connect_failures{0};
  std::atomic<uint64_t> connect_timeouts{0};  // failures that were timeouts
  std::atomic<uint64_t> ejections{0};         // ejections ever
};

// Counters of one cluster (by name), shared across snapshots.
struct ClusterCounters {
  std::atomic<uint32_t> active{0};  // circuit breaker: reserved connections
  std::atomic<uint64_t> overflows{0};
  std::atomic<uint64_t> connects{0};
  std::atomic<uint64_t> connect_failures{0};
  std::atomic<uint64_t> connect_timeouts{0};
  std::atomic<uint64_t> ejections{0};
  std::atomic<uint64_t> ejections_refused{0};  // over max_ejection_percent
  std::mutex ejection_mu;                      // serializes ejection decisions only
};

}  // namespace internal

// What /clusters shows of one endpoint.
struct EndpointStatus {
  config::SocketAddress address;
  std::string hostname;
  uint32_t priority = 0;
  uint32_t weight = 1;
  config::HealthStatus health = config::HealthStatus::kUnknown;
  bool ejected = false;
  absl::Time ejected_until = absl::InfinitePast();  // meaningful when ejected
  uint32_t ejection_count = 0;                      // decayed as of `now`
  uint32_t active = 0;
  uint64_t connects = 0;
  uint64_t connect_failures = 0;
  uint64_t connect_timeouts = 0;
  uint64_t ejections = 0;
};

// What /clusters shows of one cluster.
struct ClusterStatus {
  std::string name;
  uint32_t max_connections = 0;
  uint32_t active = 0;
  uint64_t overflows = 0;
  uint64_t connects = 0;
  uint64_t connect_failures = 0;
  uint64_t connect_timeouts = 0;
  uint64_t ejections = 0;
  uint64_t ejections_refused = 0;
  std::vector<EndpointStatus> endpoints;
};

class ClusterState {
 public:
  // Create builds the state of `cluster` for `workers` pickers (EndpointPicker worker indexes
  // 0..workers-1). With `previous` (the same cluster's state in the last snapshot, or nullptr),
  // endpoints with an address that was already there keep their counters and ejection, and the
  // cluster keeps its counters. `cluster` must not be null.
  static std::shared_ptr<ClusterState> Create(std::shared_ptr<const config::Cluster> cluster,
                                              uint32_t workers,
                                              const ClusterState* previous = nullptr);

  ClusterState(const ClusterState&) = delete;
  ClusterState& operator=(const ClusterState&) = delete;

  const config::Cluster& config() const { return *cluster_; }
  const std::shared_ptr<const config::Cluster>& config_ptr() const { return cluster_; }
  const std::string& name() const { return cluster_->name; }
  uint32_t workers() const { return workers_; }

  size_t endpoint_count() const { return hosts_.size(); }
  const config::Endpoint& endpoint(EndpointIndex i) const { return *hosts_[i].endpoint; }
  uint32_t priority(EndpointIndex i) const { return hosts_[i].priority; }

  // TryAcquireConnection reserves one of the cluster's max_connections; false (and one overflow
  // counted) when they are all taken. EndpointPicker::Pick calls it; ReleaseConnection undoes it.
  bool TryAcquireConnection();
  void ReleaseConnection();
  uint32_t active_connections() const;

  // OnConnectSuccess records that the connection picked with `i` is established: the endpoint's
  // consecutive failures go back to zero. The reservation stays until OnConnectionClosed.
  void OnConnectSuccess(EndpointIndex i, absl::Time now);
  // OnConnectFailure records a failed (or timed-out) connect and releases the reservation. With
  // outlier detection on, the `consecutive_failures`-th failure in a row ejects the endpoint for
  // base_ejection_time × its ejection count (capped at max_ejection_time), unless that would
  // eject more than max_ejection_percent of the endpoints — one endpoint may always be ejected.
  void OnConnectFailure(EndpointIndex i, absl::Time now, bool timeout);
  // OnConnectionClosed releases the reservation of a connection (established, or abandoned
  // before its connect completed) without recording a result.
  void OnConnectionClosed(EndpointIndex i);

  // IsEjected: true while now < the endpoint's ejected-until.
  bool IsEjected(EndpointIndex i, absl::Time now) const;
  // EjectionCount: the ejection count as of `now`. It grows by one per ejection while
  // base_ejection_time × count < max_ejection_time, and once an ejection is over it drops by one
  // per outlier `interval` that passes without a new ejection (no decay if interval <= 0).
  uint32_t EjectionCount(EndpointIndex i, absl::Time now) const;
  uint32_t active_connections(EndpointIndex i) const;

  // Status copies everything /clusters shows (relaxed reads: each number is exact, the set of
  // numbers is not one atomic picture while connections come and go).
  ClusterStatus Status(absl::Time now) const;

 private:
  friend class EndpointPicker;

  struct Host {
    const config::Endpoint* endpoint;  // points into *cluster_
    uint32_t priority;
    uint32_t weight;        // config weight, at least 1
    bool receives_traffic;  // from the endpoint's health; fixed for this snapshot
    std::shared_ptr<internal::EndpointCounters> counters;
  };
  // A priority level: hosts_[begin, end).
  struct Level {
    uint32_t begin;
    uint32_t end;
    bool equal_weights;  // plain round robin suffices
    bool any_receives_traffic;
    uint64_t traffic_weight;  // sum of the weights of the endpoints that receive traffic
  };

  ClusterState(std::shared_ptr<const config::Cluster> cluster, uint32_t workers);
  void Release(EndpointIndex i);
  void MaybeEject(EndpointIndex i, absl::Time now);

  // Per-worker scratch for round robin, laid out so that two workers never write the same cache
  // line: worker w's cursors (one per level) and smooth-weighted-RR weights (one per host) are
  // scratch_[w * stride_ ...]. Relaxed atomics so that a misuse (two threads with one worker
  // index) is a skewed rotation, not undefined behaviour.
  std::atomic<int64_t>* Cursors(uint32_t worker) { return &scratch_[worker * stride_]; }
  std::atomic<int64_t>* Current(uint32_t worker) {
    return &scratch_[worker * stride_ + levels_.size()];
  }

  std::shared_ptr<const config::Cluster> cluster_;
  uint32_t workers_;
  std::vector<Host> hosts_;
  std::vector<Level> levels_;
  // Per host: the weights of the endpoints of its level that receive traffic, summed up to and
  // including this one (the random policy's binary search).
  std::vector<uint64_t> cumulative_weight_;
  std::shared_ptr<internal::ClusterCounters> counters_;
  size_t stride_ = 0;
  std::unique_ptr<std::atomic<int64_t>[]> scratch_;
};

}  // namespace meshgw::gateway::upstream

#endif  // MESHGW_GATEWAY_UPSTREAM_CLUSTER_STATE_H_
