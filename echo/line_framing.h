// The line protocol of Istio's tcp-echo sample, as a pure function over bytes.
//
// For every line a client sends (up to and including its '\n') the server answers
// "PREFIX line". The server keeps the bytes it has read but not answered yet; it hands a
// view of them to answerLines(), drops what was consumed and sends what was appended.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weir::echo {

struct LineFraming {
  enum class Stop {
    kNeedMoreData,       // every complete line was answered; the rest (if any) is a partial line
    kAnswerBudgetSpent,  // complete lines remain; call again once the client has read
    kLineTooLong,        // the next line exceeds max_line_bytes: drop the client
  };
  std::size_t consumed = 0;  // bytes of answered lines at the front of `pending`
  std::size_t lines = 0;     // answers appended
  Stop stop = Stop::kNeedMoreData;
};

// Answers the complete lines at the front of `pending`, appending "PREFIX line" (line
// including its '\n') to `answers` for each. A line longer than `max_line_bytes` (not
// counting its '\n'; terminated or not) stops the framing with kLineTooLong. Stops before
// answering another line once `answers` has grown by `answer_budget` bytes or more, so the
// caller can bound its output buffer; the answer that crosses the budget is still appended
// whole.
LineFraming answerLines(std::string_view pending, std::string_view prefix,
                        std::size_t max_line_bytes, std::size_t answer_budget,
                        std::string& answers);

}  // namespace weir::echo
