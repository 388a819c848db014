#include "common/backoff.h"

#include <algorithm>

namespace meshgw {

JitteredBackoff::JitteredBackoff(absl::Duration base, absl::Duration max, uint64_t seed)
    : base_(base), max_(std::max(base, max)), rng_(seed) {}

absl::Duration JitteredBackoff::Next() {
  absl::Duration ceiling = base_;
  for (int i = 0; i < attempt_ && ceiling < max_; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, max_);
  ++attempt_;
  absl::Duration floor = std::max(base_, ceiling / 2);
  int64_t span = absl::ToInt64Microseconds(ceiling - floor);
  if (span <= 0) return ceiling;
  std::uniform_int_distribution<int64_t> dist(0, span);
  return floor + absl::Microseconds(dist(rng_));
}

}  // namespace meshgw
