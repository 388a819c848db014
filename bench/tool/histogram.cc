// bench/tool/histogram.cc — bucket arithmetic and percentiles of LatencyHistogram.
#include "bench/tool/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace meshgw::bench {
namespace {

constexpr int kSubBucketBits = 11;  // 2048 exact values at the bottom
constexpr int64_t kSubBuckets = int64_t{1} << kSubBucketBits;
constexpr int64_t kHalf = kSubBuckets / 2;         // 1024 sub-buckets per octave above
constexpr int kOctaves = 40 - kSubBucketBits + 1;  // up to kMaxValue
constexpr int kBucketCount = static_cast<int>(kSubBuckets + kOctaves * kHalf);

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

int LatencyHistogram::BucketOf(int64_t value) {
  value = std::clamp<int64_t>(value, 0, kMaxValue);
  if (value < kSubBuckets) return static_cast<int>(value);
  const int msb = 63 - std::countl_zero(static_cast<uint64_t>(value));
  const int shift = msb - (kSubBucketBits - 1);  // >= 1
  return static_cast<int>(kSubBuckets + (shift - 1) * kHalf + ((value >> shift) - kHalf));
}

int64_t LatencyHistogram::BucketLowest(int bucket) {
  if (bucket < kSubBuckets) return bucket;
  const int64_t above = bucket - kSubBuckets;
  const int shift = static_cast<int>(above / kHalf) + 1;
  return (kHalf + above % kHalf) << shift;
}

int64_t LatencyHistogram::BucketHighest(int bucket) {
  if (bucket < kSubBuckets) return bucket;
  const int64_t above = bucket - kSubBuckets;
  const int shift = static_cast<int>(above / kHalf) + 1;
  return ((kHalf + above % kHalf + 1) << shift) - 1;
}

void LatencyHistogram::Record(int64_t value) {
  value = std::clamp<int64_t>(value, 0, kMaxValue);
  ++counts_[BucketOf(value)];
  if (count_ == 0 || value < min_) min_ = value;
  if (value > max_) max_ = value;
  ++count_;
  sum_ += value;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  const int64_t rank = std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_))));
  int64_t seen = 0;
  for (int b = 0; b < kBucketCount; ++b) {
    seen += counts_[b];
    if (seen >= rank) return std::min(BucketHighest(b), max_);
  }
  return max_;
}

}  // namespace meshgw::bench
