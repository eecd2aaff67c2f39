#include "config/spelling.h"

#include <algorithm>
#include <cctype>

namespace weir::config {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Optimal string alignment distance (Levenshtein plus swaps of neighbours, the
// commonest typo), case-insensitive.
size_t editDistance(std::string_view a, std::string_view b) {
  const size_t columns = b.size() + 1;
  std::vector<size_t> table((a.size() + 1) * columns);
  const auto at = [&](size_t i, size_t j) -> size_t& { return table[i * columns + j]; };
  for (size_t i = 0; i <= a.size(); ++i) {
    at(i, 0) = i;
  }
  for (size_t j = 0; j <= b.size(); ++j) {
    at(0, j) = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(a.size(), b.size());
}

}  // namespace

std::optional<std::string> nearestName(std::string_view written,
                                       const std::vector<std::string_view>& candidates) {
  if (std::find(candidates.begin(), candidates.end(), written) != candidates.end()) {
    return std::nullopt;
  }
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const std::string_view candidate : candidates) {
    const size_t distance = editDistance(written, candidate);
    // Typos are an edit or two; more is another name (echo vs. svc), however long.
    const size_t limit = std::clamp<size_t>(candidate.size() / 4, 1, 3);
    if (distance <= limit && (!best || distance < best_distance)) {
      best = std::string(candidate);
      best_distance = distance;
    }
  }
  return best;
}

std::string didYouMean(std::string_view written, const std::vector<std::string_view>& candidates) {
  const std::optional<std::string> nearest = nearestName(written, candidates);
  return nearest ? "; did you mean \"" + *nearest + "\"?" : "";
}

std::string nameList(const std::vector<std::string_view>& names) {
  std::string text;
  for (const std::string_view name : names) {
    text += (text.empty() ? "" : ", ") + std::string(name);
  }
  return text;
}

}  // namespace weir::config
