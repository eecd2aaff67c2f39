// The destination pick made for every new connection, as a pure function so that
// tests can drive it with scripted values (Envoy's pickCluster works the same
// way). The endpoint pick that follows is in endpoint_pick.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "config/route_table.h"

namespace weir::proxy {

// Which of `destinations` a connection goes to, given a uniformly random value.
// Destination i owns the interval [w0 + … + w(i-1), w0 + … + wi) of
// `random_value % total_weight`; a weight-0 destination owns an empty interval
// and is never picked. Requires total_weight > 0 (the loader guarantees it).
size_t pickDestination(std::span<const config::WeightedDestination> destinations,
                       uint64_t total_weight, uint64_t random_value);

}  // namespace weir::proxy
