#include "proxy/upstream/load_balancer.h"

#include "proxy/upstream/client_address.h"
#include "proxy/upstream/endpoint_pick.h"

namespace weir::proxy {
namespace {

// The cluster's weights with the endpoints out of rotation (ejected, failing
// active checks, `excluded`) at 0; the cluster's own weights when none is.
std::span<const uint32_t> usableWeights(const Cluster& cluster, LoadBalancerState& state,
                                        std::span<const size_t> excluded) {
  const std::span<const uint32_t> weights = cluster.weights();
  const ClusterHealth& health = cluster.health();
  const bool some_unusable = health.unusableCount() != 0;
  if (!some_unusable && excluded.empty()) return weights;  // the common case: no copy
  std::vector<uint32_t>& usable_weights = state.usable_weights;
  usable_weights.assign(weights.begin(), weights.end());
  if (some_unusable) {
    size_t with_address = 0;
    size_t usable = 0;
    for (size_t e = 0; e < weights.size(); ++e) {
      if (weights[e] == 0) continue;
      ++with_address;
      if (cluster.endpoint(e).health->usable()) {
        ++usable;
      } else {
        usable_weights[e] = 0;
      }
    }
    // minHealthPercent (Envoy's panic threshold): with too few endpoints in
    // rotation, health is ignored and every endpoint takes connections.
    const int32_t panic_below = health.minHealthPercent();
    if (panic_below > 0 && with_address > 0 &&
        100.0 * static_cast<double>(usable) / static_cast<double>(with_address) < panic_below) {
      usable_weights.assign(weights.begin(), weights.end());
    }
  }
  for (size_t e : excluded) usable_weights[e] = 0;
  return usable_weights;
}

}  // namespace

std::optional<size_t> pickEndpoint(const Cluster& cluster,
                                   std::span<EndpointStats* const> endpoint_stats,
                                   LoadBalancerState& state, const sockaddr* client,
                                   std::span<const size_t> excluded, RandomSource& random) {
  const std::span<const uint32_t> weights = usableWeights(cluster, state, excluded);
  using Policy = config::UpstreamCluster::LoadBalancer;
  switch (cluster.config().load_balancer) {
    case Policy::kRoundRobin:
      return pickWeightedRoundRobin(weights, state.round_robin_credits);
    case Policy::kRandom:
      return pickWeightedRandom(weights, random.next());
    case Policy::kLeastRequest: {
      // The caller's own view of each endpoint's open connections (a worker's:
      // Envoy's least-request counts are per host across threads; per worker
      // keeps the pick free of shared writes).
      state.active.clear();
      for (const EndpointStats* endpoint : endpoint_stats) {
        state.active.push_back(endpoint->cx_active.value());
      }
      const uint64_t first = random.next();
      return pickLeastRequest(weights, state.active, first, random.next());
    }
    case Policy::kConsistentHashSourceIp: {
      const MaglevTable* table = cluster.maglev();
      // A Unix client has no IP to hash: Envoy's hash policy yields nothing, and
      // the pick is random.
      if (table == nullptr || table->empty() || client == nullptr ||
          (client->sa_family != AF_INET && client->sa_family != AF_INET6)) {
        return pickWeightedRandom(weights, random.next());
      }
      // Endpoints out of rotation fall through to the table's next entries.
      if (weights.data() != cluster.weights().data()) {
        return table->lookup(hashOfClientAddress(client), weights);
      }
      return table->lookup(hashOfClientAddress(client));
    }
  }
  return std::nullopt;
}

}  // namespace weir::proxy
