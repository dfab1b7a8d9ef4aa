#include "admin/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace tessera::admin {
namespace {

TEST(LatencyHistogram, BoundsGrowAndCoverMinutes) {
  for (size_t i = 1; i < LatencyHistogram::kBuckets; ++i) {
    EXPECT_GT(LatencyHistogram::bucket_upper_us(i), LatencyHistogram::bucket_upper_us(i - 1));
  }
  EXPECT_GT(LatencyHistogram::bucket_upper_us(LatencyHistogram::kBuckets - 2), 600'000'000u);
}

TEST(LatencyHistogram, EmptyHasNoPercentiles) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile_us(0.5), 0u);
}

TEST(LatencyHistogram, PercentilesWithinOneBucket) {
  LatencyHistogram h;
  // 1..1000 ms, uniformly: p50 ~ 500 ms, p99 ~ 990 ms.
  for (uint64_t ms = 1; ms <= 1000; ++ms) h.add(ms * 1000);
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.max_us(), 1'000'000u);
  auto p50 = h.percentile_us(0.50);
  auto p99 = h.percentile_us(0.99);
  EXPECT_GE(p50, 500'000u);
  EXPECT_LE(p50, 500'000u * 1.2);
  EXPECT_GE(p99, 990'000u);
  EXPECT_LE(p99, 1'000'000u);  // capped at the maximum seen
  EXPECT_EQ(h.percentile_us(1.0), 1'000'000u);
}

TEST(LatencyHistogram, MergeAddsUp) {
  LatencyHistogram a, b;
  for (int i = 0; i < 90; ++i) a.add(100);
  for (int i = 0; i < 10; ++i) b.add(50'000);
  a.merge(b);
  EXPECT_EQ(a.count(), 100u);
  EXPECT_EQ(a.sum_us(), 90u * 100 + 10u * 50'000);
  EXPECT_LE(a.percentile_us(0.5), 120u);
  EXPECT_GE(a.percentile_us(0.95), 42'000u);
  EXPECT_EQ(a.percentile_us(0.99), 50'000u);
}

TEST(LatencyHistogram, ValueLandsInItsBucket) {
  for (uint64_t v : {0ull, 1ull, 10ull, 11ull, 12345ull, 987654321ull}) {
    size_t i = LatencyHistogram::bucket_for(v);
    EXPECT_LE(v, LatencyHistogram::bucket_upper_us(i));
    if (i > 0) {
      EXPECT_GT(v, LatencyHistogram::bucket_upper_us(i - 1));
    }
  }
}

TEST(LatencyHistogram, BucketIsTheFirstBoundHoldingTheValue) {
  // Every bound, its neighbours, every power of two and its neighbours: the bucket is the first
  // whose bound is at least the value (a binary search over the bounds says the same).
  std::vector<uint64_t> bounds;
  for (size_t i = 0; i < LatencyHistogram::kBuckets; ++i)
    bounds.push_back(LatencyHistogram::bucket_upper_us(i));
  std::vector<uint64_t> values = {0, UINT64_MAX, UINT64_MAX - 1};
  for (uint64_t b : bounds) values.insert(values.end(), {b - 1, b, b + 1});
  for (int k = 0; k < 64; ++k) {
    const uint64_t p = uint64_t{1} << k;
    values.insert(values.end(), {p - 1, p, p + 1});
  }
  for (uint64_t v = 0; v < 100000; v += 7) values.push_back(v);
  for (uint64_t v : values) {
    const size_t want =
        static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin());
    ASSERT_EQ(LatencyHistogram::bucket_for(v), want) << v;
  }
}

}  // namespace
}  // namespace tessera::admin
