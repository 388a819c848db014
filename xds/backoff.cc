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

}  // namespace meshgw::xds
