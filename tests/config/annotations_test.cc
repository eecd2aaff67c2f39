// Weir's own weir.dev/ annotations: health checks on ServiceEntries and
// DestinationRules, connect attempts on VirtualServices, connection limits on
// Gateways, and the errors for everything else under weir.dev/.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/loader.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::kDestinationRuleYaml;
using fixture::kGatewayYaml;
using fixture::kServiceEntryYaml;
using fixture::kVirtualServiceYaml;
using fixture::toStrings;
using fixture::yaml;
using std::chrono::milliseconds;
using Strings = std::vector<std::string>;

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// `object` (one of the fixture's objects, whose metadata starts "metadata:\n")
// with `annotations` (lines indented by four spaces) under metadata.annotations.
std::string annotate(const std::string& object, const std::string& annotations) {
  std::string result = object;
  const size_t metadata = result.find("metadata:\n");
  result.insert(metadata + 10, "  annotations:\n" + annotations);
  return result;
}

// Gateway, VirtualService (80/20 to echo v1/v2), DestinationRule and ServiceEntry,
// any of them replaced by an annotated version.
struct Objects {
  std::string gateway = kGatewayYaml;
  std::string virtual_service = kVirtualServiceYaml;
  std::string destination_rule = kDestinationRuleYaml;
  std::string service_entry = kServiceEntryYaml;

  LoadResult load() const {
    return loadFromText({{"test.yaml", gateway + "---\n" + virtual_service + "---\n" +
                                           destination_rule + "---\n" + service_entry}});
  }
};

LoadResult loadOk(const Objects& objects) {
  LoadResult result = objects.load();
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(toStrings(result.warnings));
  return result;
}

// test.yaml is `text` alone, for messages with short, countable line numbers.
Strings errorsOf(const std::string& text) { return toStrings(fixture::loadOne(text).errors); }

// ---- Defaults: no annotation changes nothing ----

TEST(AnnotationsTest, WithoutAnnotationsNothingIsSet) {
  const LoadResult result = loadOk(Objects{});
  ASSERT_TRUE(result.table);
  for (const UpstreamCluster& cluster : result.table->clusters) {
    EXPECT_FALSE(cluster.health_check) << cluster.name;
  }
  EXPECT_EQ(result.table->routes.at(0).max_connect_attempts, 0u) << "weir's flag decides";
  EXPECT_EQ(result.table->listeners.at(0).max_connections, UINT64_MAX);
}

