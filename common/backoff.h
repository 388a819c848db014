// Jittered exponential backoff, for every retry loop of the project (the xDS client's reconnects,
// the peering dialer, the Consul source's watches).
//
//   JitteredBackoff backoff(absl::Milliseconds(500), absl::Seconds(30), /*seed=*/42);
//   absl::Duration d1 = backoff.Next();  // 500 ms
//   absl::Duration d2 = backoff.Next();  // in [500 ms, 1 s]
//   backoff.Reset();                     // after a success
//
// Thread safety: needs external synchronization.
#ifndef MESHGW_COMMON_BACKOFF_H_
#define MESHGW_COMMON_BACKOFF_H_

#include <cstdint>
#include <random>

#include "absl/time/time.h"

namespace meshgw {

// The n-th delay (from 0) is uniform in [max(base, c/2), c] where c = min(base * 2^n, max): the
// first delay is `base`, and no delay exceeds `max`.
class JitteredBackoff {
 public:
  JitteredBackoff(absl::Duration base, absl::Duration max, uint64_t seed);
  absl::Duration Next();
  void Reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  absl::Duration base_;
  absl::Duration max_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace meshgw

#endif  // MESHGW_COMMON_BACKOFF_H_
