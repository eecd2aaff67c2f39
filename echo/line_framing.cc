#include "echo/line_framing.h"

namespace weir::echo {

LineFraming answerLines(std::string_view pending, std::string_view prefix,
                        std::size_t max_line_bytes, std::size_t answer_budget,
                        std::string& answers) {
  LineFraming result;
  const std::size_t answers_at_start = answers.size();
  while (true) {
    std::string_view rest = pending.substr(result.consumed);
    std::size_t newline = rest.find('\n');
    std::size_t line_bytes = newline == std::string_view::npos ? rest.size() : newline;
    if (line_bytes > max_line_bytes) {
      result.stop = LineFraming::Stop::kLineTooLong;
      return result;
    }
    if (newline == std::string_view::npos) {
      result.stop = LineFraming::Stop::kNeedMoreData;
      return result;
    }
    if (answers.size() - answers_at_start >= answer_budget) {
      result.stop = LineFraming::Stop::kAnswerBudgetSpent;
      return result;
    }
    answers.append(prefix);
    answers.push_back(' ');
    answers.append(rest.substr(0, newline + 1));
    result.consumed += newline + 1;
    ++result.lines;
  }
}

}  // namespace weir::echo
