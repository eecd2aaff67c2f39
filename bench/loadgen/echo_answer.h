// What an Istio-style tcp-echo server answers: "PREFIX line" for each line sent. The
// prefix names the upstream that answered ("one", "two"): the split is counted by it.
#pragma once

#include <optional>
#include <string_view>

namespace weir::bench {

// The prefix of `answer` when it is exactly PREFIX + ' ' + `request` (both without
// '\n') with a non-empty PREFIX without spaces; nullopt for anything else (a wrong or
// garbled echo is an error, not a new prefix).
std::optional<std::string_view> answerPrefix(std::string_view answer, std::string_view request);

}  // namespace weir::bench
