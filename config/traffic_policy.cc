#include "config/traffic_policy.h"

namespace weir::config {
namespace {

// `policy` as it applies on `port`: its own sections, with those of a matching
// portLevelSettings entry in place of the three that entry can hold.
TrafficPolicySpec forPort(const TrafficPolicySpec& policy, uint16_t port, bool& port_level) {
  TrafficPolicySpec result;
  result.load_balancer = policy.load_balancer;
  result.connection_pool = policy.connection_pool;
  result.outlier_detection = policy.outlier_detection;
  result.proxy_protocol = policy.proxy_protocol;
  port_level = false;
  for (const PortTrafficPolicySpec& settings : policy.port_level_settings) {
    if (settings.port != 0 && settings.port == port) {
      result.load_balancer = settings.load_balancer;
      result.connection_pool = settings.connection_pool;
      result.outlier_detection = settings.outlier_detection;
      port_level = true;
      break;
    }
  }
  return result;
}

}  // namespace

TrafficPolicySpec effectiveTrafficPolicy(const TrafficPolicySpec* rule,
                                         const TrafficPolicySpec* subset, uint16_t port) {
  bool port_level = false;
  TrafficPolicySpec merged;
  if (rule != nullptr) {
    merged = forPort(*rule, port, port_level);
  }
  if (subset == nullptr) {
    return merged;
  }
  const TrafficPolicySpec own = forPort(*subset, port, port_level);
  if (own.load_balancer || port_level) {
    merged.load_balancer = own.load_balancer;
  }
  if (own.connection_pool || port_level) {
    merged.connection_pool = own.connection_pool;
  }
  if (own.outlier_detection || port_level) {
    merged.outlier_detection = own.outlier_detection;
  }
  if (own.proxy_protocol) {
    merged.proxy_protocol = own.proxy_protocol;
  }
  return merged;
}

bool forwardsToOriginalDestination(const TrafficPolicySpec* rule, const TrafficPolicySpec* subset,
                                   uint16_t port) {
  const auto passthrough = [](const TrafficPolicySpec& policy) {
    return policy.load_balancer && policy.load_balancer->passthrough;
  };
  return passthrough(effectiveTrafficPolicy(rule, nullptr, port)) ||
         passthrough(effectiveTrafficPolicy(rule, subset, port));
}

void applyTrafficPolicy(const TrafficPolicySpec& policy, UpstreamCluster& cluster) {
  const UpstreamCluster defaults;
  cluster.load_balancer =
      policy.load_balancer ? policy.load_balancer->policy : defaults.load_balancer;
  cluster.proxy_protocol = policy.proxy_protocol.value_or(defaults.proxy_protocol);
  cluster.outlier_detection = policy.outlier_detection;

  const ConnectionPoolSpec pool = policy.connection_pool.value_or(ConnectionPoolSpec{});
  cluster.connect_timeout = pool.connect_timeout.value_or(defaults.connect_timeout);
  cluster.idle_timeout = pool.idle_timeout.value_or(defaults.idle_timeout);
  cluster.max_connections = pool.max_connections.value_or(defaults.max_connections);
  cluster.max_connection_duration =
      pool.max_connection_duration.value_or(defaults.max_connection_duration);
  cluster.tcp_keepalive = pool.tcp_keepalive;
}

}  // namespace weir::config
