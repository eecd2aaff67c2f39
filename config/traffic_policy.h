// Which trafficPolicy applies to one cluster, and what it sets in the cluster.
//
// Istio (MergeSubsetTrafficPolicy) works in whole sections, not single fields:
//   1. the rule's trafficPolicy;
//   2. the rule's portLevelSettings entry for the cluster's port, if any, replaces
//      loadBalancer, connectionPool and outlierDetection (and tls) all together;
//      sections the entry leaves out go back to the defaults, they are not
//      inherited from step 1;
//   3. each section the subset's trafficPolicy sets replaces the one from 1–2;
//   4. the subset's portLevelSettings entry for the port, if any, replaces the
//      three sections again, like step 2.
// So a subset's `connectionPool: {tcp: {idleTimeout: 5s}}` also resets the rule's
// connectTimeout to the default. proxyProtocol cannot be set per port: it comes from
// the subset if the subset sets it, else from the rule.
// Pure functions: no diagnostics (the parser reported everything already).
#pragma once

#include <cstdint>

#include "config/istio_objects.h"
#include "config/route_table.h"

namespace weir::config {

// The policy in force for a cluster on `port`; `rule` or `subset` may be null (no
// DestinationRule, or no subset). The result has no portLevelSettings.
TrafficPolicySpec effectiveTrafficPolicy(const TrafficPolicySpec* rule,
                                         const TrafficPolicySpec* subset, uint16_t port);

// Whether Istio makes the cluster an ORIGINAL_DST one (loadBalancer PASSTHROUGH),
// which has no endpoints at a gateway: the rule's policy for `port` says
// PASSTHROUGH (Istio builds the subset clusters from that cluster, and they stay
// ORIGINAL_DST whatever load balancer the subset sets), or the subset's does.
bool forwardsToOriginalDestination(const TrafficPolicySpec* rule, const TrafficPolicySpec* subset,
                                   uint16_t port);

// Sets the cluster's policy fields from `policy`, with Istio's defaults (and Weir's
// ROUND_ROBIN, see docs/behaviour.md) for what it leaves unset.
void applyTrafficPolicy(const TrafficPolicySpec& policy, UpstreamCluster& cluster);

}  // namespace weir::config
