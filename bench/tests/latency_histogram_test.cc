#include "bench/loadgen/latency_histogram.h"

#include <gtest/gtest.h>

namespace weir::bench {
namespace {

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (std::uint64_t micros = 1; micros <= 100; ++micros) {
    histogram.record(micros);
  }
  EXPECT_EQ(histogram.count(), 100u);
  EXPECT_EQ(histogram.percentile(0.50), 50u);
  EXPECT_EQ(histogram.percentile(0.99), 99u);
  EXPECT_EQ(histogram.percentile(1.0), 100u);
}

TEST(LatencyHistogram, LargeValuesAreWithinOnePercent) {
  LatencyHistogram histogram;
  for (std::uint64_t micros = 1; micros <= 100000; ++micros) {
    histogram.record(micros);
  }
  EXPECT_NEAR(static_cast<double>(histogram.percentile(0.50)), 50000.0, 500.0);
  EXPECT_NEAR(static_cast<double>(histogram.percentile(0.99)), 99000.0, 990.0);
}

TEST(LatencyHistogram, MergeAddsCounts) {
  LatencyHistogram fast;
  LatencyHistogram slow;
  for (int i = 0; i < 90; ++i) fast.record(10);
  for (int i = 0; i < 10; ++i) slow.record(5000);
  fast.merge(slow);
  EXPECT_EQ(fast.count(), 100u);
  EXPECT_EQ(fast.percentile(0.50), 10u);
  EXPECT_NEAR(static_cast<double>(fast.percentile(0.99)), 5000.0, 50.0);
}

TEST(LatencyHistogram, EmptyAndHugeValues) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.percentile(0.5), 0u);
  histogram.record(~0ull);  // clamps into the last bucket instead of overflowing
  EXPECT_GT(histogram.percentile(0.5), 1ull << 39);
}

}  // namespace
}  // namespace weir::bench
