// DestinationRule subsets and how destinations find them.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::kDestinationRuleYaml;
using fixture::kGatewayYaml;
using fixture::kServiceEntryYaml;
using fixture::toStrings;
using fixture::yaml;
using Strings = std::vector<std::string>;

// A VirtualService on gw routing all traffic to `host` (and `subset`, if any).
std::string routeTo(const std::string& host, const std::string& subset = "") {
  return yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: route}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
)") + "    - destination: {host: " + host + (subset.empty() ? "" : ", subset: " + subset) + "}\n";
}

// base.yaml: the gateway and the echo ServiceEntry. test.yaml: `rules`, then a
// VirtualService to `host`/`subset` (starting at line `rules` lines + 2).
LoadResult loadRules(const std::string& rules, const std::string& host,
                     const std::string& subset = "", const LoadOptions& options = {}) {
  return loadFromText({{"base.yaml", kGatewayYaml + "---\n" + kServiceEntryYaml},
                       {"test.yaml", rules + "---\n" + routeTo(host, subset)}},
                      options);
}

// kDestinationRuleYaml is 13 lines; with "---" the VirtualService starts at 15 and
// its destination is on line 23.

TEST(DestinationRuleTest, SubsetsSelectEndpointsByLabel) {
  const LoadResult result = loadRules(kDestinationRuleYaml, "echo", "v2");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->clusters.size(), 1u);
  const UpstreamCluster& cluster = result.table->clusters[0];
  EXPECT_EQ(cluster.name, "outbound|9000|v2|echo.default.svc.cluster.local");
  ASSERT_EQ(cluster.endpoints.size(), 1u);
  EXPECT_EQ(cluster.endpoints[0].port, 9002);
}

// Istio accepts a subset that no DestinationRule defines: the destination has no
// cluster (Envoy closes what is picked for it, flag NC). --strict refuses it.
TEST(DestinationRuleTest, UnknownSubsetIsADanglingReference) {
  const std::string message =
      "test.yaml:23:41: spec.tcp[0].route[0].destination.subset: subset \"v3\" not found in "
      "DestinationRule for host \"echo.default.svc.cluster.local\" (subsets are v1, v2), so "
      "connections picked for this destination are closed (no cluster: flag NC)";
  const LoadResult result = loadRules(kDestinationRuleYaml, "echo", "v3");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings), Strings{message});
  EXPECT_TRUE(result.table->clusters.empty());
  const WeightedDestination& destination = result.table->routes.at(0).destinations.at(0);
  EXPECT_FALSE(destination.cluster_index.has_value());
  EXPECT_EQ(destination.missing.name, "outbound|9000|v3|echo.default.svc.cluster.local");
  EXPECT_EQ(destination.weight, 100u);

  const LoadResult strict =
      loadRules(kDestinationRuleYaml, "echo", "v3", LoadOptions{.strict_references = true});
  EXPECT_FALSE(strict.ok());
  EXPECT_EQ(toStrings(strict.errors), Strings{message});
}

TEST(DestinationRuleTest, SubsetWithoutAnyDestinationRule) {
  const LoadResult result = loadFromText(
      {{"base.yaml", kGatewayYaml + "---\n" + kServiceEntryYaml}, {"test.yaml", routeTo("echo", "v1")}});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:9:41: spec.tcp[0].route[0].destination.subset: subset \"v1\" not "
                     "found: no DestinationRule for host \"echo.default.svc.cluster.local\", so "
                     "connections picked for this destination are closed (no cluster: flag NC)"}));
  EXPECT_FALSE(result.table->routes.at(0).destinations.at(0).cluster_index.has_value());
}

// Istio accepts a subset that selects nothing (the workloads may come later), and
// Envoy closes what is routed there; Weir warns.
TEST(DestinationRuleTest, ASubsetThatSelectsNoEndpointIsAWarning) {
  const std::string rules = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  host: echo
  subsets:
  - name: v3
    labels: {version: v3}
)");
  const LoadResult result = loadRules(rules, "echo", "v3");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:18:41: spec.tcp[0].route[0].destination.subset: subset \"v3\" "
                     "selects no endpoint of ServiceEntry default/echo; connections routed there "
                     "are closed"}));
  ASSERT_EQ(result.table->clusters.size(), 1u);
  EXPECT_TRUE(result.table->clusters[0].endpoints.empty());
}