TEST(AnnotationsTest, OtherPrefixesAreIgnoredSilently) {
  Objects objects;
  objects.service_entry = annotate(kServiceEntryYaml, yaml(R"(
    kubectl.kubernetes.io/last-applied-configuration: "{}"
    example.com/weir.dev/health-check-timeout: nonsense
    weir.dev.example.com/max-connections: "0"
    note: 3
)"));
  const LoadResult result = loadOk(objects);
  ASSERT_TRUE(result.table);
  EXPECT_FALSE(result.table->clusters.at(0).health_check);
}

// ---- Health checks ----

TEST(AnnotationsTest, IntervalAloneTurnsChecksOnWithDefaults) {
  Objects objects;
  objects.service_entry =
      annotate(kServiceEntryYaml, "    weir.dev/health-check-interval: 2s\n");
  const LoadResult result = loadOk(objects);
  ASSERT_TRUE(result.table);
  ASSERT_EQ(result.table->clusters.size(), 2u);
  for (const UpstreamCluster& cluster : result.table->clusters) {
    SCOPED_TRACE(cluster.name);
    ASSERT_TRUE(cluster.health_check);
    EXPECT_EQ(cluster.health_check->interval, milliseconds(2'000));
    EXPECT_EQ(cluster.health_check->timeout, milliseconds(1'000));
    EXPECT_EQ(cluster.health_check->healthy_threshold, 2u);
    EXPECT_EQ(cluster.health_check->unhealthy_threshold, 3u);
    EXPECT_EQ(cluster.health_check->send, "");
    EXPECT_EQ(cluster.health_check->expect, "");
  }
}

TEST(AnnotationsTest, EveryHealthCheckField) {
  Objects objects;
  objects.service_entry = annotate(kServiceEntryYaml, yaml(R"(
    weir.dev/health-check-interval: "500ms"
    weir.dev/health-check-timeout: 1m30s
    weir.dev/health-check-healthy-threshold: "4"
    weir.dev/health-check-unhealthy-threshold: 7
    weir.dev/health-check-send: "PING\r\n"
    weir.dev/health-check-expect: 'PONG'
)"));
  const LoadResult result = loadOk(objects);
  ASSERT_TRUE(result.table);
  const std::optional<UpstreamCluster::HealthCheck>& check =
      result.table->clusters.at(0).health_check;
  ASSERT_TRUE(check);
  EXPECT_EQ(check->interval, milliseconds(500));
  EXPECT_EQ(check->timeout, milliseconds(90'000));
  EXPECT_EQ(check->healthy_threshold, 4u);
  EXPECT_EQ(check->unhealthy_threshold, 7u);
  EXPECT_EQ(check->send, "PING\r\n");
  EXPECT_EQ(check->expect, "PONG");
}

TEST(AnnotationsTest, ServiceEntryCheckAppliesToClustersWithoutSubset) {
  Objects objects;
  objects.destination_rule = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: unrelated}
spec: {host: other}
)");
  objects.virtual_service =
      replaceAll(replaceAll(kVirtualServiceYaml, "        subset: v1\n", ""), "        subset: v2\n",
                 "        port: {number: 9000}\n");
  objects.service_entry = annotate(kServiceEntryYaml, "    weir.dev/health-check-interval: 3s\n");
  const LoadResult result = loadOk(objects);
  ASSERT_TRUE(result.table);
  ASSERT_EQ(result.table->clusters.size(), 1u);
  ASSERT_TRUE(result.table->clusters[0].health_check);
  EXPECT_EQ(result.table->clusters[0].health_check->interval, milliseconds(3'000));
}

TEST(AnnotationsTest, DestinationRuleCheckAppliesToEverySubset) {
  Objects objects;
  objects.destination_rule = annotate(kDestinationRuleYaml, yaml(R"(
    weir.dev/health-check-interval: 10s
    weir.dev/health-check-expect: ok
)"));
  const LoadResult result = loadOk(objects);
  ASSERT_TRUE(result.table);
  ASSERT_EQ(result.table->clusters.size(), 2u);
  for (const UpstreamCluster& cluster : result.table->clusters) {
    SCOPED_TRACE(cluster.name);
    ASSERT_TRUE(cluster.health_check);
    EXPECT_EQ(cluster.health_check->interval, milliseconds(10'000));
    EXPECT_EQ(cluster.health_check->expect, "ok");
  }
}

TEST(AnnotationsTest, DestinationRuleCheckReplacesServiceEntryCheckAsAWhole) {
  Objects objects;
  objects.service_entry = annotate(kServiceEntryYaml, yaml(R"(
    weir.dev/health-check-interval: 2s
    weir.dev/health-check-unhealthy-threshold: "5"
    weir.dev/health-check-send: "PING\n"
)"));
  objects.destination_rule =
      annotate(kDestinationRuleYaml, "    weir.dev/health-check-interval: 10s\n");
  const LoadResult result = loadOk(objects);
  ASSERT_TRUE(result.table);
  for (const UpstreamCluster& cluster : result.table->clusters) {
    SCOPED_TRACE(cluster.name);
    ASSERT_TRUE(cluster.health_check);
    EXPECT_EQ(cluster.health_check->interval, milliseconds(10'000));
    EXPECT_EQ(cluster.health_check->unhealthy_threshold, 3u) << "the default, not inherited";
    EXPECT_EQ(cluster.health_check->send, "") << "not inherited from the ServiceEntry";
  }
}

TEST(AnnotationsTest, DestinationRuleWithoutCheckKeepsServiceEntryCheck) {
  Objects objects;
  objects.service_entry = annotate(kServiceEntryYaml, yaml(R"(
    weir.dev/health-check-interval: 2s
    weir.dev/health-check-send: "PING\n"
)"));
  objects.destination_rule = annotate(kDestinationRuleYaml, "    team: payments\n");
  const LoadResult result = loadOk(objects);
  ASSERT_TRUE(result.table);
  for (const UpstreamCluster& cluster : result.table->clusters) {
    SCOPED_TRACE(cluster.name);
    ASSERT_TRUE(cluster.health_check);
    EXPECT_EQ(cluster.health_check->interval, milliseconds(2'000));
    EXPECT_EQ(cluster.health_check->send, "PING\n");
  }
}

// ---- Connect attempts and connection limits ----

TEST(AnnotationsTest, MaxConnectAttemptsAppliesToEveryRuleOfItsVirtualService) {
  const std::string gateway = yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  servers:
  - port: {number: 9000, name: tcp, protocol: TCP}
    hosts: ["*"]
  - port: {number: 9443, name: tls, protocol: TLS}
    hosts: ["*.example.com"]
    tls: {mode: PASSTHROUGH}
)");
  const std::string routes = yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: retried
  annotations:
    weir.dev/max-connect-attempts: "3"
spec:
  hosts: ["*.example.com"]
  gateways: [gw]
  tls:
  - match: [{sniHosts: [a.example.com]}]
    route: [{destination: {host: echo, subset: v1}}]
  tcp:
  - match: [{port: 9000}]
    route: [{destination: {host: echo, subset: v1}}]
  - route: [{destination: {host: echo, subset: v2}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: plain}
spec:
  hosts: ["*.example.com"]
  gateways: [gw]
  tls:
  - match: [{sniHosts: [b.example.com]}]
    route: [{destination: {host: echo, subset: v2}}]
)");
  const LoadResult result = loadFromText(
      {{"base.yaml", gateway + "---\n" + kDestinationRuleYaml + "---\n" + kServiceEntryYaml},
       {"test.yaml", routes}});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->routes.size(), 4u);
  for (const TcpRoute& route : result.table->routes) {
    EXPECT_EQ(route.max_connect_attempts, route.virtual_service == "default/retried" ? 3u : 0u)
        << route.name;
  }
}

TEST(AnnotationsTest, MaxConnectAttemptsAcceptsItsBounds) {
  for (const std::string value : {"1", "100", "\"100\""}) {
    SCOPED_TRACE(value);
    Objects objects;
    objects.virtual_service =
        annotate(kVirtualServiceYaml, "    weir.dev/max-connect-attempts: " + value + "\n");
    const LoadResult result = loadOk(objects);
    ASSERT_TRUE(result.table);
    EXPECT_EQ(result.table->routes.at(0).max_connect_attempts, value == "1" ? 1u : 100u);
  }
}

TEST(AnnotationsTest, MaxConnectionsAppliesToEveryServerOfItsGateway) {
  const std::string gateways = yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: limited
  annotations: {weir.dev/max-connections: "250"}
spec:
  servers:
  - port: {number: 9000, name: a, protocol: TCP}
    hosts: ["*"]
  - port: {number: 9001, name: b, protocol: TCP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: open}
spec:
  servers:
  - port: {number: 9002, name: c, protocol: TCP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo}
spec:
  hosts: ["*"]
  gateways: [limited, open]
  tcp:
  - route: [{destination: {host: echo, subset: v1}}]
)");
  const LoadResult result = loadFromText(
      {{"base.yaml", kDestinationRuleYaml + "---\n" + kServiceEntryYaml}, {"test.yaml", gateways}});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->listeners.size(), 3u);
  for (const Listener& listener : result.table->listeners) {
    EXPECT_EQ(listener.max_connections,
              listener.gateway == "default/limited" ? 250u : UINT64_MAX)
        << listener.server_name;
  }
}

// ---- Errors ----

// A ServiceEntry with `annotations` (lines indented by four spaces) under its
// metadata.annotations, which starts on line 5: the first annotation is on line 5.
std::string serviceEntryWith(const std::string& annotations) {
  return "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: echo\n"
         "  annotations:\n" +
         annotations + "spec:\n  hosts: [echo]\n  ports: [{number: 9000, name: tcp}]\n"
                       "  resolution: STATIC\n  endpoints: [{address: 127.0.0.1}]\n";
}

// Only the annotation errors, without the "no Gateway" one of a lone ServiceEntry.
Strings annotationErrors(const std::string& text) {
  Strings errors = errorsOf(text);
  std::erase_if(errors, [](const std::string& error) {
    return error.find("(config): no Gateway") != std::string::npos;
  });
  return errors;
}

TEST(AnnotationsTest, RejectsBadDurations) {
  EXPECT_EQ(annotationErrors(serviceEntryWith(yaml(R"(
    weir.dev/health-check-interval: 5
    weir.dev/health-check-timeout: "0s"
)"))),
            (Strings{"test.yaml:6:37: metadata.annotations.weir.dev/health-check-interval: "
                     "invalid duration \"5\": expected a Go duration such as 10s, 500ms or 1h30m",
                     "test.yaml:7:36: metadata.annotations.weir.dev/health-check-timeout: "
                     "duration must be greater than 1ms, got \"0s\""}));
}

TEST(AnnotationsTest, RejectsThresholdsBelowOne) {
  EXPECT_EQ(annotationErrors(serviceEntryWith(yaml(R"(
    weir.dev/health-check-interval: 5s
    weir.dev/health-check-healthy-threshold: "0"
    weir.dev/health-check-unhealthy-threshold: -1
    weir.dev/health-check-expect: {a: b}
)"))),
            (Strings{"test.yaml:7:46: metadata.annotations.weir.dev/health-check-healthy-threshold: "
                     "expected an integer >= 1, got 0",
                     "test.yaml:8:48: metadata.annotations.weir.dev/health-check-unhealthy-threshold: "
                     "expected an integer >= 1, got \"-1\"",
                     "test.yaml:9:35: metadata.annotations.weir.dev/health-check-expect: "
                     "expected a string, got a map"}));
}

TEST(AnnotationsTest, RejectsThresholdsBeyondUint32) {
  EXPECT_EQ(annotationErrors(serviceEntryWith(yaml(R"(
    weir.dev/health-check-interval: 5s
    weir.dev/health-check-healthy-threshold: 4294967296
)"))),
            (Strings{"test.yaml:7:46: metadata.annotations.weir.dev/health-check-healthy-threshold: "
                     "expected an integer in 1..4294967295, got 4294967296"}));
}

TEST(AnnotationsTest, HealthCheckAnnotationsNeedTheInterval) {
  EXPECT_EQ(annotationErrors(serviceEntryWith(yaml(R"(
    weir.dev/health-check-timeout: 2s
    note: x
    weir.dev/health-check-send: PING
)"))),
            (Strings{"test.yaml:6:5: metadata.annotations.weir.dev/health-check-timeout: "
                     "annotation \"weir.dev/health-check-timeout\" needs "
                     "\"weir.dev/health-check-interval\", which turns health checks on",
                     "test.yaml:8:5: metadata.annotations.weir.dev/health-check-send: "
                     "annotation \"weir.dev/health-check-send\" needs "
                     "\"weir.dev/health-check-interval\", which turns health checks on"}));
}

TEST(AnnotationsTest, RejectsUnknownWeirAnnotationsListingTheKnownOnes) {
  EXPECT_EQ(annotationErrors(serviceEntryWith("    weir.dev/health-check-intervall: 5s\n")),
            (Strings{"test.yaml:6:5: metadata.annotations.weir.dev/health-check-intervall: "
                     "unknown annotation \"weir.dev/health-check-intervall\"; weir.dev/ "
                     "annotations of a ServiceEntry: weir.dev/health-check-interval, "
                     "weir.dev/health-check-timeout, weir.dev/health-check-healthy-threshold, "
                     "weir.dev/health-check-unhealthy-threshold, weir.dev/health-check-send, "
                     "weir.dev/health-check-expect"}));
}

TEST(AnnotationsTest, RejectsAnnotationsOnTheWrongKind) {
  EXPECT_EQ(annotationErrors(serviceEntryWith(yaml(R"(
    weir.dev/max-connections: "10"
    weir.dev/max-connect-attempts: "2"
)"))),
            (Strings{"test.yaml:6:5: metadata.annotations.weir.dev/max-connections: annotation "
                     "\"weir.dev/max-connections\" applies to a Gateway, not to a ServiceEntry",
                     "test.yaml:7:5: metadata.annotations.weir.dev/max-connect-attempts: "
                     "annotation \"weir.dev/max-connect-attempts\" applies to a VirtualService, "
                     "not to a ServiceEntry"}));
  const std::string gateway = replaceAll(
      kGatewayYaml, "  name: gw\n",
      "  name: gw\n  annotations:\n    weir.dev/health-check-interval: 5s\n    weir.dev/x: y\n");
  EXPECT_EQ(errorsOf(gateway),
            (Strings{"test.yaml:6:5: metadata.annotations.weir.dev/health-check-interval: "
                     "annotation \"weir.dev/health-check-interval\" applies to a ServiceEntry or "
                     "DestinationRule, not to a Gateway",
                     "test.yaml:7:5: metadata.annotations.weir.dev/x: unknown annotation "
                     "\"weir.dev/x\"; weir.dev/ annotations of a Gateway: "
                     "weir.dev/max-connections"}));
}

TEST(AnnotationsTest, AWorkloadEntryHasNoWeirAnnotations) {
  EXPECT_EQ(errorsOf(yaml(R"(
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: w
  annotations: {weir.dev/max-connections: "1", weir.dev/weight: "2"}
spec: {address: 127.0.0.1}
)")),
            (Strings{"test.yaml:5:17: metadata.annotations.weir.dev/max-connections: annotation "
                     "\"weir.dev/max-connections\" applies to a Gateway, not to a WorkloadEntry",
                     "test.yaml:5:48: metadata.annotations.weir.dev/weight: unknown annotation "
                     "\"weir.dev/weight\": a WorkloadEntry has no weir.dev/ annotations"}));
}

TEST(AnnotationsTest, RejectsConnectAttemptsOutOfRange) {
  for (const auto& [value, got] : std::vector<std::pair<std::string, std::string>>{
           {"0", "0"}, {"\"101\"", "101"}, {"two", "\"two\""}, {"1.5", "\"1.5\""}}) {
    SCOPED_TRACE(value);
    const std::string text = replaceAll(kVirtualServiceYaml, "  name: echo\n",
                                        "  name: echo\n  annotations:\n"
                                        "    weir.dev/max-connect-attempts: " + value + "\n");
    EXPECT_EQ(toStrings(fixture::loadWithBase(text).errors),
              (Strings{"test.yaml:6:36: metadata.annotations.weir.dev/max-connect-attempts: "
                       "expected an integer in 1..100, got " + got}));
  }
}

TEST(AnnotationsTest, RejectsMaxConnectionsThatAreNotPositiveNumbers) {
  for (const auto& [value, got] : std::vector<std::pair<std::string, std::string>>{
           {"0", "0"}, {"\"many\"", "\"many\""}, {"\"\"", "\"\""}, {"", "a null value"}}) {
    SCOPED_TRACE(value);
    const std::string gateway =
        replaceAll(kGatewayYaml, "  name: gw\n",
                   "  name: gw\n  annotations:\n    weir.dev/max-connections:" +
                       (value.empty() ? "" : " " + value) + "\n");
    EXPECT_EQ(errorsOf(gateway + "---\n" + fixture::kDestinationRuleYaml + "---\n" +
                       kServiceEntryYaml)
                  .at(0),
              std::string("test.yaml:6:") + (value.empty() ? "5" : "31") +
                  ": metadata.annotations.weir.dev/max-connections: expected an integer >= 1, "
                  "got " + got);
  }
}

TEST(AnnotationsTest, AnnotationsMustBeAMap) {
  const std::string gateway =
      replaceAll(kGatewayYaml, "  name: gw\n", "  name: gw\n  annotations: [weir.dev/x]\n");
  EXPECT_EQ(errorsOf(gateway),
            (Strings{"test.yaml:5:16: metadata.annotations: expected a map, got a list"}));
}

}  // namespace
}  // namespace weir::config
