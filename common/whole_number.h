// Whole numbers as the command lines write them: decimal digits only (no sign, no
// spaces, nothing after them), and for byte counts a binary suffix. Each program
// words its own errors from what these return.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace weir::cli {

struct WholeNumber {
  enum class Problem { kNone, kNotANumber, kTooLarge };
  std::uint64_t value = 0;
  Problem problem = Problem::kNone;  // kTooLarge: digits only, but past UINT64_MAX
};

// "65536".
WholeNumber readWholeNumber(std::string_view text);

// "65536", or with K, M or G for 2^10, 2^20, 2^30: "16M" is 16 MiB.
WholeNumber readByteCount(std::string_view text);

// The number in `text` if it is one and lies in [min, max]; nullopt otherwise.
std::optional<std::uint64_t> wholeNumberIn(std::string_view text, std::uint64_t min,
                                           std::uint64_t max);

}  // namespace weir::cli
