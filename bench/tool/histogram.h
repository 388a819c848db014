// bench/tool/histogram.h — an HDR-style latency histogram for the load tool.
//
// LatencyHistogram records values (nanoseconds) into log-linear buckets: exact below 2048, then
// 1024 sub-buckets per power of two, so every reported value is within 0.1% of the true one, in a
// fixed 260 KiB whatever the number of samples. Percentiles report the highest value of the bucket
// that holds them (never under-reported), clipped to the largest value seen.
//
//   LatencyHistogram h;
//   h.Record(52'000);                 // 52 µs
//   h.ValueAtPercentile(99.0);        // -> 52'031 (upper bound of 52'000's bucket)
//
// Thread-safety: none; one histogram per worker thread, merged with Merge() at the end.
#ifndef MESHGW_BENCH_TOOL_HISTOGRAM_H_
#define MESHGW_BENCH_TOOL_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace meshgw::bench {

class LatencyHistogram {
 public:
  // Values above kMaxValue (about 18 minutes in ns) are recorded as kMaxValue.
  static constexpr int64_t kMaxValue = int64_t{1} << 40;

  LatencyHistogram();

  // Record adds one sample; negative values count as 0.
  void Record(int64_t value);
  // Merge adds every sample of `other`.
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }

  // ValueAtPercentile returns the smallest bucket upper bound at or below which `percentile`
  // percent of the samples lie (0 when empty). ValueAtPercentile(100) == max().
  int64_t ValueAtPercentile(double percentile) const;

  // Bucket arithmetic, public for tests: the bucket of a value and the bounds of a bucket.
  static int BucketOf(int64_t value);
  static int64_t BucketLowest(int bucket);
  static int64_t BucketHighest(int bucket);

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  int64_t sum_ = 0;
};

}  // namespace meshgw::bench

#endif  // MESHGW_BENCH_TOOL_HISTOGRAM_H_
