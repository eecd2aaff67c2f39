#include "proxy/upstream/random_source.h"

#include <gtest/gtest.h>

#include <vector>

namespace weir::proxy {
namespace {

std::vector<uint64_t> draw(RandomSource& random, int count) {
  std::vector<uint64_t> values;
  for (int i = 0; i < count; ++i) values.push_back(random.next());
  return values;
}

TEST(SeededRandom, SameSeedSameSequence) {
  SeededRandom a(42), b(42);
  EXPECT_EQ(draw(a, 100), draw(b, 100));
}

TEST(SeededRandom, DifferentSeedDifferentSequence) {
  SeededRandom a(42), b(43);
  EXPECT_NE(draw(a, 10), draw(b, 10));
}

TEST(MakeWorkerRandom, WorkerZeroUsesTheSeedItselfAndWorkersDiffer) {
  auto worker0 = makeWorkerRandom(7, 0);
  auto worker1 = makeWorkerRandom(7, 1);
  SeededRandom reference(7);
  auto first = draw(*worker0, 20);
  EXPECT_EQ(first, draw(reference, 20));
  EXPECT_NE(first, draw(*worker1, 20));
}

TEST(SeededRandom, SplitsEightyTwentyWithinBinomialTolerance) {
  // 100,000 draws at p = 0.8: sd = sqrt(n p (1-p)) ~ 126.5; 4.5 sd ~ 570 makes a
  // false failure practically impossible, and the seed is fixed anyway.
  SeededRandom random(1);
  int first = 0;
  for (int i = 0; i < 100000; ++i) {
    if (random.next() % 100 < 80) ++first;
  }
  EXPECT_NEAR(first, 80000, 570);
}

}  // namespace
}  // namespace weir::proxy
