// Tests of LatencyHistogram: bucket arithmetic, precision, percentiles, merge.
#include <gtest/gtest.h>

#include <cstdint>

#include "bench/tool/histogram.h"

namespace meshgw::bench {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.ValueAtPercentile(50), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.min(), 0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  for (int64_t v : {0, 1, 7, 1000, 2047}) {
    EXPECT_EQ(LatencyHistogram::BucketLowest(LatencyHistogram::BucketOf(v)), v);
    EXPECT_EQ(LatencyHistogram::BucketHighest(LatencyHistogram::BucketOf(v)), v);
  }
}

TEST(LatencyHistogramTest, BucketsContainTheirValuesWithinATenthOfAPercent) {
  for (int64_t v = 2048; v < LatencyHistogram::kMaxValue; v = v * 3 / 2 + 17) {
    const int b = LatencyHistogram::BucketOf(v);
    const int64_t lo = LatencyHistogram::BucketLowest(b);
    const int64_t hi = LatencyHistogram::BucketHighest(b);
    ASSERT_LE(lo, v) << v;
    ASSERT_GE(hi, v) << v;
    ASSERT_LE(static_cast<double>(hi - lo) / static_cast<double>(lo), 1.0 / 1024) << v;
    // Buckets are contiguous.
    ASSERT_EQ(LatencyHistogram::BucketLowest(b + 1), hi + 1) << v;
  }
}

TEST(LatencyHistogramTest, PercentilesOfAUniformRange) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100'000; ++v) h.Record(v * 1000);  // 1 us .. 100 ms
  EXPECT_EQ(h.count(), 100'000);
  EXPECT_NEAR(static_cast<double>(h.ValueAtPercentile(50)), 50e6, 50e6 / 1000);
  EXPECT_NEAR(static_cast<double>(h.ValueAtPercentile(99)), 99e6, 99e6 / 1000);
  EXPECT_NEAR(static_cast<double>(h.ValueAtPercentile(99.9)), 99.9e6, 99.9e6 / 1000);
  EXPECT_EQ(h.ValueAtPercentile(100), 100'000'000);
  EXPECT_EQ(h.min(), 1000);
  EXPECT_EQ(h.max(), 100'000'000);
  EXPECT_NEAR(h.mean(), 50'000'500, 1);
}

TEST(LatencyHistogramTest, PercentileNeverBelowTheTrueValue) {
  LatencyHistogram h;
  h.Record(52'000);
  EXPECT_GE(h.ValueAtPercentile(99), 52'000);
  EXPECT_EQ(h.ValueAtPercentile(99), 52'000);  // clipped to the largest value seen
  h.Record(60'000);
  EXPECT_GE(h.ValueAtPercentile(50), 52'000);
  EXPECT_LT(h.ValueAtPercentile(50), 52'100);
}

TEST(LatencyHistogramTest, OutlierShowsInTheTail) {
  LatencyHistogram h;
  for (int i = 0; i < 999; ++i) h.Record(100'000);
  h.Record(50'000'000);
  EXPECT_LT(h.ValueAtPercentile(99), 101'000);
  EXPECT_GE(h.ValueAtPercentile(99.95), 50'000'000 - 50'000);
  EXPECT_EQ(h.max(), 50'000'000);
}

TEST(LatencyHistogramTest, ClampsOutOfRange) {
  LatencyHistogram h;
  h.Record(-5);
  h.Record(LatencyHistogram::kMaxValue * 4);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), LatencyHistogram::kMaxValue);
}

TEST(LatencyHistogramTest, MergeAddsCounts) {
  LatencyHistogram a, b;
  a.Record(10);
  a.Record(20);
  b.Record(5);
  b.Record(3'000'000);
  a.Merge(b);
  EXPECT_EQ(a.count(), 4);
  EXPECT_EQ(a.min(), 5);
  EXPECT_EQ(a.max(), 3'000'000);
  EXPECT_EQ(a.ValueAtPercentile(50), 10);
  LatencyHistogram empty;
  a.Merge(empty);
  EXPECT_EQ(a.count(), 4);
}

}  // namespace
}  // namespace meshgw::bench
