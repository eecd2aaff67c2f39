// DestinationRule: named subsets of a host, told apart by endpoint labels, and the
// traffic policies (rule, port and subset level) that the cluster builder merges.
//
// Validation follows Istio's (pkg/config/validation), in its words where it has
// some: durations of at least 1ms, percentages in 0..100, sections that may not be
// empty. How the levels merge is in traffic_policy.h.
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <set>

#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"

namespace weir::config {
namespace {

using std::chrono::milliseconds;
using LoadBalancer = UpstreamCluster::LoadBalancer;

// A protobuf uint32 (UInt32Value): 0..2^32-1.
std::optional<uint32_t> readUint32(const FieldReader& field) {
  const std::optional<int64_t> value = field.integer();
  if (!value) {
    return std::nullopt;
  }
  if (*value < 0 || *value > std::numeric_limits<uint32_t>::max()) {
    field.error("expected an integer in 0..4294967295, got " + std::to_string(*value));
    return std::nullopt;
  }
  return static_cast<uint32_t>(*value);
}

// A protobuf int32 percentage checked like Istio's ValidatePercent.
std::optional<int32_t> readPercent(const FieldReader& field) {
  const std::optional<int64_t> value = field.integer();
  if (!value) {
    return std::nullopt;
  }
  if (*value < 0 || *value > 100) {
    field.error("percentage " + std::to_string(*value) + " is not in range 0..100");
    return std::nullopt;
  }
  return static_cast<int32_t>(*value);
}

// A YAML boolean (true/false in YAML 1.2's spellings).
std::optional<bool> readBool(const FieldReader& field) {
  const std::optional<std::string> text = field.string();
  if (!text) {
    return std::nullopt;
  }
  if (*text == "true" || *text == "True" || *text == "TRUE") {
    return true;
  }
  if (*text == "false" || *text == "False" || *text == "FALSE") {
    return false;
  }
  field.error("expected true or false, got \"" + *text + "\"");
  return std::nullopt;
}

// loadBalancer. A TCP connection carries no HTTP header, cookie or query parameter,
// so a consistent hash on one of those has no key: Istio accepts it, and Envoy's
// ring/Maglev balancer then hashes a random number for each connection. Weir picks
// at random too, and says so.
std::optional<LoadBalancer> parseLoadBalancer(const FieldReader& lb) {
  if (!lb.expectMap()) {
    return std::nullopt;
  }
  lb.checkFields(known_fields::kLoadBalancer);
  const FieldReader simple = lb.field("simple");
  const FieldReader hash = lb.field("consistentHash");
  if (simple.present() && hash.present()) {
    hash.error("only one of simple or consistentHash may be set");
    return std::nullopt;
  }
  if (simple.present()) {
    const std::optional<std::string> value = simple.string();
    if (!value) {
      return std::nullopt;
    }
    if (*value == "ROUND_ROBIN" || *value == "UNSPECIFIED") {
      return LoadBalancer::kRoundRobin;
    }
    if (*value == "LEAST_REQUEST" || *value == "LEAST_CONN") {  // LEAST_CONN: Istio's old name
      return LoadBalancer::kLeastRequest;
    }
    if (*value == "RANDOM") {
      return LoadBalancer::kRandom;
    }
    if (*value == "PASSTHROUGH") {
      simple.error(
          "load balancer PASSTHROUGH is not supported by Weir: it connects to the "
          "client's original destination address, which Weir does not know; use "
          "ROUND_ROBIN, LEAST_REQUEST, RANDOM or consistentHash.useSourceIp");
      return std::nullopt;
    }
    simple.error("unknown load balancer \"" + *value +
                 "\": expected ROUND_ROBIN, LEAST_REQUEST, LEAST_CONN, RANDOM, "
                 "UNSPECIFIED or PASSTHROUGH");
    return std::nullopt;
  }
  if (!hash.expectMap()) {
    return LoadBalancer::kRoundRobin;  // `loadBalancer: {}`: Istio's UNSPECIFIED
  }
  hash.checkFields(known_fields::kConsistentHash);
  static constexpr std::array<std::string_view, 4> kHashKeys = {
      "useSourceIp", "httpHeaderName", "httpCookie", "httpQueryParameterName"};
  std::vector<std::pair<std::string_view, FieldReader>> keys;
  for (std::string_view name : kHashKeys) {
    if (FieldReader key = hash.field(name); key.present()) {
      keys.emplace_back(name, key);
    }
  }
  if (keys.size() > 1) {
    keys[1].second.error(
        "only one of useSourceIp, httpHeaderName, httpCookie or httpQueryParameterName may be "
        "set");
    return std::nullopt;
  }
  if (keys.empty()) {
    hash.warning(
        "consistentHash has no hash key; without useSourceIp: true each connection is "
        "hashed on a random number, so endpoints are picked at random");
    return LoadBalancer::kRandom;
  }
  const auto& [key_name, key] = keys.front();
  if (key_name == "useSourceIp") {
    const std::optional<bool> use_source_ip = readBool(key);
    if (!use_source_ip) {
      return std::nullopt;
    }
    if (!*use_source_ip) {
      key.warning(
          "useSourceIp: false leaves consistentHash without a hash key, so endpoints are "
          "picked at random");
      return LoadBalancer::kRandom;
    }
    return LoadBalancer::kConsistentHashSourceIp;
  }
  key.warning(
      "consistent hashing on an HTTP request attribute does nothing for TCP connections, "
      "which have none: as in Envoy's TCP proxy, endpoints are picked at random (use "
      "useSourceIp: true to keep a client on one endpoint)");
  return LoadBalancer::kRandom;
}

// connectionPool.tcp.tcpKeepalive. Envoy takes whole seconds (Istio truncates), and
// 0 seconds means the system's value.
std::optional<UpstreamCluster::TcpKeepalive> parseTcpKeepalive(const FieldReader& keepalive) {
  if (!keepalive.expectMap()) {
    return std::nullopt;
  }
  keepalive.checkFields(known_fields::kTcpKeepalive);
  UpstreamCluster::TcpKeepalive result;
  const auto seconds = [](const FieldReader& field) -> std::chrono::seconds {
    const std::optional<milliseconds> value = readIstioDuration(field, false);
    if (!value) {
      return std::chrono::seconds(0);
    }
    const auto whole = std::chrono::duration_cast<std::chrono::seconds>(*value);
    if (whole != *value) {
      field.warning("keepalive times are set in whole seconds: " +
                    std::to_string(value->count()) + "ms is applied as " +
                    (whole.count() == 0 ? std::string("the system's default")
                                        : std::to_string(whole.count()) + "s"));
    }
    return whole;
  };
  result.time = seconds(keepalive.field("time"));
  result.interval = seconds(keepalive.field("interval"));
  result.probes = readUint32(keepalive.field("probes")).value_or(0);
  return result;
}

std::optional<ConnectionPoolSpec> parseConnectionPool(const FieldReader& pool) {
  if (!pool.expectMap()) {
    return std::nullopt;
  }
  pool.checkFields(known_fields::kConnectionPool);
  ConnectionPoolSpec spec;
  const FieldReader tcp = pool.field("tcp");
  if (!tcp.present() && !pool.field("http").present()) {
    pool.error("connection pool must have at least one field");
    return spec;
  }
  if (!tcp.expectMap()) {
    return spec;
  }
  tcp.checkFields(known_fields::kTcpConnectionPool);
  const FieldReader max_connections = tcp.field("maxConnections");
  if (const std::optional<int64_t> value = max_connections.integer()) {
    if (*value < 0) {
      max_connections.error("max connections must be non-negative");
    } else if (*value > std::numeric_limits<int32_t>::max()) {
      max_connections.error("max connections " + std::to_string(*value) +
                            " is out of range (at most 2147483647)");
    } else if (*value > 0) {  // 0 is proto3's "unset": Istio keeps Envoy's default
      spec.max_connections = static_cast<uint32_t>(*value);
    }
  }
  spec.connect_timeout = readIstioDuration(tcp.field("connectTimeout"), false);
  spec.idle_timeout = readIstioDuration(tcp.field("idleTimeout"), true);
  spec.max_connection_duration = readIstioDuration(tcp.field("maxConnectionDuration"), false);
  if (const FieldReader keepalive = tcp.field("tcpKeepalive"); keepalive.present()) {
    spec.tcp_keepalive = parseTcpKeepalive(keepalive);
  }
  return spec;
}

// outlierDetection. For TCP, Envoy reports a failed or timed-out connect as a 503 or
// 504 (outside split-external-local-origin mode), which both its consecutive-5xx and
// its consecutive-gateway-failure detectors count. Istio leaves the 5xx detector at
// Envoy's default (5, enforced) unless consecutive5xxErrors is set, and enables the
// gateway one only when consecutiveGatewayErrors (or the deprecated
// consecutiveErrors) is above 0; 0 disables a detector. The connection-level
// threshold is therefore the lowest enabled one; 0 when none is.
std::optional<UpstreamCluster::OutlierDetection> parseOutlierDetection(
    const FieldReader& outlier) {
  if (!outlier.expectMap()) {
    return std::nullopt;
  }
  outlier.checkFields(known_fields::kOutlierDetection);
  UpstreamCluster::OutlierDetection result;

  uint32_t gateway_threshold = 5;
  bool gateway_enabled = false;
  uint32_t server_error_threshold = 5;
  bool server_error_enabled = true;
  const FieldReader legacy = outlier.field("consecutiveErrors");
  if (const std::optional<uint32_t> value = readUint32(legacy); value && *value > 0) {
    legacy.warning(
        "outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or "
        "consecutive5xxErrors instead");
    gateway_threshold = *value;  // Istio: gateway errors only
    gateway_enabled = true;
    server_error_enabled = false;
  }
  if (const std::optional<uint32_t> value = readUint32(outlier.field("consecutive5xxErrors"))) {
    server_error_threshold = *value;
    server_error_enabled = *value > 0;
  }
  if (const std::optional<uint32_t> value =
          readUint32(outlier.field("consecutiveGatewayErrors"))) {
    gateway_threshold = *value;
    gateway_enabled = *value > 0;
  }
  result.consecutive_errors = 0;
  if (server_error_enabled) {
    result.consecutive_errors = server_error_threshold;
  }
  if (gateway_enabled && (result.consecutive_errors == 0 ||
                          gateway_threshold < result.consecutive_errors)) {
    result.consecutive_errors = gateway_threshold;
  }

  if (std::optional<milliseconds> value = readIstioDuration(outlier.field("interval"), false)) {
    result.interval = *value;
  }
  if (std::optional<milliseconds> value =
          readIstioDuration(outlier.field("baseEjectionTime"), false)) {
    result.base_ejection_time = *value;
  }
  // 0 is proto3's "unset": Istio then leaves Envoy's default of 10%.
  if (std::optional<int32_t> value = readPercent(outlier.field("maxEjectionPercent"));
      value && *value > 0) {
    result.max_ejection_percent = static_cast<uint32_t>(*value);
  }
  if (std::optional<int32_t> value = readPercent(outlier.field("minHealthPercent"))) {
    result.min_health_percent = *value;
  }
  return result;
}

// proxyProtocol. VERSION's zero value is V1, so a block without `version` means V1.
std::optional<UpstreamCluster::ProxyProtocol> parseProxyProtocol(const FieldReader& proxy) {
  if (!proxy.expectMap()) {
    return std::nullopt;
  }
  proxy.checkFields(known_fields::kProxyProtocol);
  const FieldReader version = proxy.field("version");
  if (!version.present()) {
    return UpstreamCluster::ProxyProtocol::kV1;
  }
  const std::optional<std::string> value = version.string();
  if (!value) {
    return std::nullopt;
  }
  if (*value == "V1") {
    return UpstreamCluster::ProxyProtocol::kV1;
  }
  if (*value == "V2") {
    return UpstreamCluster::ProxyProtocol::kV2;
  }
  version.error("proxy protocol version is invalid: " + *value + " (expected V1 or V2)");
  return std::nullopt;
}

std::vector<PortTrafficPolicySpec> parsePortLevelSettings(const FieldReader& settings) {
  std::vector<PortTrafficPolicySpec> result;
  std::map<uint16_t, std::string> seen;  // port -> path of the entry that set it
  for (const FieldReader& item : settings.items()) {
    if (!item.present()) {
      item.error("traffic policy may not be null");
      continue;
    }
    if (!item.expectMap()) {
      continue;
    }
    item.checkFields(known_fields::kPortTrafficPolicy);
    PortTrafficPolicySpec spec;
    const FieldReader port = item.field("port");
    if (!port.present()) {
      port.error("portTrafficPolicy must have valid port");
    } else if (port.expectMap()) {
      port.checkFields(known_fields::kPortSelector);
      const FieldReader number = port.field("number");
      if (!number.present()) {
        number.error("portTrafficPolicy must have valid port");
      } else if (std::optional<uint16_t> value = readPortNumber(number)) {
        spec.port = *value;
        const auto [first, inserted] = seen.emplace(*value, item.path());
        if (!inserted) {
          number.warning("port " + std::to_string(*value) + " already has settings in " +
                         first->second + ", which Istio applies; these are ignored");
          spec.port = 0;
        }
      }
    }
    const FieldReader load_balancer = item.field("loadBalancer");
    const FieldReader connection_pool = item.field("connectionPool");
    const FieldReader outlier_detection = item.field("outlierDetection");
    if (!load_balancer.present() && !connection_pool.present() &&
        !outlier_detection.present() && !item.field("tls").present()) {
      item.error("port traffic policy must have at least one field");
      continue;
    }
    if (load_balancer.present()) {
      spec.load_balancer = parseLoadBalancer(load_balancer);
    }
    if (connection_pool.present()) {
      spec.connection_pool = parseConnectionPool(connection_pool);
    }
    if (outlier_detection.present()) {
      spec.outlier_detection = parseOutlierDetection(outlier_detection);
    }
    result.push_back(std::move(spec));
  }
  return result;
}

TrafficPolicySpec parseTrafficPolicy(const FieldReader& policy) {
  TrafficPolicySpec spec;
  if (!policy.expectMap()) {
    return spec;
  }
  policy.checkFields(known_fields::kTrafficPolicy);
  const FieldReader load_balancer = policy.field("loadBalancer");
  const FieldReader connection_pool = policy.field("connectionPool");
  const FieldReader outlier_detection = policy.field("outlierDetection");
  const FieldReader proxy_protocol = policy.field("proxyProtocol");
  const FieldReader port_level = policy.field("portLevelSettings");
  const FieldReader tunnel = policy.field("tunnel");
  if (!load_balancer.present() && !connection_pool.present() && !outlier_detection.present() &&
      !proxy_protocol.present() && !port_level.present() && !tunnel.present() &&
      !policy.field("tls").present()) {
    policy.error("traffic policy must have at least one field");
    return spec;
  }
  if (tunnel.present() && proxy_protocol.present()) {
    proxy_protocol.error("tunnel and proxyProtocol must not be set together");
  }
  if (load_balancer.present()) {
    spec.load_balancer = parseLoadBalancer(load_balancer);
  }
  if (connection_pool.present()) {
    spec.connection_pool = parseConnectionPool(connection_pool);
  }
  if (outlier_detection.present()) {
    spec.outlier_detection = parseOutlierDetection(outlier_detection);
  }
  if (proxy_protocol.present()) {
    spec.proxy_protocol = parseProxyProtocol(proxy_protocol);
  }
  spec.port_level_settings = parsePortLevelSettings(port_level);
  return spec;
}

}  // namespace

DestinationRuleObject parseDestinationRule(const FieldReader& spec, ObjectMeta meta) {
  DestinationRuleObject rule;
  rule.meta = std::move(meta);
  spec.checkFields(known_fields::kDestinationRuleSpec);

  const FieldReader host = spec.field("host");
  rule.host.at = host.where();
  if (std::optional<std::string> value = host.requiredString()) {
    if (std::optional<std::string> error = wildcardDomainError(*value)) {
      host.error(*error);
    } else {
      rule.host = locate(canonicalHost(*value, rule.meta.namespace_name), host);
    }
  }

  rule.traffic_policy = parseTrafficPolicy(spec.field("trafficPolicy"));

  std::set<std::string> names;
  for (const FieldReader& item : spec.field("subsets").items()) {
    if (!item.present()) {
      item.error("subset may not be null");
      continue;
    }
    if (!item.expectMap()) {
      continue;
    }
    item.checkFields(known_fields::kSubset);
    const FieldReader name = item.field("name");
    std::optional<std::string> value = name.requiredString();
    if (!value) {
      continue;
    }
    if (value->empty()) {
      name.error("subset name cannot be empty");
      continue;
    }
    if (!isDns1123Label(*value)) {
      name.error("subset name is invalid: " + *value);
      continue;
    }
    if (!names.insert(*value).second) {
      name.error("duplicate subset names: " + *value);
      continue;
    }
    rule.subsets.push_back(SubsetSpec{locate(*value, name), readStringMap(item.field("labels")),
                                      parseTrafficPolicy(item.field("trafficPolicy"))});
  }
  return rule;
}

}  // namespace weir::config
