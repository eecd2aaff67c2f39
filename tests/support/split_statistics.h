// Tolerances of the statistical split tests, from the binomial distribution.
#pragma once

#include <cmath>
#include <cstddef>

#include "weir/binomial_interval.h"

namespace weir::test {

// z of a two-sided 99.9% normal interval (P(|Z| > 3.29) ≈ 0.001).
inline constexpr double kZ999 = 3.29;

// z of a two-sided interval whose error rate 0.001 is shared by 3 comparisons
// (Bonferroni: each gets 0.001 / 3, i.e. P(|Z| > 3.59) ≈ 0.000333).
inline constexpr double kZ999Bonferroni3 = 3.59;

// Half-width, rounded up, of the interval n·p ± z·sqrt(n·p·(1−p)) for the number of
// hits among n independent picks of probability p (weir::binomialHalfWidth, the
// interval tcp-echo-client --expect uses, rounded outward).
inline size_t binomialHalfWidth(size_t n, double p, double z) {
  return static_cast<size_t>(std::ceil(weir::binomialHalfWidth(n, p, z)));
}

}  // namespace weir::test
