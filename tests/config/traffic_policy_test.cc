// DestinationRule trafficPolicy: each field, its checks, and how the rule's, the
// port-level and the subset's policies combine into a cluster's.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/traffic_policy.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::kGatewayYaml;
using fixture::toStrings;
using fixture::yaml;
using std::chrono::milliseconds;
using std::chrono::seconds;
using LoadBalancer = UpstreamCluster::LoadBalancer;
using ProxyProtocol = UpstreamCluster::ProxyProtocol;
using Strings = std::vector<std::string>;

// ServiceEntry echo with two ports, 9000 "tcp" and 9100 "admin", and two endpoints
// labelled v1 and v2.
const std::string kTwoPortEntry = yaml(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
  hosts: [echo]
  ports:
  - {number: 9000, name: tcp}
  - {number: 9100, name: admin}
  resolution: STATIC
  endpoints:
  - {address: 127.0.0.1, labels: {version: v1}}
  - {address: 127.0.0.2, labels: {version: v2}}
)");

// A DestinationRule for echo: `body` follows `host: echo`, so its first line is line 6
// of test.yaml.
std::string rule(const std::string& body) {
  return yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  host: echo
)") + yaml(body);
}

// test.yaml: `rules`, then a VirtualService on gw to echo (`subset`, `port`).
LoadResult loadPolicy(const std::string& rules, const std::string& subset = "",
                      uint16_t port = 9000) {
  const std::string route = yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: route}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
)") + "    - destination: {host: echo, port: {number: " + std::to_string(port) + "}" +
                            (subset.empty() ? "" : ", subset: " + subset) + "}\n";
  return loadFromText({{"base.yaml", kGatewayYaml + "---\n" + kTwoPortEntry},
                       {"test.yaml", rules + "---\n" + route}});
}

// The only cluster of a load that must succeed.
UpstreamCluster clusterOf(const LoadResult& result) {
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  if (!result.ok() || result.table->clusters.size() != 1) {
    ADD_FAILURE() << "expected one cluster";
    return UpstreamCluster{};
  }
  return result.table->clusters[0];
}

Strings errorsOf(const std::string& body) { return toStrings(loadPolicy(rule(body)).errors); }

// ---- loadBalancer ----

TEST(TrafficPolicyTest, SimpleLoadBalancers) {
  const std::vector<std::pair<std::string, LoadBalancer>> cases = {
      {"ROUND_ROBIN", LoadBalancer::kRoundRobin},
      {"UNSPECIFIED", LoadBalancer::kRoundRobin},
      {"LEAST_REQUEST", LoadBalancer::kLeastRequest},
      {"LEAST_CONN", LoadBalancer::kLeastRequest},
      {"RANDOM", LoadBalancer::kRandom},
  };
  for (const auto& [name, expected] : cases) {
    SCOPED_TRACE(name);
    const LoadResult result =
        loadPolicy(rule("  trafficPolicy:\n    loadBalancer: {simple: " + name + "}\n"));
    EXPECT_EQ(clusterOf(result).load_balancer, expected);
    EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(toStrings(result.warnings));
  }
}

TEST(TrafficPolicyTest, WithoutALoadBalancerWeirKeepsRoundRobin) {
  // Istio's default is LEAST_REQUEST; Weir's documented default is ROUND_ROBIN.
  EXPECT_EQ(clusterOf(loadPolicy(rule(""))).load_balancer, LoadBalancer::kRoundRobin);
  EXPECT_EQ(clusterOf(loadPolicy(rule(R"(
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 5}}
)"))).load_balancer,
            LoadBalancer::kRoundRobin);
}

TEST(TrafficPolicyTest, ConsistentHashOnTheSourceIp) {
  const LoadResult result = loadPolicy(rule(R"(
  trafficPolicy:
    loadBalancer:
      consistentHash: {useSourceIp: true}
)"));
  EXPECT_EQ(clusterOf(result).load_balancer, LoadBalancer::kConsistentHashSourceIp);
  EXPECT_TRUE(result.warnings.empty());
}

TEST(TrafficPolicyTest, HttpHashKeysHaveNoKeyForTcpSoPicksAreRandom) {
  const LoadResult result = loadPolicy(rule(R"(
  trafficPolicy:
    loadBalancer:
      consistentHash: {httpHeaderName: x-user}
)"));
  EXPECT_EQ(clusterOf(result).load_balancer, LoadBalancer::kRandom);
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:8:40: spec.trafficPolicy.loadBalancer.consistentHash."
                     "httpHeaderName: consistent hashing on an HTTP request attribute does "
                     "nothing for TCP connections, which have none: as in Envoy's TCP proxy, "
                     "endpoints are picked at random (use useSourceIp: true to keep a client on "
                     "one endpoint)"}));

  for (const std::string key : {"httpCookie: {name: user, ttl: 0s}",
                                "httpQueryParameterName: user", "useSourceIp: false"}) {
    SCOPED_TRACE(key);
    const LoadResult other = loadPolicy(
        rule("  trafficPolicy:\n    loadBalancer:\n      consistentHash: {" + key + "}\n"));
    EXPECT_EQ(clusterOf(other).load_balancer, LoadBalancer::kRandom);
    EXPECT_EQ(other.warnings.size(), 1u);
  }
}

