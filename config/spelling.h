// Suggestions for misspelt names ("did you mean \"weight\"?"): the known name
// nearest to what was written, by edit distance, when it is near enough to be a
// typo rather than another name. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weir::config {

// The candidate nearest to `written`: fewest single-character insertions,
// deletions, substitutions or swaps of neighbours, ignoring case; at most a
// quarter of the candidate's length, and between one and three. The first such in `candidates` wins
// a tie; none when nothing is that near or `written` is itself a candidate.
std::optional<std::string> nearestName(std::string_view written,
                                       const std::vector<std::string_view>& candidates);

// "; did you mean \"NAME\"?" for the nearest candidate, or "" when there is none.
std::string didYouMean(std::string_view written, const std::vector<std::string_view>& candidates);

// "a, b, c": the names in the order given, for "subsets are v1, v2".
std::string nameList(const std::vector<std::string_view>& names);

}  // namespace weir::config