TEST(DestinationRuleTest, SubsetLabelsMustAllMatch) {
  const std::string rules = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  host: echo
  subsets:
  - name: all
  - name: strict
    labels: {version: v1, zone: a}
)");
  const LoadResult all = loadRules(rules, "echo", "all");
  ASSERT_TRUE(all.ok()) << ::testing::PrintToString(toStrings(all.errors));
  EXPECT_EQ(all.table->clusters.at(0).endpoints.size(), 2u);
  const LoadResult strict = loadRules(rules, "echo", "strict");
  ASSERT_TRUE(strict.ok()) << ::testing::PrintToString(toStrings(strict.errors));
  EXPECT_TRUE(strict.table->clusters.at(0).endpoints.empty());
}

TEST(DestinationRuleTest, SubsetNameChecksUseIstiosWording) {
  const std::string rules = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  host: echo
  subsets:
  - name: v1
  - name: v1
  - name: v_2
  - name: ""
  - labels: {version: v1}
)");
  EXPECT_EQ(toStrings(loadRules(rules, "echo").errors),
            (Strings{"test.yaml:8:11: spec.subsets[1].name: duplicate subset names: v1",
                     "test.yaml:9:11: spec.subsets[2].name: subset name is invalid: v_2",
                     "test.yaml:10:11: spec.subsets[3].name: subset name cannot be empty",
                     "test.yaml:11:5: spec.subsets[4].name: subset name cannot be empty (CRD: "
                     "spec.subsets[4].name: Required value)"}));
}

TEST(DestinationRuleTest, RequiresAHost) {
  const std::string rules = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  subsets: []
)");
  EXPECT_EQ(toStrings(loadRules(rules, "echo").errors),
            (Strings{"test.yaml:5:3: spec.host: empty domain name not allowed (CRD: spec.host: "
                     "Required value)"}));
}

TEST(DestinationRuleTest, HostsAreCanonicalisedWithTheRulesNamespace) {
  // In namespace "other", `echo.default` still names the default namespace's echo.
  const std::string rules = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo, namespace: other}
spec:
  host: echo.default
  subsets:
  - name: v1
    labels: {version: v1}
)");
  const LoadResult result = loadRules(rules, "echo.default.svc.cluster.local", "v1");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(result.table->clusters.at(0).name, "outbound|9000|v1|echo.default.svc.cluster.local");
}

TEST(DestinationRuleTest, AWildcardHostAppliesToMatchingHosts) {
  const std::string services = yaml(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: tls}]
  resolution: DNS
  endpoints:
  - {address: api-v1.internal, labels: {version: v1}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: all-example}
spec:
  host: "*.example.com"
  subsets:
  - name: v1
    labels: {version: v1}
)");
  const LoadResult result = loadRules(services, "api.example.com", "v1");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const UpstreamCluster& cluster = result.table->clusters.at(0);
  EXPECT_EQ(cluster.name, "outbound|443|v1|api.example.com");
  ASSERT_EQ(cluster.endpoints.size(), 1u);
  EXPECT_EQ(cluster.endpoints[0].address, "api-v1.internal");
  EXPECT_EQ(cluster.endpoints[0].port, 443);
}

// Istio merges the rules of one namespace for one host (merged_destination_rules_test.cc
// has the details): a second rule adds its subsets.
TEST(DestinationRuleTest, ASecondRuleForTheHostAddsItsSubsets) {
  const std::string second = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo-again}
spec:
  host: echo.default.svc.cluster.local
  subsets: [{name: v3, labels: {version: v2}}]
)");
  const LoadResult result = loadRules(kDestinationRuleYaml + "---\n" + second, "echo", "v3");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->clusters.size(), 1u);
  const UpstreamCluster& cluster = result.table->clusters[0];
  EXPECT_EQ(cluster.name, "outbound|9000|v3|echo.default.svc.cluster.local");
  ASSERT_EQ(cluster.endpoints.size(), 1u);
  EXPECT_EQ(cluster.endpoints[0].port, 9002);
  EXPECT_EQ(toStrings(result.warnings), Strings{});
}

