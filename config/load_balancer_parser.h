// trafficPolicy.loadBalancer: how an endpoint is picked, and the settings around it
// (locality and zone-aware balancing, warm-up) that Istio validates and Weir, which
// knows no localities, accepts with a warning.
#pragma once

#include <optional>

#include "config/field_reader.h"
#include "config/istio_objects.h"

namespace weir::config {

// Reports every problem of `lb` as Istio's validateLoadBalancer does; nullopt when
// the policy itself is invalid. `has_outlier_detection`: whether the same policy
// (or port entry) sets outlierDetection, without which Istio warns that locality
// failover cannot work.
std::optional<LoadBalancerSpec> parseLoadBalancer(const FieldReader& lb,
                                                  bool has_outlier_detection);

}  // namespace weir::config
