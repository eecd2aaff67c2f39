#include "proxy/upstream/endpoint_pick.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace weir::proxy {
namespace {

TEST(PickWeightedRoundRobin, EqualWeightsTakeTurns) {
  const std::vector<uint32_t> weights = {1, 1, 1};
  std::vector<int64_t> credits;
  std::vector<size_t> picks;
  for (int i = 0; i < 6; ++i) picks.push_back(*pickWeightedRoundRobin(weights, credits));
  EXPECT_EQ(picks, (std::vector<size_t>{0, 1, 2, 0, 1, 2}));
}

TEST(PickWeightedRoundRobin, SingleEndpointAlwaysChosen) {
  const std::vector<uint32_t> weights = {7};
  std::vector<int64_t> credits;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(pickWeightedRoundRobin(weights, credits), 0u);
}

TEST(PickWeightedRoundRobin, WeightsAreExactOverEachCycleAndSpreadEvenly) {
  const std::vector<uint32_t> weights = {5, 1, 1};
  std::vector<int64_t> credits;
  std::vector<size_t> picks;
  for (int i = 0; i < 7; ++i) picks.push_back(*pickWeightedRoundRobin(weights, credits));
  // nginx's smooth weighted round robin: a a b a c a a, not a a a a a b c.
  EXPECT_EQ(picks, (std::vector<size_t>{0, 0, 1, 0, 2, 0, 0}));
  std::map<size_t, int> counts;
  for (int i = 0; i < 700; ++i) ++counts[*pickWeightedRoundRobin(weights, credits)];
  EXPECT_EQ(counts[0], 500);
  EXPECT_EQ(counts[1], 100);
  EXPECT_EQ(counts[2], 100);
}

TEST(PickWeightedRoundRobin, ZeroWeightIsSkippedAndAllZeroIsNone) {
  std::vector<int64_t> credits;
  const std::vector<uint32_t> weights = {0, 2};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(pickWeightedRoundRobin(weights, credits), 1u);
  const std::vector<uint32_t> none = {0, 0};
  EXPECT_FALSE(pickWeightedRoundRobin(none, credits).has_value());
}

TEST(PickWeightedRandom, IntervalsFollowWeights) {
  const std::vector<uint32_t> weights = {3, 0, 1};
  EXPECT_EQ(pickWeightedRandom(weights, 0), 0u);
  EXPECT_EQ(pickWeightedRandom(weights, 2), 0u);
  EXPECT_EQ(pickWeightedRandom(weights, 3), 2u);
  EXPECT_EQ(pickWeightedRandom(weights, 4), 0u);  // modulo the total, 4
  EXPECT_FALSE(pickWeightedRandom(std::vector<uint32_t>{0}, 7).has_value());
}

TEST(PickLeastRequest, OfTwoDrawsTheLessLoadedWins) {
  const std::vector<uint32_t> weights = {1, 1, 1, 1};
  const std::vector<uint64_t> active = {5, 0, 3, 3};
  // Draws 0 and 1 (random values 0 and 1): endpoint 1 has fewer connections.
  EXPECT_EQ(pickLeastRequest(weights, active, 0, 1), 1u);
  EXPECT_EQ(pickLeastRequest(weights, active, 1, 0), 1u);
  // A tie keeps the first draw.
  EXPECT_EQ(pickLeastRequest(weights, active, 2, 3), 2u);
  EXPECT_EQ(pickLeastRequest(weights, active, 3, 2), 3u);
}

TEST(PickLeastRequest, LoadIsPerUnitOfWeight) {
  // Endpoint 0 (weight 4) with 4 connections is less loaded than endpoint 1
  // (weight 1) with 2.
  const std::vector<uint32_t> weights = {4, 1};
  const std::vector<uint64_t> active = {4, 2};
  EXPECT_EQ(pickLeastRequest(weights, active, 4, 0), 0u);  // draws: 1, then 0
}

}  // namespace
}  // namespace weir::proxy
