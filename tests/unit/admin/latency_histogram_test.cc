#include "admin/latency_histogram.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tessera::admin