// PASSTHROUGH is valid Istio: an Envoy ORIGINAL_DST cluster, which at a gateway has
// no original destination to connect to, so it is loaded without endpoints (its
// connections are closed, upstream_cx_none_healthy), with a warning.
TEST(TrafficPolicyTest, PassthroughIsAClusterWithoutEndpoints) {
  const LoadResult result = loadPolicy(rule(R"(
  trafficPolicy:
    loadBalancer: {simple: PASSTHROUGH}
)"));
  const UpstreamCluster cluster = clusterOf(result);
  EXPECT_EQ(cluster.name, "outbound|9000||echo.default.svc.cluster.local");
  EXPECT_TRUE(cluster.endpoints.empty());
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:7:28: spec.trafficPolicy.loadBalancer.simple: load balancer "
                     "PASSTHROUGH: Weir, like an Istio gateway, has no original destination to "
                     "forward to, so connections routed to clusters with this policy are closed "
                     "(upstream_cx_none_healthy)"}));
}

// Istio builds a subset's cluster from the rule's: with the rule's policy (for
// the port) PASSTHROUGH, every subset cluster is ORIGINAL_DST, whatever load
// balancer the subset sets; a subset's own PASSTHROUGH makes only its cluster so.
TEST(TrafficPolicyTest, PassthroughAtEachLevel) {
  const std::string rule_level = rule(R"(
  trafficPolicy:
    loadBalancer: {simple: PASSTHROUGH}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
)");
  EXPECT_TRUE(clusterOf(loadPolicy(rule_level, "v1")).endpoints.empty());

  const std::string subset_level = rule(R"(
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy: {loadBalancer: {simple: PASSTHROUGH}}
  - name: v2
    labels: {version: v2}
)");
  EXPECT_TRUE(clusterOf(loadPolicy(subset_level, "v1")).endpoints.empty());
  EXPECT_EQ(clusterOf(loadPolicy(subset_level, "v2")).endpoints.size(), 1u);

  const std::string port_level = rule(R"(
  trafficPolicy:
    portLevelSettings:
    - port: {number: 9100}
      loadBalancer: {simple: PASSTHROUGH}
)");
  EXPECT_TRUE(clusterOf(loadPolicy(port_level, "", 9100)).endpoints.empty());
  EXPECT_EQ(clusterOf(loadPolicy(port_level, "", 9000)).endpoints.size(), 2u);
}

TEST(TrafficPolicyTest, LoadBalancerErrors) {
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    loadBalancer: {simple: FASTEST}
)"),
            (Strings{"test.yaml:7:28: spec.trafficPolicy.loadBalancer.simple: unknown load "
                     "balancer \"FASTEST\": expected ROUND_ROBIN, LEAST_REQUEST, LEAST_CONN, "
                     "RANDOM, UNSPECIFIED or PASSTHROUGH"}));
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    loadBalancer:
      simple: RANDOM
      consistentHash: {useSourceIp: true}
)"),
            (Strings{"test.yaml:9:23: spec.trafficPolicy.loadBalancer.consistentHash: only one "
                     "of simple, consistentHash or backendUtilization may be set"}));
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    loadBalancer:
      consistentHash: {useSourceIp: true, httpHeaderName: x-user}
)"),
            (Strings{"test.yaml:8:59: spec.trafficPolicy.loadBalancer.consistentHash."
                     "httpHeaderName: only one of useSourceIp, httpHeaderName, httpCookie or "
                     "httpQueryParameterName may be set"}));
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    loadBalancer:
      consistentHash: {useSourceIp: yes}
)"),
            (Strings{"test.yaml:8:37: spec.trafficPolicy.loadBalancer.consistentHash."
                     "useSourceIp: expected true or false, got \"yes\""}));
}

// ---- connectionPool.tcp ----

