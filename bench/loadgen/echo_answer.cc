#include "bench/loadgen/echo_answer.h"

namespace weir::bench {

std::optional<std::string_view> answerPrefix(std::string_view answer, std::string_view request) {
  if (answer.size() < request.size() + 2 || !answer.ends_with(request)) {
    return std::nullopt;
  }
  const std::string_view head = answer.substr(0, answer.size() - request.size());
  if (head.back() != ' ') {
    return std::nullopt;
  }
  const std::string_view prefix = head.substr(0, head.size() - 1);
  if (prefix.empty() || prefix.find(' ') != std::string_view::npos) {
    return std::nullopt;
  }
  return prefix;
}

}  // namespace weir::bench
