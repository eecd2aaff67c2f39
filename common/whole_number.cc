#include "common/whole_number.h"

#include <charconv>
#include <limits>

namespace weir::cli {

WholeNumber readWholeNumber(std::string_view text) {
  // from_chars takes no sign or spaces for an unsigned type, but stops at the first
  // non-digit; the whole text must be digits.
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return {0, WholeNumber::Problem::kNotANumber};
  }
  std::uint64_t value = 0;
  if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc()) {
    return {0, WholeNumber::Problem::kTooLarge};
  }
  return {value, WholeNumber::Problem::kNone};
}

WholeNumber readByteCount(std::string_view text) {
  std::uint64_t multiplier = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K': multiplier = 1ull << 10; break;
      case 'M': multiplier = 1ull << 20; break;
      case 'G': multiplier = 1ull << 30; break;
      default: break;
    }
  }
  WholeNumber number = readWholeNumber(multiplier == 1 ? text : text.substr(0, text.size() - 1));
  if (number.problem == WholeNumber::Problem::kNone) {
    if (number.value > std::numeric_limits<std::uint64_t>::max() / multiplier) {
      return {0, WholeNumber::Problem::kTooLarge};
    }
    number.value *= multiplier;
  }
  return number;
}

std::optional<std::uint64_t> wholeNumberIn(std::string_view text, std::uint64_t min,
                                           std::uint64_t max) {
  const WholeNumber number = readWholeNumber(text);
  if (number.problem != WholeNumber::Problem::kNone || number.value < min ||
      number.value > max) {
    return std::nullopt;
  }
  return number.value;
}

}  // namespace weir::cli