TEST(TrafficPolicyTest, TcpConnectionPoolFields) {
  const LoadResult result = loadPolicy(rule(R"(
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 100
        connectTimeout: 250ms
        idleTimeout: 1h30m
        maxConnectionDuration: 10m
        tcpKeepalive: {time: 7200s, interval: 75s, probes: 9}
)"));
  const UpstreamCluster cluster = clusterOf(result);
  EXPECT_EQ(cluster.max_connections, 100u);
  EXPECT_EQ(cluster.connect_timeout, milliseconds(250));
  EXPECT_EQ(cluster.idle_timeout, std::chrono::minutes(90));
  EXPECT_EQ(cluster.max_connection_duration, std::chrono::minutes(10));
  ASSERT_TRUE(cluster.tcp_keepalive.has_value());
  EXPECT_EQ(cluster.tcp_keepalive->time, seconds(7200));
  EXPECT_EQ(cluster.tcp_keepalive->interval, seconds(75));
  EXPECT_EQ(cluster.tcp_keepalive->probes, 9u);
  EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(toStrings(result.warnings));
}

// Istio checks idleTimeout only from 1ms on, and Envoy reads it in whole
// milliseconds: anything shorter turns it off, like 0s.
TEST(TrafficPolicyTest, AnIdleTimeoutUnder1msTurnsItOff) {
  const auto idle = [](const std::string& value) {
    return clusterOf(loadPolicy(rule("  trafficPolicy:\n    connectionPool:\n      tcp: "
                                     "{idleTimeout: " + value + "}\n")))
        .idle_timeout;
  };
  EXPECT_EQ(idle("0s"), milliseconds(0));
  EXPECT_EQ(idle("1ns"), milliseconds(0));
  EXPECT_EQ(idle("999us"), milliseconds(0));
  EXPECT_EQ(idle("1ms"), milliseconds(1));
  EXPECT_EQ(errorsOf("  trafficPolicy:\n    connectionPool:\n      tcp: {idleTimeout: "
                     "1.0005s}\n"),
            (Strings{"test.yaml:8:26: spec.trafficPolicy.connectionPool.tcp.idleTimeout: only "
                     "durations to ms precision are supported, got \"1.0005s\""}));
}

TEST(TrafficPolicyTest, IstioDefaultsWithoutAPolicy) {
  const UpstreamCluster cluster = clusterOf(loadPolicy(rule("")));
  EXPECT_EQ(cluster.max_connections, 0xFFFFFFFFu);
  EXPECT_EQ(cluster.max_connection_duration, milliseconds(0));
  EXPECT_FALSE(cluster.tcp_keepalive.has_value());
  EXPECT_EQ(cluster.proxy_protocol, ProxyProtocol::kNone);
  EXPECT_FALSE(cluster.outlier_detection.has_value());
}

TEST(TrafficPolicyTest, ZeroMaxConnectionsIsUnsetAsInProto3) {
  EXPECT_EQ(clusterOf(loadPolicy(rule(R"(
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 0}}
)"))).max_connections,
            0xFFFFFFFFu);
}

TEST(TrafficPolicyTest, KeepaliveTimesAreWholeSeconds) {
  const LoadResult result = loadPolicy(rule(R"(
  trafficPolicy:
    connectionPool:
      tcp:
        tcpKeepalive: {time: 1500ms, interval: 500ms}
)"));
  const UpstreamCluster cluster = clusterOf(result);
  ASSERT_TRUE(cluster.tcp_keepalive.has_value());
  EXPECT_EQ(cluster.tcp_keepalive->time, seconds(1));
  EXPECT_EQ(cluster.tcp_keepalive->interval, seconds(0)) << "0: the system's value";
  EXPECT_EQ(cluster.tcp_keepalive->probes, 0u);
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:9:30: spec.trafficPolicy.connectionPool.tcp.tcpKeepalive.time: "
                     "keepalive times are set in whole seconds: 1500ms is applied as 1s",
                     "test.yaml:9:48: spec.trafficPolicy.connectionPool.tcp.tcpKeepalive."
                     "interval: keepalive times are set in whole seconds: 500ms is applied as "
                     "the system's default"}));
}

TEST(TrafficPolicyTest, ConnectionPoolErrorsUseIstiosWording) {
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: -1
        maxConnectionDuration: 0s
        tcpKeepalive: {time: 1d, probes: -3}
)"),
            (Strings{"test.yaml:9:25: spec.trafficPolicy.connectionPool.tcp.maxConnections: max "
                     "connections must be non-negative",
                     "test.yaml:10:32: spec.trafficPolicy.connectionPool.tcp."
                     "maxConnectionDuration: duration must be greater than 1ms, got \"0s\"",
                     "test.yaml:11:30: spec.trafficPolicy.connectionPool.tcp.tcpKeepalive.time: "
                     "invalid duration \"1d\": expected a Go duration such as 10s, 500ms or "
                     "1h30m",
                     "test.yaml:11:42: spec.trafficPolicy.connectionPool.tcp.tcpKeepalive."
                     "probes: expected an integer in 0..4294967295, got -3"}));
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 3000000000}}
)"),
            (Strings{"test.yaml:7:44: spec.trafficPolicy.connectionPool.tcp.maxConnections: max "
                     "connections 3000000000 is out of range (at most 2147483647)"}));
}

// ---- proxyProtocol ----

TEST(TrafficPolicyTest, ProxyProtocolVersions) {
  EXPECT_EQ(clusterOf(loadPolicy(rule("  trafficPolicy:\n    proxyProtocol: {version: V1}\n")))
                .proxy_protocol,
            ProxyProtocol::kV1);
  EXPECT_EQ(clusterOf(loadPolicy(rule("  trafficPolicy:\n    proxyProtocol: {version: V2}\n")))
                .proxy_protocol,
            ProxyProtocol::kV2);
  // VERSION's zero value is V1.
  EXPECT_EQ(clusterOf(loadPolicy(rule("  trafficPolicy:\n    proxyProtocol: {}\n"))).proxy_protocol,
            ProxyProtocol::kV1);
  EXPECT_EQ(errorsOf("  trafficPolicy:\n    proxyProtocol: {version: V3}\n"),
            (Strings{"test.yaml:7:30: spec.trafficPolicy.proxyProtocol.version: proxy protocol "
                     "version is invalid: V3 (expected V1 or V2)"}));
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    tunnel: {targetHost: example.com, targetPort: 443}
    proxyProtocol: {version: V2}
)"),
            (Strings{"test.yaml:8:20: spec.trafficPolicy.proxyProtocol: tunnel and proxyProtocol "
                     "must not be set together"}));
}

