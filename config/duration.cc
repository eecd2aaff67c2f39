#include "config/duration.h"

#include <array>
#include <cstdint>
#include <limits>
#include <utility>

namespace weir::config {
namespace {

constexpr uint64_t kNanosecondsPerMillisecond = 1'000'000;
constexpr uint64_t kMaxNanoseconds = uint64_t{1} << 63;  // Go's limit (int64 nanoseconds)

constexpr std::array<std::pair<std::string_view, uint64_t>, 8> kUnits = {{
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1'000},  // U+03BC Greek small letter mu
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<std::chrono::nanoseconds> parseGoDurationExact(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") {
    return std::chrono::nanoseconds(0);  // Go: the only number without a unit
  }
  if (text.empty()) {
    return std::nullopt;
  }
  unsigned __int128 total = 0;
  while (!text.empty()) {
    // Integer part.
    unsigned __int128 whole = 0;
    size_t i = 0;
    while (i < text.size() && isDigit(text[i])) {
      whole = whole * 10 + static_cast<unsigned>(text[i] - '0');
      if (whole > kMaxNanoseconds) {
        return std::nullopt;
      }
      ++i;
    }
    const bool has_whole = i > 0;
    // Fraction.
    unsigned __int128 fraction = 0;
    unsigned __int128 scale = 1;
    bool has_fraction = false;
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && isDigit(text[i])) {
        if (scale < kMaxNanoseconds) {  // further digits cannot matter at ns precision
          fraction = fraction * 10 + static_cast<unsigned>(text[i] - '0');
          scale *= 10;
        }
        has_fraction = true;
        ++i;
      }
    }
    if (!has_whole && !has_fraction) {
      return std::nullopt;
    }
    // Unit: everything up to the next digit or '.'.
    size_t unit_end = i;
    while (unit_end < text.size() && !isDigit(text[unit_end]) && text[unit_end] != '.') {
      ++unit_end;
    }
    const std::string_view unit_name = text.substr(i, unit_end - i);
    uint64_t unit = 0;
    for (const auto& [name, nanoseconds] : kUnits) {
      if (name == unit_name) {
        unit = nanoseconds;
      }
    }
    if (unit == 0) {
      return std::nullopt;  // missing or unknown unit ("10", "1d")
    }
    total += whole * unit + fraction * unit / scale;
    if (total > kMaxNanoseconds) {
      return std::nullopt;
    }
    text.remove_prefix(unit_end);
  }
  if (total == kMaxNanoseconds) {  // int64 holds -2^63 but not +2^63
    if (!negative) {
      return std::nullopt;
    }
    return std::chrono::nanoseconds(std::numeric_limits<int64_t>::min());
  }
  const auto magnitude = static_cast<int64_t>(total);
  return std::chrono::nanoseconds(negative ? -magnitude : magnitude);
}

std::optional<std::string> istioDurationError(std::chrono::nanoseconds value) {
  if (value < std::chrono::milliseconds(1)) {
    return "duration must be greater than 1ms";
  }
  if (value.count() % static_cast<int64_t>(kNanosecondsPerMillisecond) != 0) {
    return "only durations to ms precision are supported";
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parseGoDuration(std::string_view text) {
  const std::optional<std::chrono::nanoseconds> exact = parseGoDurationExact(text);
  if (!exact || istioDurationError(*exact)) {
    return std::nullopt;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*exact);
}

}  // namespace weir::config
