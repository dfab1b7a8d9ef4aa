// A fixed-size latency histogram with geometric buckets (about 19% wide), cheap enough to
// update on every statement and mergeable across workers, from which percentiles are read.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace tessera::admin {

class LatencyHistogram {
 public:
  static constexpr size_t kBuckets = 112;

  // Upper bound (inclusive, microseconds) of bucket i; the last bucket is unbounded.
  static uint64_t bucket_upper_us(size_t i);
  static size_t bucket_for(uint64_t micros);

  void add(uint64_t micros);
  void merge(const LatencyHistogram& other);
  void clear() { *this = LatencyHistogram(); }

  uint64_t count() const { return count_; }
  uint64_t sum_us() const { return sum_us_; }
  uint64_t max_us() const { return max_us_; }
  // The q-quantile (0 < q <= 1) in microseconds: the upper bound of the bucket holding it,
  // capped at the largest value seen. 0 when empty.
  uint64_t percentile_us(double q) const;

 private:
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t sum_us_ = 0;
  uint64_t max_us_ = 0;
};

}  // namespace tessera::admin
