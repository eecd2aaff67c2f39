#include "bench/loadgen/latency_histogram.h"

#include <bit>
#include <cmath>

namespace weir::bench {
namespace {

constexpr unsigned kSubBucketBits = 6;                        // 64 buckets per octave
constexpr std::uint64_t kSubBuckets = 1u << kSubBucketBits;
constexpr unsigned kHighestBit = 40;                          // 2^40 µs ≈ 12.7 days
constexpr std::size_t kBucketCount = kSubBuckets + (kHighestBit - kSubBucketBits + 1) * kSubBuckets;

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

std::size_t LatencyHistogram::bucketOf(std::uint64_t micros) {
  if (micros < kSubBuckets) {
    return static_cast<std::size_t>(micros);
  }
  const unsigned highest_bit = static_cast<unsigned>(std::bit_width(micros)) - 1;
  if (highest_bit > kHighestBit) {
    return kBucketCount - 1;
  }
  const unsigned shift = highest_bit - kSubBucketBits;
  const std::uint64_t sub_bucket = (micros >> shift) - kSubBuckets;  // 0..63
  return static_cast<std::size_t>(kSubBuckets + shift * kSubBuckets + sub_bucket);
}

std::uint64_t LatencyHistogram::lowestValueOf(std::size_t bucket) {
  if (bucket < kSubBuckets) {
    return bucket;
  }
  const std::size_t shift = (bucket - kSubBuckets) / kSubBuckets;
  const std::uint64_t sub_bucket = (bucket - kSubBuckets) % kSubBuckets;
  return (kSubBuckets + sub_bucket) << shift;
}

void LatencyHistogram::record(std::uint64_t micros) {
  ++counts_[bucketOf(micros)];
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    counts_[i] += other.counts_[i];
  }
  count_ += other.count_;
}

std::uint64_t LatencyHistogram::percentile(double quantile) const {
  if (count_ == 0) {
    return 0;
  }
  const auto wanted = static_cast<std::uint64_t>(
      std::max(1.0, std::ceil(quantile * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < counts_.size(); ++bucket) {
    seen += counts_[bucket];
    if (seen >= wanted) {
      const std::uint64_t low = lowestValueOf(bucket);
      const std::uint64_t high = bucket + 1 < counts_.size() ? lowestValueOf(bucket + 1) - 1 : low;
      return low + (high - low) / 2;
    }
  }
  return lowestValueOf(counts_.size() - 1);
}

}  // namespace weir::bench
