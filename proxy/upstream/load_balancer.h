// Which endpoint of a cluster a new connection goes to: the cluster's
// loadBalancer policy (endpoint_pick.h) over the endpoints in rotation.
//
// A pure function of its inputs (the cluster, the worker's state for it, the
// client, the endpoints to leave out, the random source), so that tests can
// script every case; Envoy's load balancers are tested the same way. Each worker
// keeps its own LoadBalancerState per cluster (worker_cluster.h): picking writes
// nothing shared, and reads one relaxed atomic per pick (the cluster's count of
// endpoints out of rotation) unless some endpoint is out.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "proxy/cluster/cluster.h"
#include "proxy/stats/stats.h"
#include "proxy/upstream/random_source.h"

namespace weir::proxy {

// One worker's picking state for one cluster, kept between picks.
struct LoadBalancerState {
  std::vector<int64_t> round_robin_credits;  // one per endpoint (pickWeightedRoundRobin)
  // Reused by every pick, so that picking does not allocate once warm.
  std::vector<uint32_t> usable_weights;
  std::vector<uint64_t> active;
};

// An endpoint index of `cluster` by its policy, or nullopt when none is usable.
//  - In rotation: endpoints with an address that are neither ejected nor failing
//    active checks, unless fewer than minHealthPercent of those with an address
//    are (Envoy's panic threshold): then every endpoint with an address is.
//  - `excluded` (endpoints that failed this client: connect retries) are never
//    picked, panic or not.
//  - LEAST_REQUEST compares `endpoint_stats[e].cx_active`: the caller's own view
//    of each endpoint's open connections (one per endpoint of the cluster).
//  - consistentHash.useSourceIp looks `client` up in the cluster's Maglev table;
//    an endpoint out of rotation falls through to the table's next entries, and
//    a client without an IP (null: a retry; a Unix socket's) gets a random pick.
// Draws from `random`: none for round robin, one for random and the
// consistent-hash fallback, two for least request.
std::optional<size_t> pickEndpoint(const Cluster& cluster,
                                   std::span<EndpointStats* const> endpoint_stats,
                                   LoadBalancerState& state, const sockaddr* client,
                                   std::span<const size_t> excluded, RandomSource& random);

}  // namespace weir::proxy
