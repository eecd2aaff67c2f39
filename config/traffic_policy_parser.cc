// Validation follows Istio's validateTrafficPolicy (pkg/config/validation), in its
// words: durations of at least 1ms, percentages in 0..100, sections that may not be
// empty. Where the CRD schema words the same refusal differently, its words follow
// in parentheses.
#include "config/traffic_policy_parser.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <string>

#include "config/client_tls_settings.h"
#include "config/duration.h"
#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/load_balancer_parser.h"
#include "config/proto_values.h"

namespace weir::config {
namespace {

using std::chrono::milliseconds;

// Envoy's consecutive_local_origin_failure when Istio leaves it unset.
constexpr uint32_t kEnvoyConsecutiveLocalOriginFailures = 5;

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

// An int32 count of connectionPool.http that Istio wants non-negative.
void checkNonNegative(const FieldReader& field, std::string_view what) {
  if (const std::optional<int32_t> value = readInt32(field); value && *value < 0) {
    field.error(std::string(what) + " must be non-negative");
  }
}

// connectionPool.http: nothing for TCP connections, but checked as Istio does.
void checkHttpConnectionPool(const FieldReader& http) {
  if (!http.expectMap()) {
    return;
  }
  http.checkFields(known_fields::kHttpConnectionPool);
  checkNonNegative(http.field("http1MaxPendingRequests"), "http1 max pending requests");
  checkNonNegative(http.field("http2MaxRequests"), "http2 max requests");
  checkNonNegative(http.field("maxRequestsPerConnection"), "max requests per connection");
  checkNonNegative(http.field("maxRetries"), "max retries");
  checkNonNegative(http.field("maxConcurrentStreams"), "max concurrent streams");
  if (const FieldReader idle_timeout = http.field("idleTimeout"); idle_timeout.present()) {
    readIstioDuration(idle_timeout, false);
  }
  const FieldReader upgrade = http.field("h2UpgradePolicy");
  const std::optional<std::string> policy = upgrade.string();
  static constexpr std::array<std::string_view, 3> kPolicies = {"DEFAULT", "DO_NOT_UPGRADE",
                                                                "UPGRADE"};
  if (policy && std::find(kPolicies.begin(), kPolicies.end(), *policy) == kPolicies.end()) {
    upgrade.error("unknown h2UpgradePolicy \"" + *policy +
                  "\": expected DEFAULT, DO_NOT_UPGRADE or UPGRADE");
  }
  const FieldReader client_protocol = http.field("useClientProtocol");
  if (readBool(client_protocol).value_or(false) && policy == "UPGRADE") {
    client_protocol.error("use client protocol must not be true when H2UpgradePolicy is UPGRADE");
  }
  const FieldReader keepalive = http.field("http2KeepAlive");
  if (keepalive.expectMap()) {
    keepalive.checkFields(known_fields::kHttp2KeepAlive);
    for (const auto& [name, words] :
         {std::pair{"interval", "http2 keepalive interval is required"},
          std::pair{"timeout", "http2 keepalive timeout is required"}}) {
      const FieldReader field = keepalive.field(name);
      if (!field.present()) {
        keepalive.error(words);
      } else {
        readIstioDuration(field, false);
      }
    }
  }
}

// connectionPool.tcp.idleTimeout. Istio checks it only when it is 1ms or more in
// size, and Envoy reads it in whole milliseconds: anything shorter, 0s included,
// turns the timeout off.
std::optional<milliseconds> readIdleTimeout(const FieldReader& field) {
  const std::optional<std::string> text = field.string();
  if (!text) {
    return std::nullopt;
  }
  if (const std::optional<std::chrono::nanoseconds> exact = parseGoDurationExact(*text);
      exact && std::chrono::duration_cast<milliseconds>(*exact).count() == 0) {
    return milliseconds(0);
  }
  return readIstioDuration(field, false);
}

std::optional<ConnectionPoolSpec> parseConnectionPool(const FieldReader& pool) {
  if (!pool.expectMap()) {
    return std::nullopt;
  }
  pool.checkFields(known_fields::kConnectionPool);
  ConnectionPoolSpec spec;
  const FieldReader tcp = pool.field("tcp");
  const FieldReader http = pool.field("http");
  if (!tcp.present() && !http.present()) {
    pool.error("connection pool must have at least one field");
    return spec;
  }
  checkHttpConnectionPool(http);
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
  spec.idle_timeout = readIdleTimeout(tcp.field("idleTimeout"));
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
// gateway one only when consecutiveGatewayErrors is above 0; 0 disables a detector.
// The connection-level threshold is therefore the lowest enabled one; 0 when none
// is. The deprecated consecutiveErrors only earns a warning: Istio no longer passes
// it to Envoy. With splitExternalLocalOriginErrors, connect failures are
// local-origin errors, which only consecutiveLocalOriginFailures counts (Envoy's
// default 5).
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
  if (const std::optional<int32_t> value = readInt32(legacy); value && *value != 0) {
    legacy.warning(
        "outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or "
        "consecutive5xxErrors instead");
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

  const bool split = readBool(outlier.field("splitExternalLocalOriginErrors")).value_or(false);
  const FieldReader local_origin = outlier.field("consecutiveLocalOriginFailures");
  const uint32_t local_failures = readUint32(local_origin).value_or(0);
  if (!split && local_failures > 0) {
    local_origin.error(
        "outlier detection consecutive local origin failures is specified, but split external "
        "local origin errors is set to false");
  }
  if (split) {
    result.consecutive_errors =
        local_failures > 0 ? local_failures : kEnvoyConsecutiveLocalOriginFailures;
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
  // HTTP status codes that count as errors: nothing for TCP, but in range.
  for (const FieldReader& code : outlier.field("outlierDetectionHttpErrorCodes").items()) {
    if (const std::optional<int64_t> value = code.integer();
        value && (*value < 100 || *value > 599)) {
      code.error("HTTP status code " + std::to_string(*value) +
                 " is not in range 100..599 (CRD: should be " +
                 (*value < 100 ? "greater than or equal to 100)" : "less than or equal to 599)"));
    }
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

// tunnel: Istio would wrap upstream connections in HTTP CONNECT (or POST) to
// targetHost:targetPort. Weir connects directly; it only checks the settings.
void checkTunnel(const FieldReader& tunnel) {
  if (!tunnel.expectMap()) {
    return;
  }
  tunnel.checkFields(known_fields::kTunnelSettings);
  const FieldReader protocol = tunnel.field("protocol");
  if (const std::optional<std::string> value = protocol.string();
      value && !value->empty() && *value != "CONNECT" && *value != "POST") {
    protocol.error("tunnel protocol must be \"CONNECT\" or \"POST\"");
  }
  const FieldReader host = tunnel.field("targetHost");
  const std::string target = host.string().value_or("");
  if (const std::optional<std::string> error = fqdnError(target); error && !isIpAddress(target)) {
    host.error("tunnel target host must be valid FQDN or IP address: " + *error + "; " + target +
               " is not a valid IP" +
               (host.present() ? "" : " (CRD: " + host.path() + ": Required value)"));
  }
  const FieldReader port = tunnel.field("targetPort");
  const std::optional<uint32_t> number = readUint32(port);
  if (!port.present()) {
    port.error("tunnel target port is invalid: port number 0 must be in the range 1..65535 (CRD: " +
               port.path() + ": Required value)");
  } else if (number && (*number < 1 || *number > 65535)) {
    port.error("tunnel target port is invalid: port number " + std::to_string(*number) +
               " must be in the range 1..65535");
  }
}

// retryBudget: HTTP retries, nothing for TCP; Istio checks only the types.
void checkRetryBudget(const FieldReader& budget) {
  if (!budget.expectMap()) {
    return;
  }
  budget.checkFields(known_fields::kRetryBudget);
  const FieldReader percent = budget.field("percent");
  if (const std::optional<double> value = readDouble(percent);
      value && (*value < 0 || *value > 100)) {
    percent.error("percent should be in range 0..100");
  }
  readUint32(budget.field("minRetryConcurrency"));
  readProtoDuration(budget.field("budgetInterval"));
}

// The sections a port's settings share with the whole policy (Istio's
// PortTrafficPolicy), parsed alike into either spec. False when none is present.
template <typename Spec>
bool parseSharedSections(const FieldReader& policy, std::string_view ns, Spec& spec) {
  const FieldReader load_balancer = policy.field("loadBalancer");
  const FieldReader connection_pool = policy.field("connectionPool");
  const FieldReader outlier_detection = policy.field("outlierDetection");
  const FieldReader tls = policy.field("tls");
  if (load_balancer.present()) {
    spec.load_balancer = parseLoadBalancer(load_balancer, outlier_detection.present());
  }
  if (connection_pool.present()) {
    spec.connection_pool = parseConnectionPool(connection_pool);
  }
  if (outlier_detection.present()) {
    spec.outlier_detection = parseOutlierDetection(outlier_detection);
  }
  if (tls.present()) {
    checkClientTlsSettings(tls, ns);
  }
  return load_balancer.present() || connection_pool.present() || outlier_detection.present() ||
         tls.present();
}

std::vector<PortTrafficPolicySpec> parsePortLevelSettings(const FieldReader& settings,
                                                          std::string_view ns) {
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
      // Istio checks only that a port is given; an entry for port 0 or 70000 never
      // applies, so Weir says so instead of refusing it.
      const FieldReader number = port.field("number");
      const std::optional<uint32_t> value = readUint32(number);
      if (value && *value >= 1 && *value <= 65535) {
        spec.port = static_cast<uint16_t>(*value);
        const auto [first, inserted] = seen.emplace(spec.port, item.path());
        if (!inserted) {
          number.warning("port " + std::to_string(*value) + " already has settings in " +
                         first->second + ", which Istio applies; these are ignored");
          spec.port = 0;
        }
      } else if (value || !number.present()) {
        number.warning("port " + std::to_string(value.value_or(0)) +
                       " is not in the range 1..65535, so these settings never apply");
      }
    }
    if (!parseSharedSections(item, ns, spec)) {
      item.error("port traffic policy must have at least one field");
      continue;
    }
    result.push_back(std::move(spec));
  }
  return result;
}

}  // namespace

TrafficPolicySpec parseTrafficPolicy(const FieldReader& policy, std::string_view ns) {
  TrafficPolicySpec spec;
  if (!policy.expectMap()) {
    return spec;
  }
  policy.checkFields(known_fields::kTrafficPolicy);
  const FieldReader proxy_protocol = policy.field("proxyProtocol");
  const FieldReader port_level = policy.field("portLevelSettings");
  const FieldReader tunnel = policy.field("tunnel");
  const FieldReader retry_budget = policy.field("retryBudget");
  const bool shared = parseSharedSections(policy, ns, spec);
  if (!shared && !proxy_protocol.present() && !port_level.present() && !tunnel.present() &&
      !retry_budget.present()) {
    policy.error("traffic policy must have at least one field");
    return spec;
  }
  if (tunnel.present() && proxy_protocol.present()) {
    proxy_protocol.error("tunnel and proxyProtocol must not be set together");
  }
  if (proxy_protocol.present()) {
    spec.proxy_protocol = parseProxyProtocol(proxy_protocol);
  }
  checkTunnel(tunnel);
  checkRetryBudget(retry_budget);
  spec.port_level_settings = parsePortLevelSettings(port_level, ns);
  return spec;
}

}  // namespace weir::config
