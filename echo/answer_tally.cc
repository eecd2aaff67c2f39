#include "echo/answer_tally.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace weir::echo {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n\v\f";

}  // namespace

std::string_view firstWord(std::string_view line) {
  std::size_t start = line.find_first_not_of(kWhitespace);
  if (start == std::string_view::npos) {
    return {};
  }
  std::size_t end = line.find_first_of(kWhitespace, start);
  return line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

std::string formatPercent(std::size_t part, std::size_t whole) {
  if (whole == 0) {
    return "0.0%";
  }
  // Integer tenths of a percent, rounded half up, so 1/16 is always "6.3%" and never
  // depends on how a double happens to round.
  unsigned long long tenths =
      (static_cast<unsigned long long>(part) * 2000ULL + whole) / (2ULL * whole);
  return fmt::format("{}.{}%", tenths / 10, tenths % 10);
}

std::vector<NameCount> sortByCountThenName(const std::map<std::string, std::size_t>& counts) {
  std::vector<NameCount> sorted;
  sorted.reserve(counts.size());
  for (const auto& [name, count] : counts) {
    sorted.push_back(NameCount{name, count});
  }
  // The map is already in name order; a stable sort by count keeps it for ties.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const NameCount& a, const NameCount& b) { return a.count > b.count; });
  return sorted;
}

std::string describeSocketError(bool connected, int error_number) {
  if (error_number == ECONNREFUSED) {
    return "connect refused";
  }
  if (error_number == ECONNRESET || error_number == EPIPE) {
    return "connection reset";
  }
  const char* reason = error_number == 0 ? "unknown error" : std::strerror(error_number);
  return fmt::format("{}: {}", connected ? "socket error" : "connect failed", reason);
}

void AnswerTally::addAnswer(std::string_view line) {
  std::string_view word = firstWord(line);
  ++by_word_[std::string(word.empty() ? kNoWord : word)];
  ++answers_;
}

void AnswerTally::addError(std::string_view kind) {
  ++by_error_[std::string(kind)];
  ++errors_;
}

std::string AnswerTally::report() const {
  std::string text;
  for (const NameCount& entry : sortByCountThenName(by_word_)) {
    text +=
        fmt::format("{} {} ({})\n", entry.name, entry.count, formatPercent(entry.count, answers_));
  }
  text += fmt::format("errors {}\n", errors_);
  for (const NameCount& entry : sortByCountThenName(by_error_)) {
    text += fmt::format("  {} {}\n", entry.name, entry.count);
  }
  return text;
}

}  // namespace weir::echo
