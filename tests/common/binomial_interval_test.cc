#include "weir/binomial_interval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace weir {
namespace {

// Reference values from Python's statistics.NormalDist().inv_cdf.

TEST(InverseNormalCdf, KnownQuantiles) {
  EXPECT_NEAR(inverseNormalCdf(0.5), 0.0, 1e-15);
  EXPECT_NEAR(inverseNormalCdf(0.975), 1.9599639845400536, 1e-12);
  EXPECT_NEAR(inverseNormalCdf(0.025), -1.9599639845400536, 1e-12);
  EXPECT_NEAR(inverseNormalCdf(1e-10), -6.361340902404056, 1e-10);
}

TEST(InverseNormalCdf, InvertsTheCdfInEveryRegion) {
  // Acklam's three regions meet at 0.02425 and 0.97575; probe on both sides of each.
  for (double p : {1e-300, 1e-20, 1e-5, 0.001, 0.0242, 0.0243, 0.1, 0.3, 0.5, 0.7, 0.9,
                   0.9757, 0.9758, 0.999, 1 - 1e-12}) {
    double x = inverseNormalCdf(p);
    double back = 0.5 * std::erfc(-x / std::numbers::sqrt2);
    EXPECT_NEAR(back / p, 1.0, 1e-12) << p;
  }
}

TEST(InverseNormalCdf, RefusesProbabilitiesOutsideTheOpenUnitInterval) {
  for (double p : {0.0, 1.0, -0.1, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_THROW(inverseNormalCdf(p), std::invalid_argument) << p;
  }
}

TEST(TwoSidedZ, TheUsualConfidences) {
  EXPECT_NEAR(twoSidedZ(0.999), 3.2905, 1e-3);
  EXPECT_NEAR(twoSidedZ(0.99), 2.5758, 1e-3);
  EXPECT_NEAR(twoSidedZ(0.95), 1.9600, 1e-3);
  EXPECT_NEAR(twoSidedZ(0.999), 3.2905267314919255, 1e-12);
  EXPECT_NEAR(twoSidedZ(0.9995), 3.4807564043462422, 1e-12);
  EXPECT_THROW(twoSidedZ(1.0), std::invalid_argument);
  EXPECT_THROW(twoSidedZ(0.0), std::invalid_argument);
}

TEST(BonferroniConfidence, SplitsTheMissBetweenTheComparisons) {
  EXPECT_DOUBLE_EQ(bonferroniConfidence(0.999, 0), 0.999);
  EXPECT_DOUBLE_EQ(bonferroniConfidence(0.999, 1), 0.999);
  EXPECT_DOUBLE_EQ(bonferroniConfidence(0.999, 2), 0.9995);
  EXPECT_DOUBLE_EQ(bonferroniConfidence(0.999, 3), 1 - 0.001 / 3);
  EXPECT_DOUBLE_EQ(bonferroniConfidence(0.95, 5), 0.99);
}

TEST(BinomialInterval, EightyPercentOfAThousandAt999) {
  // 800 ± 41.62: [758.38, 841.62].
  CountInterval interval = binomialInterval(1000, 0.8, 0.999);
  EXPECT_EQ(interval, (CountInterval{759, 841}));
  EXPECT_TRUE(interval.contains(759));
  EXPECT_FALSE(interval.contains(758));
  EXPECT_TRUE(interval.contains(841));
  EXPECT_FALSE(interval.contains(842));
}

TEST(BinomialInterval, BonferroniWidensIt) {
  EXPECT_EQ(binomialInterval(1000, 0.8, bonferroniConfidence(0.999, 2)),
            (CountInterval{756, 844}));
  EXPECT_EQ(binomialInterval(1000, 0.2, bonferroniConfidence(0.999, 2)),
            (CountInterval{156, 244}));
  EXPECT_EQ(binomialInterval(2000, 0.8, 0.9995), (CountInterval{1538, 1662}));}

TEST(BinomialInterval, TheTestingExampleKeepsItsTolerance) {
  // examples/testing asserted |count − 1600| <= 3.29·sqrt(2000·0.8·0.2) = 58.85 before it
  // used binomialInterval: the same whole counts.
  EXPECT_EQ(binomialInterval(2000, 0.8, 0.999), (CountInterval{1542, 1658}));
}

TEST(BinomialInterval, ABoundOnAWholeCountIncludesIt) {
  // n = 100, p = 0.5: 50 ± z·5; at the confidence whose z is exactly 2 the bounds are
  // 40 and 60, up to rounding error in z.
  double confidence_of_z2 = std::erf(2.0 / std::numbers::sqrt2);
  EXPECT_NEAR(twoSidedZ(confidence_of_z2), 2.0, 1e-12);
  EXPECT_EQ(binomialInterval(100, 0.5, confidence_of_z2), (CountInterval{40, 60}));
  // Just a little more confidence and the bounds move out past 40 and 60 ...
  EXPECT_EQ(binomialInterval(100, 0.5, confidence_of_z2 + 1e-6), (CountInterval{40, 60}));
  // ... just a little less and they no longer reach them.
  EXPECT_EQ(binomialInterval(100, 0.5, confidence_of_z2 - 1e-6), (CountInterval{41, 59}));
}

TEST(BinomialInterval, ExactShares) {
  EXPECT_EQ(binomialInterval(1000, 0.0, 0.999), (CountInterval{0, 0}));
  EXPECT_EQ(binomialInterval(1000, 1.0, 0.999), (CountInterval{1000, 1000}));
  EXPECT_EQ(binomialInterval(0, 1.0, 0.999), (CountInterval{0, 0}));
}

TEST(BinomialInterval, ClampedToZeroAndN) {
  EXPECT_EQ(binomialInterval(10, 0.5, 0.999), (CountInterval{0, 10}));  // [-0.2, 10.2]
  EXPECT_EQ(binomialInterval(5, 0.1, 0.999), (CountInterval{0, 2}));    // [-1.7, 2.7]
  EXPECT_EQ(binomialInterval(0, 0.5, 0.999), (CountInterval{0, 0}));
}

TEST(BinomialInterval, RefusesBadArguments) {
  EXPECT_THROW(binomialInterval(10, -0.1, 0.999), std::invalid_argument);
  EXPECT_THROW(binomialInterval(10, 1.1, 0.999), std::invalid_argument);
  EXPECT_THROW(binomialInterval(10, 0.5, 1.0), std::invalid_argument);
}

TEST(BinomialHalfWidth, ZTimesTheStandardDeviation) {
  // n = 10000, p = 0.8: sd = sqrt(10000·0.8·0.2) = 40.
  EXPECT_NEAR(binomialHalfWidth(10000, 0.8, 3.29), 131.6, 1e-9);
  EXPECT_NEAR(binomialHalfWidth(10000, 0.5, 1.0), 50.0, 1e-9);
  EXPECT_EQ(binomialHalfWidth(10000, 0.0, 3.29), 0.0);
  EXPECT_EQ(binomialHalfWidth(10000, 1.0, 3.29), 0.0);
  // binomialInterval is n·p ± binomialHalfWidth at twoSidedZ, rounded inward:
  // 1000 at 0.8, 99.9%: 800 ± 41.62 → [759, 841].
  EXPECT_NEAR(binomialHalfWidth(1000, 0.8, twoSidedZ(0.999)), 41.62, 0.01);
}

TEST(FormatConfidence, FewestDecimalsThatShowIt) {
  EXPECT_EQ(formatConfidence(0.999), "99.9%");
  EXPECT_EQ(formatConfidence(0.9995), "99.95%");
  EXPECT_EQ(formatConfidence(0.95), "95%");
  EXPECT_EQ(formatConfidence(0.5), "50%");
  EXPECT_EQ(formatConfidence(1 - 0.001 / 3), "99.9667%");
  EXPECT_EQ(formatConfidence(0.999999999), "99.9999999%");  // not "100%"
  EXPECT_EQ(formatConfidence(1e-9), "0.0000001%");          // not "0%"
}

}  // namespace
}  // namespace weir
