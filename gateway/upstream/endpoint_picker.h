// EndpointPicker: chooses the endpoint of a cluster for a new upstream connection — failover
// across priority levels, then the cluster's load-balancing policy within the level — and
// reserves the connection (circuit breaker slot and the endpoint's active count).
//
// Candidates are the endpoints whose health receives traffic (HEALTHY or UNKNOWN), that are not
// ejected at `now`, and that the connection has not tried yet. The lowest priority level with a
// candidate wins. Within it:
//   kRoundRobin    in turn; with unequal weights, smooth weighted round robin (each endpoint gets
//                  its weight's share, interleaved: weights 5,1,1 give a a b a c a a)
//   kLeastRequest  the fewest active connections (weights ignored), ties in turn
//   kRandom        at random, in proportion to the weights
// When no endpoint is a candidate only because all are ejected (panic, as Envoy's), the
// ejection is ignored: the lowest level with an untried endpoint that receives traffic gets the
// connection, in turn.
//
//   EndpointPicker picker(worker_index);       // one per worker thread, never shared
//   std::array<EndpointIndex, 4> tried; size_t n = 0;
//   PickResult p = picker.Pick(*state, now, absl::MakeSpan(tried.data(), n));
//   if (!p.ok()) { count(PickErrorName(p.error)); close(); }
//   tried[n++] = p.endpoint;                   // on connect failure, Pick again excluding it
//
// Cost: O(1) amortized for round robin with equal weights; O(log endpoints) for random unless the
// draw hits an ejected or tried endpoint; O(endpoints in the level) for smooth weighted round
// robin and least-request. No allocation, no lock.
//
// Thread-safety: an EndpointPicker belongs to one thread. Its rotation state lives in the
// ClusterState, in a per-worker slot indexed by `worker` (< ClusterState::workers()), so any
// number of pickers with distinct worker indexes may pick from one ClusterState at once.
#ifndef MESHGW_GATEWAY_UPSTREAM_ENDPOINT_PICKER_H_
#define MESHGW_GATEWAY_UPSTREAM_ENDPOINT_PICKER_H_

#include <cstdint>
#include <random>
#include <string_view>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gateway/upstream/cluster_state.h"

namespace meshgw::gateway::upstream {

enum class PickError : uint8_t {
  kNone,
  kNoEndpoints,        // the cluster has no endpoint at all
  kNoHealthyEndpoint,  // none receives traffic, or all that do were already tried
  kCircuitOpen,        // max_connections reached (counted as an overflow)
};
// PickErrorName(PickError::kCircuitOpen) == "circuit_open" (for counters and logs).
std::string_view PickErrorName(PickError e);

struct PickResult {
  PickError error = PickError::kNone;
  EndpointIndex endpoint = 0;  // valid when ok()
  bool ok() const { return error == PickError::kNone; }
};

class EndpointPicker {
 public:
  // `worker` selects this picker's slot in every ClusterState (taken modulo workers()); `seed`
  // seeds the random policy (fixed in tests).
  explicit EndpointPicker(uint32_t worker, uint64_t seed = std::random_device{}());

  // Pick chooses an endpoint of `state` not in `tried` and reserves a connection to it. On
  // success the caller must report the outcome to `state`: OnConnectFailure (releases) or
  // OnConnectSuccess then OnConnectionClosed (releases). On error nothing is reserved.
  PickResult Pick(ClusterState& state, absl::Time now, absl::Span<const EndpointIndex> tried = {});

  uint32_t worker() const { return worker_; }

 private:
  uint32_t worker_;
  std::mt19937_64 rng_;
};

}  // namespace meshgw::gateway::upstream

#endif  // MESHGW_GATEWAY_UPSTREAM_ENDPOINT_PICKER_H_
