#include "xds/backoff.h"

#include <gtest/gtest.h>

#include <thread>

namespace meshgw::xds {
namespace {

TEST(JitteredBackoffTest, StartsAtBaseGrowsAndCaps) {
  JitteredBackoff backoff(absl::Milliseconds(500), absl::Seconds(30), 7);
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(500));
  absl::Duration ceiling = absl::Milliseconds(500);
  for (int i = 1; i < 20; ++i) {
    ceiling = std::min(ceiling * 2, absl::Seconds(30));
    absl::Duration d = backoff.Next();
    EXPECT_GE(d, std::max(absl::Milliseconds(500), ceiling / 2)) << i;
    EXPECT_LE(d, ceiling) << i;
  }
  EXPECT_LE(backoff.Next(), absl::Seconds(30));
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(500));
}

TEST(JitteredBackoffTest, Jitters) {
  JitteredBackoff a(absl::Milliseconds(500), absl::Seconds(30), 1);
  JitteredBackoff b(absl::Milliseconds(500), absl::Seconds(30), 2);
  int differ = 0;
  for (int i = 0; i < 10; ++i) differ += a.Next() != b.Next();
  EXPECT_GE(differ, 8);
}

TEST(FakeClockTest, WaitEndsWhenTimeIsAdvancedOrCancelled) {
  FakeClock clock;
  absl::Mutex mu;
  bool cancelled = false;
  const absl::Time deadline = clock.Now() + absl::Seconds(30);
  std::thread waiter([&] {
    absl::MutexLock lock(&mu);
    clock.WaitUntil(&mu, &cancelled, deadline);
  });
  clock.Advance(absl::Seconds(31));
  waiter.join();
  std::thread waiter2([&] {
    absl::MutexLock lock(&mu);
    clock.WaitUntil(&mu, &cancelled, clock.Now() + absl::Hours(1));
  });
  {
    absl::MutexLock lock(&mu);
    cancelled = true;
  }
  waiter2.join();
}

}  // namespace
}  // namespace meshgw::xds
