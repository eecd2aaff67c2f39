#include "proxy/upstream/endpoint_pick.h"

#include <numeric>

namespace weir::proxy {

std::optional<size_t> pickWeightedRoundRobin(std::span<const uint32_t> weights,
                                             std::vector<int64_t>& credits) {
  if (credits.size() != weights.size()) credits.assign(weights.size(), 0);
  int64_t total = 0;
  std::optional<size_t> best;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] == 0) continue;
    credits[i] += weights[i];
    total += weights[i];
    if (!best || credits[i] > credits[*best]) best = i;
  }
  if (best) credits[*best] -= total;
  return best;
}

std::optional<size_t> pickWeightedRandom(std::span<const uint32_t> weights, uint64_t random_value) {
  const uint64_t total = std::accumulate(weights.begin(), weights.end(), uint64_t{0});
  if (total == 0) return std::nullopt;
  uint64_t point = random_value % total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (point < weights[i]) return i;
    point -= weights[i];
  }
  return std::nullopt;  // unreachable: point < total
}

std::optional<size_t> pickLeastRequest(std::span<const uint32_t> weights,
                                       std::span<const uint64_t> active, uint64_t first,
                                       uint64_t second) {
  const std::optional<size_t> a = pickWeightedRandom(weights, first);
  const std::optional<size_t> b = pickWeightedRandom(weights, second);
  if (!a || !b) return std::nullopt;
  // Fewer active connections per unit of weight wins: active[a]/w[a] <= active[b]/w[b],
  // compared without division; a tie keeps the first draw.
  const unsigned __int128 load_a = static_cast<unsigned __int128>(active[*a]) * weights[*b];
  const unsigned __int128 load_b = static_cast<unsigned __int128>(active[*b]) * weights[*a];
  return load_b < load_a ? b : a;
}

}  // namespace weir::proxy
