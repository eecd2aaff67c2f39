// What tcp-echo-client counts and how it reports it. Pure; no sockets.
//
// Report format (stdout), answers sorted by count descending then name, then errors the
// same way:
//   one 801 (80.1%)
//   two 199 (19.9%)
//   errors 2
//     connect refused 2
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace weir::echo {

// The first whitespace-separated word of an answer line; "" if there is none.
std::string_view firstWord(std::string_view line);

// `part` as a percentage of `whole` with one decimal, rounded half up: "80.1%".
// "0.0%" when whole is 0.
std::string formatPercent(std::size_t part, std::size_t whole);

struct NameCount {
  std::string name;
  std::size_t count = 0;

  bool operator==(const NameCount&) const = default;
};

// Largest count first; equal counts in name order.
std::vector<NameCount> sortByCountThenName(const std::map<std::string, std::size_t>& counts);

// The error kind for a failed socket: "connect refused", "connection reset",
// "connect failed: <strerror>" before the connection was established,
// "socket error: <strerror>" after.
std::string describeSocketError(bool connected, int error_number);

// Not thread-safe; the client's event loop owns it.
class AnswerTally {
 public:
  // Word counted for an answer that holds no word (an empty line, say).
  static constexpr std::string_view kNoWord = "(empty)";

  void addAnswer(std::string_view line);
  void addError(std::string_view kind);

  std::size_t answers() const { return answers_; }
  std::size_t errors() const { return errors_; }

  // Answers by first word (kNoWord for none), for checking a split.
  const std::map<std::string, std::size_t>& answersByWord() const { return by_word_; }

  // The whole report, every line ending in '\n'.
  std::string report() const;

 private:
  std::map<std::string, std::size_t> by_word_;
  std::map<std::string, std::size_t> by_error_;
  std::size_t answers_ = 0;
  std::size_t errors_ = 0;
};

}  // namespace weir::echo
