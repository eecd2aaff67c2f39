#include "proxy/upstream/upstream_pick.h"

#include <gtest/gtest.h>

#include <vector>

namespace weir::proxy {
namespace {

std::vector<config::WeightedDestination> weights(std::initializer_list<uint32_t> values) {
  std::vector<config::WeightedDestination> destinations;
  size_t index = 0;
  for (uint32_t weight : values) {
    config::WeightedDestination destination;
    destination.cluster_index = index++;
    destination.weight = weight;
    destinations.push_back(std::move(destination));
  }
  return destinations;
}

TEST(PickDestination, EightyTwentyIntervalBoundaries) {
  const auto destinations = weights({80, 20});
  // [0, 80) -> first, [80, 100) -> second; the random value is taken modulo 100.
  EXPECT_EQ(pickDestination(destinations, 100, 0), 0u);
  EXPECT_EQ(pickDestination(destinations, 100, 79), 0u);
  EXPECT_EQ(pickDestination(destinations, 100, 80), 1u);
  EXPECT_EQ(pickDestination(destinations, 100, 99), 1u);
  EXPECT_EQ(pickDestination(destinations, 100, 100), 0u);
  EXPECT_EQ(pickDestination(destinations, 100, 179), 0u);
  EXPECT_EQ(pickDestination(destinations, 100, 180), 1u);
}

TEST(PickDestination, ThreeWayBoundaries) {
  const auto destinations = weights({60, 30, 10});
  EXPECT_EQ(pickDestination(destinations, 100, 59), 0u);
  EXPECT_EQ(pickDestination(destinations, 100, 60), 1u);
  EXPECT_EQ(pickDestination(destinations, 100, 89), 1u);
  EXPECT_EQ(pickDestination(destinations, 100, 90), 2u);
  EXPECT_EQ(pickDestination(destinations, 100, 99), 2u);
}

TEST(PickDestination, ZeroWeightIsNeverPicked) {
  const auto destinations = weights({0, 5, 0});
  for (uint64_t value = 0; value < 1000; ++value) {
    EXPECT_EQ(pickDestination(destinations, 5, value), 1u) << "random value " << value;
  }
  const auto last_zero = weights({100, 0});
  for (uint64_t value = 0; value < 1000; ++value) {
    EXPECT_EQ(pickDestination(last_zero, 100, value), 0u) << "random value " << value;
  }
}

TEST(PickDestination, RelativeWeightsNeedNotSumToHundred) {
  const auto destinations = weights({1, 3});
  EXPECT_EQ(pickDestination(destinations, 4, 0), 0u);
  EXPECT_EQ(pickDestination(destinations, 4, 1), 1u);
  EXPECT_EQ(pickDestination(destinations, 4, 3), 1u);
  EXPECT_EQ(pickDestination(destinations, 4, 4), 0u);
}

TEST(PickDestination, LargestRandomValueStaysInRange) {
  const auto destinations = weights({80, 20});
  const uint64_t max = ~uint64_t{0};
  EXPECT_EQ(pickDestination(destinations, 100, max), (max % 100) < 80 ? 0u : 1u);
}

}  // namespace
}  // namespace weir::proxy
