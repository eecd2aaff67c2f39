#include "proxy/upstream/upstream_pick.h"

namespace weir::proxy {

size_t pickDestination(std::span<const config::WeightedDestination> destinations,
                       uint64_t total_weight, uint64_t random_value) {
  uint64_t point = random_value % total_weight;
  for (size_t i = 0; i < destinations.size(); ++i) {
    if (point < destinations[i].weight) {
      return i;
    }
    point -= destinations[i].weight;
  }
  // Unreachable when total_weight is the sum of the weights; stay in range anyway.
  return destinations.size() - 1;
}

}  // namespace weir::proxy