TEST(DestinationRuleTest, WarnsAboutIstioFieldsNotImplementedYet) {
  const std::string rules = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  host: echo
  exportTo: ["."]
  workloadSelector: {matchLabels: {app: echo}}
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      loadBalancer: {localityLbSetting: {enabled: true}}
)");
  const LoadResult result = loadRules(rules, "echo", "v1");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:6:13: spec.exportTo: Weir applies the rule in every namespace; "
                     "exportTo only decides which rules for the host merge",
                     "test.yaml:7:21: spec.workloadSelector: Weir applies the rule whatever its "
                     "workloadSelector (it takes itself as selected); the selector only decides "
                     "which rules for the host merge",
                     "test.yaml:9:5: spec.trafficPolicy.tls: field \"tls\" is not supported by "
                     "Weir yet; ignored",
                     "test.yaml:14:22: spec.subsets[0].trafficPolicy.loadBalancer."
                     "localityLbSetting: field \"localityLbSetting\" is not supported by Weir "
                     "yet; ignored"}));
}

// A DestinationRule for echo whose rule-level policy sets both timeouts and whose
// v2 subset sets its own connectionPool with only an idle timeout. Istio merges whole
// sections: v2's connectionPool replaces the rule's, so v2 gets the default connect
// timeout, not the rule's.
const std::string kTimeoutRules = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  host: echo
  trafficPolicy:
    connectionPool:
      tcp: {connectTimeout: 250ms, idleTimeout: 1h30m}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      connectionPool:
        tcp: {idleTimeout: 0s}
)");

TEST(DestinationRuleTest, ASubsetConnectionPoolReplacesTheRulesWhole) {
  const LoadResult v1 = loadRules(kTimeoutRules, "echo", "v1");
  ASSERT_TRUE(v1.ok()) << ::testing::PrintToString(toStrings(v1.errors));
  EXPECT_EQ(v1.table->clusters[0].connect_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(v1.table->clusters[0].idle_timeout, std::chrono::minutes(90));
  const LoadResult v2 = loadRules(kTimeoutRules, "echo", "v2");
  ASSERT_TRUE(v2.ok()) << ::testing::PrintToString(toStrings(v2.errors));
  EXPECT_EQ(v2.table->clusters[0].connect_timeout, std::chrono::seconds(10))
      << "not inherited: the subset's connectionPool replaces the rule's";
  EXPECT_EQ(v2.table->clusters[0].idle_timeout, std::chrono::milliseconds(0)) << "0s disables";
}

TEST(DestinationRuleTest, IstioDefaultTimeoutsWithoutAPolicy) {
  const LoadResult result = loadRules(kDestinationRuleYaml, "echo", "v1");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(result.table->clusters[0].connect_timeout, std::chrono::seconds(10));
  EXPECT_EQ(result.table->clusters[0].idle_timeout, std::chrono::hours(1));
}

TEST(DestinationRuleTest, BadDurationsAreErrorsWithTheirPosition) {
  const std::string rules = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  host: echo
  trafficPolicy:
    connectionPool:
      tcp:
        connectTimeout: 1d
        idleTimeout: -5s
        maxConnectionDuration: 1500us
  subsets:
  - name: v1
    labels: {version: v1}
)");
  const LoadResult result = loadRules(rules, "echo", "v1");
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:9:25: spec.trafficPolicy.connectionPool.tcp.connectTimeout: "
                     "invalid duration \"1d\": expected a Go duration such as 10s, 500ms or "
                     "1h30m",
                     "test.yaml:10:22: spec.trafficPolicy.connectionPool.tcp.idleTimeout: "
                     "duration must be greater than 1ms, got \"-5s\"",
                     "test.yaml:11:32: spec.trafficPolicy.connectionPool.tcp."
                     "maxConnectionDuration: only durations to ms precision are supported, got "
                     "\"1500us\""}));
}

}  // namespace
}  // namespace weir::config
