// The statistics behind `tcp-echo-client --expect` and the split tests: how many of n
// connections a destination with share p may get before the split counts as wrong.
// Pure functions, no state. Installed with weir::common, for tests that embed Weir.
//
// The interval is the normal approximation of the binomial, n·p ± z·sqrt(n·p·(1−p)),
// which is rough for small n (say n·p or n·(1−p) below 10) but is computed all the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace weir {

// Φ⁻¹: the x with P(N(0,1) <= x) = probability, for probability in (0, 1).
// Acklam's rational approximation refined by one Halley step on std::erfc, so the result is
// good to about 1e-15 relative. Throws std::invalid_argument outside (0, 1).
double inverseNormalCdf(double probability);

// z of a two-sided interval at `confidence` in (0, 1): 0.999 → 3.2905, 0.99 → 2.5758,
// 0.95 → 1.9600. Throws std::invalid_argument outside (0, 1).
double twoSidedZ(double confidence);

// The confidence each of `comparisons` intervals needs so that all of them hold together
// at `confidence` (Bonferroni): 1 − (1 − confidence) / comparisons. One comparison or none
// needs no correction.
double bonferroniConfidence(double confidence, std::size_t comparisons);

// z·sqrt(n·p·(1−p)): how far from n·p, in counts, the interval at `z` reaches on each
// side (z from twoSidedZ, or a rounded one such as 3.29 for 99.9%).
double binomialHalfWidth(std::uint64_t n, double p, double z);

// Counts low..high, both included.
struct CountInterval {
  std::uint64_t low = 0;
  std::uint64_t high = 0;

  bool contains(std::uint64_t count) const { return low <= count && count <= high; }
  bool operator==(const CountInterval&) const = default;
};

// The counts k out of n that lie within n·p ± z·sqrt(n·p·(1−p)) at two-sided `confidence`:
// the real bounds rounded inward to whole counts (n = 1000, p = 0.8, 99.9%:
// [758.38, 841.62] → [759, 841]), then clamped to [0, n]. A bound that lands exactly on a
// whole count includes it. p = 0 gives [0, 0] and p = 1 gives [n, n] at any confidence.
// With a very low confidence and a tiny n the interval may hold no count (low > high).
// Throws std::invalid_argument if p is outside [0, 1] or, for 0 < p < 1, confidence is
// outside (0, 1).
CountInterval binomialInterval(std::uint64_t n, double p, double confidence);

// A confidence as a percentage with as few decimals as show it exactly, at most 4 unless
// more are needed to stay off 0% and 100%: 0.999 → "99.9%", 0.9995 → "99.95%",
// 0.95 → "95%", 1 − 0.001/3 → "99.9667%".
std::string formatConfidence(double confidence);

}  // namespace weir