// ---- outlierDetection ----

TEST(TrafficPolicyTest, OutlierDetectionFields) {
  const UpstreamCluster cluster = clusterOf(loadPolicy(rule(R"(
  trafficPolicy:
    outlierDetection:
      consecutiveGatewayErrors: 3
      interval: 5s
      baseEjectionTime: 1m
      maxEjectionPercent: 50
      minHealthPercent: 20
)")));
  ASSERT_TRUE(cluster.outlier_detection.has_value());
  EXPECT_EQ(cluster.outlier_detection->consecutive_errors, 3u);
  EXPECT_EQ(cluster.outlier_detection->interval, seconds(5));
  EXPECT_EQ(cluster.outlier_detection->base_ejection_time, std::chrono::minutes(1));
  EXPECT_EQ(cluster.outlier_detection->max_ejection_percent, 50u);
  EXPECT_EQ(cluster.outlier_detection->min_health_percent, 20);
}

TEST(TrafficPolicyTest, OutlierDetectionDefaultsAreEnvoys) {
  const UpstreamCluster cluster =
      clusterOf(loadPolicy(rule("  trafficPolicy:\n    outlierDetection: {}\n")));
  ASSERT_TRUE(cluster.outlier_detection.has_value());
  EXPECT_EQ(cluster.outlier_detection->consecutive_errors, 5u);
  EXPECT_EQ(cluster.outlier_detection->interval, seconds(10));
  EXPECT_EQ(cluster.outlier_detection->base_ejection_time, seconds(30));
  EXPECT_EQ(cluster.outlier_detection->max_ejection_percent, 10u);
  EXPECT_EQ(cluster.outlier_detection->min_health_percent, 0);
}

// A connect failure counts for both of Envoy's detectors; the lower enabled
// threshold ejects first.
TEST(TrafficPolicyTest, ConsecutiveErrorsIsTheLowestEnabledThreshold) {
  const auto threshold = [](const std::string& fields) {
    const UpstreamCluster cluster =
        clusterOf(loadPolicy(rule("  trafficPolicy:\n    outlierDetection: {" + fields + "}\n")));
    return cluster.outlier_detection ? cluster.outlier_detection->consecutive_errors : 999u;
  };
  EXPECT_EQ(threshold("consecutive5xxErrors: 7"), 7u);
  EXPECT_EQ(threshold("consecutiveGatewayErrors: 2"), 2u);
  EXPECT_EQ(threshold("consecutiveGatewayErrors: 10"), 5u) << "the 5xx detector's default";
  EXPECT_EQ(threshold("consecutiveGatewayErrors: 10, consecutive5xxErrors: 0"), 10u);
  EXPECT_EQ(threshold("consecutiveGatewayErrors: 4, consecutive5xxErrors: 6"), 4u);
  EXPECT_EQ(threshold("consecutive5xxErrors: 0"), 0u) << "no detector: never ejects";
  EXPECT_EQ(threshold("consecutiveErrors: 8"), 5u) << "Istio no longer passes it to Envoy";
}

TEST(TrafficPolicyTest, DeprecatedConsecutiveErrorsIsAWarning) {
  const LoadResult result =
      loadPolicy(rule("  trafficPolicy:\n    outlierDetection: {consecutiveErrors: 8}\n"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:7:43: spec.trafficPolicy.outlierDetection.consecutiveErrors: "
                     "outlier detection consecutive errors is deprecated, use "
                     "consecutiveGatewayErrors or consecutive5xxErrors instead"}));
}

TEST(TrafficPolicyTest, OutlierDetectionErrorsUseIstiosWording) {
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    outlierDetection:
      consecutive5xxErrors: -1
      interval: 500us
      baseEjectionTime: 30
      maxEjectionPercent: 101
      minHealthPercent: -5
)"),
            (Strings{"test.yaml:8:29: spec.trafficPolicy.outlierDetection.consecutive5xxErrors: "
                     "expected an integer in 0..4294967295, got -1",
                     "test.yaml:9:17: spec.trafficPolicy.outlierDetection.interval: duration "
                     "must be greater than 1ms, got \"500us\"",
                     "test.yaml:10:25: spec.trafficPolicy.outlierDetection.baseEjectionTime: "
                     "invalid duration \"30\": expected a Go duration such as 10s, 500ms or "
                     "1h30m",
                     "test.yaml:11:27: spec.trafficPolicy.outlierDetection.maxEjectionPercent: "
                     "percentage 101 is not in range 0..100",
                     "test.yaml:12:25: spec.trafficPolicy.outlierDetection.minHealthPercent: "
                     "percentage -5 is not in range 0..100"}));
}

