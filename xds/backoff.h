// Time seams of the xds library: a Clock (real or fake), and the client's reconnect backoff
// (JitteredBackoff, from common/backoff.h).
//
//   JitteredBackoff backoff(absl::Milliseconds(500), absl::Seconds(30), /*seed=*/42);
//   absl::Duration d1 = backoff.Next();  // 500 ms
//   absl::Duration d2 = backoff.Next();  // in [500 ms, 1 s]
//   backoff.Reset();                     // after the first message of a new stream
//
// Thread safety: JitteredBackoff needs external synchronization; RealClock and FakeClock are safe
// for concurrent use.
#ifndef MESHGW_XDS_BACKOFF_H_
#define MESHGW_XDS_BACKOFF_H_

#include <cstdint>
#include <random>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/backoff.h"

namespace meshgw::xds {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
  // SleepUntil(deadline, cancelled) returns at `deadline`, or earlier once `*cancelled` is true
  // (checked under `mu`, which the caller must hold; `mu` is released while waiting).
  virtual void WaitUntil(absl::Mutex* mu, const bool* cancelled, absl::Time deadline) = 0;
};

// The system clock. RealClock::Get() is a process-wide instance.
class RealClock : public Clock {
 public:
  static RealClock* Get();
  absl::Time Now() override;
  void WaitUntil(absl::Mutex* mu, const bool* cancelled, absl::Time deadline) override;
};

// A clock that moves only when told to (tests). Waiters wake when Advance passes their deadline.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::UnixEpoch());
  absl::Time Now() override;
  void Advance(absl::Duration d);
  void WaitUntil(absl::Mutex* mu, const bool* cancelled, absl::Time deadline) override;

 private:
  absl::Mutex time_mu_;
  absl::Time now_ ABSL_GUARDED_BY(time_mu_);
};

// The reconnect backoff is the project's (common/backoff.h).
using ::meshgw::JitteredBackoff;

}  // namespace meshgw::xds

#endif  // MESHGW_XDS_BACKOFF_H_
