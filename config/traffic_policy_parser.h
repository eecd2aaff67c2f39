// trafficPolicy of a DestinationRule or one of its subsets: every section read and
// checked as Istio's validateTrafficPolicy does, in its words. Sections Weir acts on
// (traffic_policy.h says how the levels merge) land in the TrafficPolicySpec; the
// others (tls, tunnel, connectionPool.http, retryBudget) are only validated.
#pragma once

#include <string_view>

#include "config/field_reader.h"
#include "config/istio_objects.h"

namespace weir::config {

// `ns`: the namespace of the DestinationRule, for what the policy may refer to there.
TrafficPolicySpec parseTrafficPolicy(const FieldReader& policy, std::string_view ns);

}  // namespace weir::config
