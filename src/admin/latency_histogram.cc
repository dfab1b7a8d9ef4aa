#include "admin/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tessera::admin {

namespace {

// Bucket 0 holds up to 10 us; each next bound grows by 19% (rounded up, at least +1 us), so
// 112 buckets reach past 30 minutes and a percentile is off by at most one bucket width.
struct Bounds {
  std::array<uint64_t, LatencyHistogram::kBuckets> upper{};
  // Per bit width of a value (0..64): the first bucket whose bound is at least the smallest
  // value of that width. A value's bucket is that one or one of the next few (about four bounds
  // per doubling): found without a binary search over every bound, on every statement.
  std::array<uint8_t, 65> first{};
  Bounds() {
    double b = 10.0;
    uint64_t prev = 0;
    for (size_t i = 0; i < upper.size(); ++i) {
      uint64_t v = std::max<uint64_t>(prev + 1, static_cast<uint64_t>(std::ceil(b)));
      upper[i] = v;
      prev = v;
      b *= 1.19;
    }
    upper.back() = UINT64_MAX;
    for (size_t width = 0; width < first.size(); ++width) {
      const uint64_t smallest = width == 0 ? 0 : uint64_t{1} << (width - 1);
      first[width] = static_cast<uint8_t>(std::lower_bound(upper.begin(), upper.end(), smallest) -
                                          upper.begin());
    }
  }
};

const Bounds& bounds() {
  static const Bounds b;
  return b;
}

}  // namespace

uint64_t LatencyHistogram::bucket_upper_us(size_t i) {
  return bounds().upper[std::min(i, kBuckets - 1)];
}

size_t LatencyHistogram::bucket_for(uint64_t micros) {
  // The first bound >= micros (std::lower_bound's answer), searched from the first bound that
  // can hold a value of its bit width (the last bound is UINT64_MAX: the scan ends).
  const Bounds& b = bounds();
  size_t i = b.first[std::bit_width(micros)];
  while (b.upper[i] < micros) ++i;
  return i;
}

void LatencyHistogram::add(uint64_t micros) {
  buckets_[bucket_for(micros)]++;
  count_++;
  sum_us_ += micros;
  max_us_ = std::max(max_us_, micros);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_us_ += other.sum_us_;
  max_us_ = std::max(max_us_, other.max_us_);
}

uint64_t LatencyHistogram::percentile_us(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Rank of the value wanted, 1-based: ceil(q * count), at least 1.
  uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * count_)));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(bucket_upper_us(i), max_us_);
  }
  return max_us_;
}

}  // namespace tessera::admin
