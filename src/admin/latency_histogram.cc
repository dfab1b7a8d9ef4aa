#include "admin/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace tessera::admin {

namespace {

// Bucket 0 holds up to 10 us; each next bound grows by 19% (rounded up, at least +1 us), so
// 112 buckets reach past 30 minutes and a percentile is off by at most one bucket width.
struct Bounds {
  std::array<uint64_t, LatencyHistogram::kBuckets> upper{};
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
  const auto& u = bounds().upper;
  return static_cast<size_t>(std::lower_bound(u.begin(), u.end(), micros) - u.begin());
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