// With splitExternalLocalOriginErrors, a connect failure is a local-origin error,
// which only consecutiveLocalOriginFailures counts (Envoy's default 5); without it,
// Istio refuses consecutiveLocalOriginFailures.
TEST(TrafficPolicyTest, LocalOriginFailuresNeedTheirErrorsSplitOut) {
  const auto threshold = [](const std::string& fields) {
    const UpstreamCluster cluster =
        clusterOf(loadPolicy(rule("  trafficPolicy:\n    outlierDetection: {" + fields + "}\n")));
    return cluster.outlier_detection ? cluster.outlier_detection->consecutive_errors : 999u;
  };
  EXPECT_EQ(threshold("splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 2, "
                      "consecutive5xxErrors: 7"),
            2u);
  EXPECT_EQ(threshold("splitExternalLocalOriginErrors: true, consecutiveGatewayErrors: 1"), 5u);
  EXPECT_EQ(errorsOf("  trafficPolicy:\n    outlierDetection: {consecutiveLocalOriginFailures: "
                     "2}\n"),
            (Strings{"test.yaml:7:56: spec.trafficPolicy.outlierDetection."
                     "consecutiveLocalOriginFailures: outlier detection consecutive local origin "
                     "failures is specified, but split external local origin errors is set to "
                     "false"}));
}

// ---- sections Weir validates but does not act on ----

TEST(TrafficPolicyTest, ClientTlsIsCheckedAsIstioDoes) {
  const LoadResult simple = loadPolicy(rule(R"(
  trafficPolicy:
    tls: {mode: SIMPLE, caCertificates: /ca.pem, subjectAltNames: [echo], sni: echo}
)"));
  ASSERT_TRUE(simple.ok()) << ::testing::PrintToString(toStrings(simple.errors));
  EXPECT_EQ(toStrings(simple.warnings),
            (Strings{"test.yaml:7:5: spec.trafficPolicy.tls: field \"tls\" is not supported by "
                     "Weir yet; ignored"}));

  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    tls: {mode: SIMPLE, subjectAltNames: [echo], insecureSkipVerify: true}
    portLevelSettings:
    - port: {number: 9000}
      tls: {mode: MUTUAL, clientCertificate: /cert.pem}
  subsets:
  - name: v1
    trafficPolicy:
      tls: {mode: MUTUAL, credentialName: "configmap://other/ca", caCrl: /crl.pem}
  - name: v2
    trafficPolicy:
      tls: {mode: SIMPLE, credentialName: echo-secret, privateKey: /key.pem}
)"),
            (Strings{"test.yaml:7:70: spec.trafficPolicy.tls.insecureSkipVerify: cannot specify "
                     "CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify "
                     "is set true",
                     "test.yaml:10:12: spec.trafficPolicy.portLevelSettings[0].tls: private key "
                     "required for mutual tls",
                     "test.yaml:14:43: spec.subsets[0].trafficPolicy.tls.credentialName: invalid "
                     "configmap:// credentialName: namespace must match the configuration "
                     "namespace \"default\"",
                     "test.yaml:14:43: spec.subsets[0].trafficPolicy.tls.credentialName: cannot "
                     "specify client certificates or CA certificate or CA CRL If credentialName is "
                     "set",
                     "test.yaml:17:43: spec.subsets[1].trafficPolicy.tls.credentialName: cannot "
                     "specify client certificates or CA certificate or CA CRL If credentialName is "
                     "set"}));
}

TEST(TrafficPolicyTest, MaglevAndRingHashAreCheckedAsIstioDoes) {
  const auto errors = [](const std::string& hash) {
    return errorsOf(
        "  trafficPolicy:\n    loadBalancer:\n      consistentHash: {useSourceIp: true, " + hash +
        "}\n");
  };
  EXPECT_TRUE(errors("maglev: {tableSize: 65537}").empty());
  EXPECT_TRUE(errors("maglev: {tableSize: 2}").empty());
  EXPECT_TRUE(errors("ringHash: {minimumRingSize: 1024}").empty());
  const std::string at = "test.yaml:8:63: spec.trafficPolicy.loadBalancer.consistentHash.";
  EXPECT_EQ(errors("maglev: {tableSize: 1000}"),
            (Strings{at + "maglev.tableSize: tableSize must be a prime number for maglev"}));
  EXPECT_EQ(errors("maglev: {tableSize: 5000011}"),
            (Strings{at + "maglev.tableSize: tableSize must be less than 5000011 for maglev"}));
  EXPECT_EQ(errors("maglev: {}"),
            (Strings{"test.yaml:8:51: spec.trafficPolicy.loadBalancer.consistentHash.maglev: "
                     "tableSize must be set for maglev",
                     "test.yaml:8:51: spec.trafficPolicy.loadBalancer.consistentHash.maglev: "
                     "tableSize must be a prime number for maglev"}));
  EXPECT_EQ(errors("minimumRingSize: 1024, ringHash: {}"),
            (Strings{"test.yaml:8:60: spec.trafficPolicy.loadBalancer.consistentHash."
                     "minimumRingSize: only one of MinimumRingSize or Maglev/Ringhash can be "
                     "specified"}));
  EXPECT_EQ(errors("ringHash: {}, maglev: {tableSize: 3}"),
            (Strings{"test.yaml:8:65: spec.trafficPolicy.loadBalancer.consistentHash.maglev: "
                     "only one of ringHash or maglev may be set"}));
}

