#include "weir/binomial_interval.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <stdexcept>

namespace weir {
namespace {

// Peter J. Acklam, "An algorithm for computing the inverse normal cumulative distribution
// function": relative error below 1.15e-9 before refinement.
constexpr std::array<double, 6> kCentralNumerator{
    -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
    1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
constexpr std::array<double, 5> kCentralDenominator{
    -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
    6.680131188771972e+01, -1.328068155288572e+01};
constexpr std::array<double, 6> kTailNumerator{
    -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
    -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
constexpr std::array<double, 4> kTailDenominator{
    7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
    3.754408661907416e+00};
constexpr double kTailStart = 0.02425;

// Horner's rule; `leading_one` appends a constant term of 1 (Acklam's denominators).
template <std::size_t N>
double polynomial(const std::array<double, N>& coefficients, double x, bool leading_one) {
  double value = 0.0;
  for (double coefficient : coefficients) {
    value = value * x + coefficient;
  }
  return leading_one ? value * x + 1.0 : value;
}

// Φ⁻¹ for a lower tail probability in (0, kTailStart).
double lowerTail(double probability) {
  double q = std::sqrt(-2.0 * std::log(probability));
  return polynomial(kTailNumerator, q, false) / polynomial(kTailDenominator, q, true);
}

// The normal CDF through erfc, accurate in both tails.
double normalCdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

void requireOpenUnitInterval(double value, const char* what) {
  if (!(value > 0.0 && value < 1.0)) {
    throw std::invalid_argument(fmt::format("{} must be in (0, 1), got {}", what, value));
  }
}

}  // namespace

double inverseNormalCdf(double probability) {
  requireOpenUnitInterval(probability, "probability");
  double x;
  if (probability < kTailStart) {
    x = lowerTail(probability);
  } else if (probability > 1.0 - kTailStart) {
    x = -lowerTail(1.0 - probability);
  } else {
    double q = probability - 0.5;
    double r = q * q;
    x = polynomial(kCentralNumerator, r, false) * q / polynomial(kCentralDenominator, r, true);
  }
  // One Halley step on Φ(x) − p brings the error down to double precision.
  double error = normalCdf(x) - probability;
  double u = error * std::sqrt(2.0 * std::numbers::pi) * std::exp(x * x / 2.0);
  return x - u / (1.0 + x * u / 2.0);
}

double twoSidedZ(double confidence) {
  requireOpenUnitInterval(confidence, "confidence");
  // The lower tail keeps its precision where 1 − α/2 would round to 1.
  return -inverseNormalCdf((1.0 - confidence) / 2.0);
}

double bonferroniConfidence(double confidence, std::size_t comparisons) {
  if (comparisons <= 1) {
    return confidence;
  }
  return 1.0 - (1.0 - confidence) / static_cast<double>(comparisons);
}

double binomialHalfWidth(std::uint64_t n, double p, double z) {
  return z * std::sqrt(static_cast<double>(n) * p * (1.0 - p));
}

CountInterval binomialInterval(std::uint64_t n, double p, double confidence) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw std::invalid_argument(fmt::format("share must be in [0, 1], got {}", p));
  }
  if (p == 0.0) {
    return {0, 0};
  }
  if (p == 1.0) {
    return {n, n};
  }
  double count = static_cast<double>(n);
  double mean = count * p;
  double half_width = binomialHalfWidth(n, p, twoSidedZ(confidence));
  // A bound that is a whole count up to rounding error (n·p for p = 1/3, say) includes it.
  double slack = 1e-9 * (1.0 + mean);
  double low = std::ceil(mean - half_width - slack);
  double high = std::floor(mean + half_width + slack);
  low = std::max(low, 0.0);
  high = std::min(high, count);
  return {static_cast<std::uint64_t>(low), static_cast<std::uint64_t>(high)};
}

std::string formatConfidence(double confidence) {
  double percent = confidence * 100.0;
  constexpr int kUsualDecimals = 4;
  constexpr int kMostDecimals = 15;
  for (int decimals = 0; decimals <= kMostDecimals; ++decimals) {
    std::string text = fmt::format("{:.{}f}", percent, decimals);
    double shown = std::strtod(text.c_str(), nullptr);
    bool exact = std::abs(shown - percent) <= 1e-9 * std::abs(percent);
    bool at_a_bound = shown <= 0.0 || shown >= 100.0;
    if ((exact || decimals >= kUsualDecimals) && !at_a_bound) {
      return text + "%";
    }
  }
  return fmt::format("{}%", percent);
}

}  // namespace weir
