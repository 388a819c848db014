#include "xds/backoff.h"

#include <algorithm>

namespace meshgw::xds {

RealClock* RealClock::Get() {
  static RealClock* clock = new RealClock();
  return clock;
}

absl::Time RealClock::Now() { return absl::Now(); }

void RealClock::WaitUntil(absl::Mutex* mu, const bool* cancelled, absl::Time deadline) {
  mu->AwaitWithDeadline(absl::Condition(cancelled), deadline);
}

FakeClock::FakeClock(absl::Time start) : now_(start) {}

absl::Time FakeClock::Now() {
  absl::MutexLock lock(&time_mu_);
  return now_;
}

void FakeClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&time_mu_);
  now_ += d;
}

void FakeClock::WaitUntil(absl::Mutex* mu, const bool* cancelled, absl::Time deadline) {
  // Poll: the fake time moves from another thread without touching `mu`.
  while (!*cancelled && Now() < deadline) {
    mu->AwaitWithTimeout(absl::Condition(cancelled), absl::Milliseconds(1));
  }
}

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

}  // namespace meshgw::xds