TEST(TrafficPolicyTest, HttpCookiesNeedANameAndDistinctAttributes) {
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpCookie:
          ttl: 0s
          attributes:
          - {name: SameSite, value: Strict}
          - {name: SameSite, value: Lax}
          - {value: x}
)"),
            (Strings{"test.yaml:10:11: spec.trafficPolicy.loadBalancer.consistentHash.httpCookie: "
                     "name required for HttpCookie",
                     "test.yaml:13:20: spec.trafficPolicy.loadBalancer.consistentHash.httpCookie."
                     "attributes[1].name: duplicate cookie attribute name: SameSite",
                     "test.yaml:14:13: spec.trafficPolicy.loadBalancer.consistentHash.httpCookie."
                     "attributes[2]: cookie attribute name cannot be empty"}));
}

TEST(TrafficPolicyTest, LocalityLbSettingIsCheckedAsIstioDoes) {
  const LoadResult valid = loadPolicy(rule(R"(
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        enabled: true
        failover:
        - {from: us-east, to: eu-west}
        failoverPriority: [topology.istio.io/network]
)"));
  ASSERT_TRUE(valid.ok()) << ::testing::PrintToString(toStrings(valid.errors));
  EXPECT_EQ(toStrings(valid.warnings),
            (Strings{"test.yaml:8:7: spec.trafficPolicy.loadBalancer.localityLbSetting: field "
                     "\"localityLbSetting\" is not supported by Weir yet; ignored",
                     "test.yaml:9:9: spec.trafficPolicy.loadBalancer.localityLbSetting: outlier "
                     "detection policy must be provided for failover"}));

  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        failover:
        - {from: region1, to: region1}
        - {from: "r1/z1", to: "r*"}
    outlierDetection: {}
)"),
            (Strings{"test.yaml:10:11: spec.trafficPolicy.loadBalancer.localityLbSetting."
                     "failover[0]: locality lb failover settings must specify different regions",
                     "test.yaml:11:11: spec.trafficPolicy.loadBalancer.localityLbSetting."
                     "failover[1]: locality lb failover only specify region",
                     "test.yaml:11:11: spec.trafficPolicy.loadBalancer.localityLbSetting."
                     "failover[1]: locality lb failover region should not contain '*' wildcard"}));

  // Istio stops at the first problem of `distribute`.
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        distribute:
        - from: a/b
          to: {"a/b": 60, "a/c": 0}
        - from: a
          to: {"a/b": 60}
)"),
            (Strings{"test.yaml:11:34: spec.trafficPolicy.loadBalancer.localityLbSetting."
                     "distribute[0].to.a/c: locality weight must be in range [1, 100]"}));
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        distribute:
        - {from: a/b, to: {"a/b": 100}}
        - {from: a, to: {"a/b": 50, "a/c": 50}}
)"),
            (Strings{"test.yaml:10:9: spec.trafficPolicy.loadBalancer.localityLbSetting."
                     "distribute: locality a overlap with previous specified ones"}));
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        distribute: [{from: a, to: {b: 100}}]
        failover: [{from: a, to: b}]
)"),
            (Strings{"test.yaml:9:9: spec.trafficPolicy.loadBalancer.localityLbSetting: can not "
                     "simultaneously specify 'distribute' and 'failover'"}));
}

TEST(TrafficPolicyTest, ZoneAwareLbSettingIsCheckedAsIstioDoes) {
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    loadBalancer:
      localityLbSetting: {enabled: true}
      zoneAwareLbSetting:
        minClusterSize: 0
        failover: [{from: us, to: us}]
        failoverPriority: [version, topology.kubernetes.io/zone]
    outlierDetection: {}
)"),
            (Strings{"test.yaml:10:9: spec.trafficPolicy.loadBalancer.zoneAwareLbSetting: only "
                     "one of localityLbSetting and zoneAwareLbSetting can be set",
                     "test.yaml:10:25: spec.trafficPolicy.loadBalancer.zoneAwareLbSetting."
                     "minClusterSize: minClusterSize should be greater than or equal to 1",
                     "test.yaml:11:20: spec.trafficPolicy.loadBalancer.zoneAwareLbSetting."
                     "failover[0]: zone aware lb failover settings must specify different regions",
                     "test.yaml:12:27: spec.trafficPolicy.loadBalancer.zoneAwareLbSetting."
                     "failoverPriority: 'failover_priority' for zone aware lb must not use "
                     "topology label 'topology.kubernetes.io/zone'; region- and zone-level "
                     "routing are handled automatically"}));
}

TEST(TrafficPolicyTest, WarmupIsCheckedAsIstioDoes) {
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    loadBalancer:
      warmupDurationSecs: 0s
      warmup: {minimumPercent: 150, aggression: 0}
)"),
            (Strings{"test.yaml:8:27: spec.trafficPolicy.loadBalancer.warmupDurationSecs: "
                     "duration must be greater than 1ms, got \"0s\"",
                     "test.yaml:9:15: spec.trafficPolicy.loadBalancer.warmup.duration: duration "
                     "is required (CRD: spec.trafficPolicy.loadBalancer.warmup.duration: Required "
                     "value)",
                     "test.yaml:9:32: spec.trafficPolicy.loadBalancer.warmup.minimumPercent: "
                     "minimumPercent value should be less than or equal to 100",
                     "test.yaml:9:49: spec.trafficPolicy.loadBalancer.warmup.aggression: "
                     "aggression should be greater than 0"}));
  EXPECT_TRUE(errorsOf("  trafficPolicy:\n    loadBalancer:\n      warmup: {duration: 60s, "
                       "minimumPercent: 10.5, aggression: 1.5}\n")
                  .empty());
}

