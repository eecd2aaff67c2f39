// Choosing an endpoint of the picked cluster, by the DestinationRule's
// loadBalancer policy, as pure functions over each endpoint's weight (0 for an
// endpoint that cannot be used, e.g. a DNS name that has not resolved). Each
// returns nullopt when no endpoint has a weight.
//
// Every policy honours the ServiceEntry's endpoint weights:
//  - round robin is smooth weighted round robin (nginx's): over any window of
//    sum(weights) picks, endpoint i gets exactly weight(i), evenly spread;
//  - random draws in proportion to weight;
//  - least request (LEAST_REQUEST / LEAST_CONN) draws two endpoints by weight and
//    takes the one with fewer active connections per unit of weight (Envoy's
//    "power of two choices");
//  - consistent hash looks the client's address up in a Maglev table (see
//    maglev_table.h), where each endpoint owns a share of entries in proportion to
//    its weight.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace weir::proxy {

// `credits` holds the round-robin state (one entry per endpoint, starting at 0),
// kept by the caller's thread between picks; resized here if the count changed.
std::optional<size_t> pickWeightedRoundRobin(std::span<const uint32_t> weights,
                                             std::vector<int64_t>& credits);

std::optional<size_t> pickWeightedRandom(std::span<const uint32_t> weights, uint64_t random_value);

// `active[i]`: connections open to endpoint i. Two draws, `first` and `second`.
std::optional<size_t> pickLeastRequest(std::span<const uint32_t> weights,
                                       std::span<const uint64_t> active, uint64_t first,
                                       uint64_t second);

}  // namespace weir::proxy