TEST(TrafficPolicyTest, HttpConnectionPoolIsCheckedAsIstioDoes) {
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    connectionPool:
      http:
        http1MaxPendingRequests: -1
        maxRetries: -2
        h2UpgradePolicy: UPGRADE
        useClientProtocol: true
        http2KeepAlive: {interval: 10s}
)"),
            (Strings{"test.yaml:9:34: spec.trafficPolicy.connectionPool.http."
                     "http1MaxPendingRequests: http1 max pending requests must be non-negative",
                     "test.yaml:10:21: spec.trafficPolicy.connectionPool.http.maxRetries: max "
                     "retries must be non-negative",
                     "test.yaml:12:28: spec.trafficPolicy.connectionPool.http.useClientProtocol: "
                     "use client protocol must not be true when H2UpgradePolicy is UPGRADE",
                     "test.yaml:13:25: spec.trafficPolicy.connectionPool.http.http2KeepAlive: "
                     "http2 keepalive timeout is required"}));
}

TEST(TrafficPolicyTest, TunnelIsCheckedAsIstioDoes) {
  EXPECT_EQ(errorsOf("  trafficPolicy:\n    tunnel: {protocol: GET, targetHost: \"bad host\", "
                     "targetPort: 0}\n"),
            (Strings{"test.yaml:7:24: spec.trafficPolicy.tunnel.protocol: tunnel protocol must "
                     "be \"CONNECT\" or \"POST\"",
                     "test.yaml:7:41: spec.trafficPolicy.tunnel.targetHost: tunnel target host "
                     "must be valid FQDN or IP address: domain name \"bad host\" invalid (label "
                     "\"bad host\" invalid); bad host is not a valid IP",
                     "test.yaml:7:65: spec.trafficPolicy.tunnel.targetPort: tunnel target port "
                     "is invalid: port number 0 must be in the range 1..65535"}));
  EXPECT_TRUE(
      errorsOf("  trafficPolicy:\n    tunnel: {protocol: POST, targetHost: 10.0.0.1, targetPort: "
               "8443}\n")
          .empty());
}

// Sections of newer Istio versions load: they have nothing to do for TCP, or Weir
// warns that it does not act on them.
TEST(TrafficPolicyTest, NewerSectionsLoad) {
  const LoadResult result = loadPolicy(rule(R"(
  trafficPolicy:
    retryBudget: {percent: 20, minRetryConcurrency: 3, budgetInterval: 10s}
    outlierDetection: {outlierDetectionHttpErrorCodes: [503, 504]}
    loadBalancer:
      backendUtilization: {errorUtilizationPenaltyPercent: 10, weightUpdatePeriod: 1s}
)"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:10:7: spec.trafficPolicy.loadBalancer.backendUtilization: field "
                     "\"backendUtilization\" is not supported by Weir yet; ignored"}));
  EXPECT_EQ(errorsOf("  trafficPolicy:\n    outlierDetection: {outlierDetectionHttpErrorCodes: "
                     "[99]}\n"),
            (Strings{"test.yaml:7:57: spec.trafficPolicy.outlierDetection."
                     "outlierDetectionHttpErrorCodes[0]: HTTP status code 99 is not in range "
                     "100..599 (CRD: should be greater than or equal to 100)"}));
}

// ---- empty sections ----

TEST(TrafficPolicyTest, EmptySectionsAreErrorsAsInIstio) {
  EXPECT_EQ(errorsOf("  trafficPolicy: {}\n"),
            (Strings{"test.yaml:6:18: spec.trafficPolicy: traffic policy must have at least one "
                     "field"}));
  EXPECT_EQ(errorsOf("  trafficPolicy:\n    connectionPool: {}\n"),
            (Strings{"test.yaml:7:21: spec.trafficPolicy.connectionPool: connection pool must "
                     "have at least one field"}));
  EXPECT_EQ(errorsOf(R"(
  trafficPolicy:
    portLevelSettings:
    - port: {number: 9000}
    - loadBalancer: {simple: RANDOM}
    - null
)"),
            (Strings{"test.yaml:8:7: spec.trafficPolicy.portLevelSettings[0]: port traffic "
                     "policy must have at least one field",
                     "test.yaml:9:7: spec.trafficPolicy.portLevelSettings[1].port: "
                     "portTrafficPolicy must have valid port",
                     "test.yaml:10:7: spec.trafficPolicy.portLevelSettings[2]: traffic policy "
                     "may not be null"}));
}

// ---- which level wins ----

// Rule: LEAST_REQUEST, connectTimeout 1s, PROXY v1. Port 9100: RANDOM only (so its
// connectionPool is back to the defaults). Subset v2: connectionPool with idleTimeout
// 5s; on port 9100 a consistent hash. Subset v3: proxyProtocol V2.
const std::string kLayeredRule = rule(R"(
  trafficPolicy:
    loadBalancer: {simple: LEAST_REQUEST}
    connectionPool: {tcp: {connectTimeout: 1s}}
    proxyProtocol: {version: V1}
    portLevelSettings:
    - port: {number: 9100}
      loadBalancer: {simple: RANDOM}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      connectionPool: {tcp: {idleTimeout: 5s}}
      portLevelSettings:
      - port: {number: 9100}
        loadBalancer: {consistentHash: {useSourceIp: true}}
  - name: v3
    labels: {version: v2}
    trafficPolicy:
      proxyProtocol: {version: V2}
)");

TEST(TrafficPolicyTest, RuleLevelAppliesToEverySubsetAndPort) {
  const UpstreamCluster cluster = clusterOf(loadPolicy(kLayeredRule, "v1", 9000));
  EXPECT_EQ(cluster.load_balancer, LoadBalancer::kLeastRequest);
  EXPECT_EQ(cluster.connect_timeout, seconds(1));
  EXPECT_EQ(cluster.proxy_protocol, ProxyProtocol::kV1);
}

TEST(TrafficPolicyTest, PortLevelSettingsReplaceSectionsWithoutInheriting) {
  const UpstreamCluster cluster = clusterOf(loadPolicy(kLayeredRule, "v1", 9100));
  EXPECT_EQ(cluster.load_balancer, LoadBalancer::kRandom);
  EXPECT_EQ(cluster.connect_timeout, seconds(10)) << "the port entry has no connectionPool";
  EXPECT_EQ(cluster.proxy_protocol, ProxyProtocol::kV1) << "not a port-level field";
}

TEST(TrafficPolicyTest, ASubsetReplacesTheSectionsItSets) {
  const UpstreamCluster cluster = clusterOf(loadPolicy(kLayeredRule, "v2", 9000));
  EXPECT_EQ(cluster.load_balancer, LoadBalancer::kLeastRequest) << "inherited section";
  EXPECT_EQ(cluster.idle_timeout, seconds(5));
  EXPECT_EQ(cluster.connect_timeout, seconds(10)) << "the whole connectionPool was replaced";
}

TEST(TrafficPolicyTest, ASubsetsPortLevelSettingsWinOverEverything) {
  const UpstreamCluster cluster = clusterOf(loadPolicy(kLayeredRule, "v2", 9100));
  EXPECT_EQ(cluster.load_balancer, LoadBalancer::kConsistentHashSourceIp);
  EXPECT_EQ(cluster.idle_timeout, std::chrono::hours(1))
      << "the subset's port entry has no connectionPool: defaults";
  EXPECT_EQ(cluster.proxy_protocol, ProxyProtocol::kV1);
}

TEST(TrafficPolicyTest, ProxyProtocolFromTheSubsetElseTheRule) {
  EXPECT_EQ(clusterOf(loadPolicy(kLayeredRule, "v3", 9000)).proxy_protocol, ProxyProtocol::kV2);
  EXPECT_EQ(clusterOf(loadPolicy(kLayeredRule, "v3", 9100)).proxy_protocol, ProxyProtocol::kV2);
  EXPECT_EQ(clusterOf(loadPolicy(kLayeredRule, "v3", 9100)).load_balancer, LoadBalancer::kRandom);
}

TEST(TrafficPolicyTest, TheFirstPortLevelEntryForAPortWins) {
  const LoadResult result = loadPolicy(rule(R"(
  trafficPolicy:
    portLevelSettings:
    - port: {number: 9000}
      loadBalancer: {simple: RANDOM}
    - port: {number: 9000}
      loadBalancer: {simple: LEAST_REQUEST}
)"));
  EXPECT_EQ(clusterOf(result).load_balancer, LoadBalancer::kRandom);
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:10:22: spec.trafficPolicy.portLevelSettings[1].port.number: port "
                     "9000 already has settings in spec.trafficPolicy.portLevelSettings[0], "
                     "which Istio applies; these are ignored"}));
}

// The merge itself, without YAML.
TEST(TrafficPolicyTest, EffectivePolicyOrder) {
  TrafficPolicySpec rule_policy;
  rule_policy.load_balancer = LoadBalancerSpec{LoadBalancer::kLeastRequest};
  PortTrafficPolicySpec port_80;
  port_80.port = 80;
  port_80.load_balancer = LoadBalancerSpec{LoadBalancer::kRandom};
  rule_policy.port_level_settings.push_back(port_80);
  TrafficPolicySpec subset_policy;
  subset_policy.connection_pool.emplace().max_connections = 3;

  EXPECT_EQ(effectiveTrafficPolicy(&rule_policy, nullptr, 81).load_balancer->policy,
            LoadBalancer::kLeastRequest);
  EXPECT_EQ(effectiveTrafficPolicy(&rule_policy, nullptr, 80).load_balancer->policy,
            LoadBalancer::kRandom);
  const TrafficPolicySpec merged = effectiveTrafficPolicy(&rule_policy, &subset_policy, 80);
  EXPECT_EQ(merged.load_balancer->policy, LoadBalancer::kRandom);
  EXPECT_EQ(merged.connection_pool->max_connections, 3u);
  EXPECT_TRUE(merged.port_level_settings.empty());
  EXPECT_FALSE(effectiveTrafficPolicy(nullptr, nullptr, 80).load_balancer.has_value());
}

}  // namespace
}  // namespace weir::config
