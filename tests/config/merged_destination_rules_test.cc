// Several DestinationRules for one host: merged as Istio's PushContext merges them
// (destination_rule_merge.h), and looked up namespace by namespace
// (destination_rule_index.h).
#include <gtest/gtest.h>

#include <algorithm>

#include "config/loader.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::kGatewayYaml;
using fixture::toStrings;
using fixture::yaml;
using Strings = std::vector<std::string>;

const std::string kEcho = "echo.default.svc.cluster.local";

// ServiceEntry echo (namespace default): port 9000 "tcp", endpoints 127.0.0.1:9001
// (version v1), :9002 (v2) and :9003 (v3).
const std::string kEchoEntry = yaml(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
  hosts: [echo]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints:
  - {address: 127.0.0.1, ports: {tcp: 9001}, labels: {version: v1}}
  - {address: 127.0.0.1, ports: {tcp: 9002}, labels: {version: v2}}
  - {address: 127.0.0.1, ports: {tcp: 9003}, labels: {version: v3}}
)");

// A VirtualService on gw sending an equal share to each subset of echo.
std::string routeToSubsets(const std::vector<std::string>& subsets) {
  std::string route = yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: route}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
)");
  for (const std::string& subset : subsets) {
    route += "    - {destination: {host: echo, subset: " + subset + "}, weight: 10}\n";
  }
  return route;
}

// rules.yaml: `rules` (several documents); base.yaml: gw and the echo entry, then
// the route to `subsets`.
LoadResult loadRules(const std::string& rules, const std::vector<std::string>& subsets) {
  return loadFromText({{"base.yaml", kGatewayYaml + "---\n" + kEchoEntry + "---\n" +
                                         routeToSubsets(subsets)},
                       {"rules.yaml", rules}});
}

// A DestinationRule document: `name` in `ns` for `host`, then `body` (indented
// as under spec:). Its host is on line 5 of the document.
std::string rule(const std::string& name, const std::string& ns, const std::string& host,
                 const std::string& body) {
  return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: " + name +
         ", namespace: " + ns + "}\nspec:\n  host: " + host + "\n" + body;
}

std::string subsets(const std::vector<std::string>& versions) {
  std::string text = "  subsets:\n";
  for (const std::string& version : versions) {
    text += "  - {name: " + version + ", labels: {version: " + version + "}}\n";
  }
  return text;
}

// The ports of the endpoints of `cluster`, or {} when there is no such cluster.
std::vector<uint16_t> endpointPorts(const LoadResult& result, const std::string& cluster) {
  std::vector<uint16_t> ports;
  if (!result.ok()) return ports;
  for (const UpstreamCluster& known : result.table->clusters) {
    if (known.name != cluster) continue;
    for (const UpstreamEndpoint& endpoint : known.endpoints) ports.push_back(endpoint.port);
  }
  return ports;
}

bool hasCluster(const LoadResult& result, const std::string& name) {
  return result.ok() &&
         std::any_of(result.table->clusters.begin(), result.table->clusters.end(),
                     [&](const UpstreamCluster& cluster) { return cluster.name == name; });
}

const UpstreamCluster* findCluster(const LoadResult& result, const std::string& name) {
  if (!result.ok()) return nullptr;
  for (const UpstreamCluster& cluster : result.table->clusters) {
    if (cluster.name == name) return &cluster;
  }
  return nullptr;
}

std::string subsetCluster(const std::string& subset) {
  return "outbound|9000|" + subset + "|" + kEcho;
}

// Whether some warning contains `text`.
bool warns(const LoadResult& result, const std::string& text) {
  return std::any_of(result.warnings.begin(), result.warnings.end(),
                     [&](const Diagnostic& d) { return d.toString().find(text) != std::string::npos; });
}

TEST(MergedDestinationRules, SubsetsOfRulesForOneHostAreConcatenated) {
  const std::string rules = rule("first", "default", "echo", subsets({"v1"})) + "---\n" +
                            rule("second", "default", "echo.default", subsets({"v2", "v3"}));
  const LoadResult result = loadRules(rules, {"v1", "v2", "v3"});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(endpointPorts(result, subsetCluster("v1")), std::vector<uint16_t>{9001});
  EXPECT_EQ(endpointPorts(result, subsetCluster("v2")), std::vector<uint16_t>{9002});
  EXPECT_EQ(endpointPorts(result, subsetCluster("v3")), std::vector<uint16_t>{9003});
  EXPECT_EQ(toStrings(result.warnings), Strings{}) << "a clean merge, as Istio's, is silent";
}

TEST(MergedDestinationRules, ALaterSubsetOfTheSameNameIsDropped) {
  const std::string rules =
      rule("first", "default", "echo", subsets({"v1"})) + "---\n" +
      rule("second", "default", "echo",
           "  subsets:\n  - {name: v1, labels: {version: v3}}\n  - {name: v2, labels: "
           "{version: v2}}\n");
  const LoadResult result = loadRules(rules, {"v1", "v2"});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(endpointPorts(result, subsetCluster("v1")), std::vector<uint16_t>{9001})
      << "the first rule's v1 (version v1), not the second's (version v3)";
  EXPECT_EQ(endpointPorts(result, subsetCluster("v2")), std::vector<uint16_t>{9002});
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"rules.yaml:15:12: spec.subsets[0].name: Duplicate subset v1 found while "
                     "merging destination rules for " + kEcho +
                     "; the one of DestinationRule default/first is kept"}));
}

TEST(MergedDestinationRules, TheFirstTrafficPolicyWins) {
  const auto withTimeout = [](const std::string& timeout) {
    return "  trafficPolicy:\n    connectionPool: {tcp: {connectTimeout: " + timeout + "}}\n";
  };
  const std::string rules =
      rule("first", "default", "echo", subsets({"v1"})) + "---\n" +
      rule("second", "default", "echo", withTimeout("250ms") + subsets({"v2"})) + "---\n" +
      rule("third", "default", "echo", withTimeout("500ms") + subsets({"v3"}));
  const LoadResult result = loadRules(rules, {"v1", "v2", "v3"});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  for (const std::string subset : {"v1", "v2", "v3"}) {
    const UpstreamCluster* cluster = findCluster(result, subsetCluster(subset));
    ASSERT_NE(cluster, nullptr) << subset;
    EXPECT_EQ(cluster->connect_timeout, std::chrono::milliseconds(250)) << subset;
  }
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"rules.yaml:25:5: spec.trafficPolicy: trafficPolicy ignored: Istio merges "
                     "this rule into DestinationRule default/first for host \"" + kEcho +
                     "\" and keeps the trafficPolicy of DestinationRule default/second, the "
                     "first rule that has one"}));
}

// Istio keeps rules whose exportTo differ apart (ENABLE_ENHANCED_DESTINATIONRULE_MERGE)
// and a gateway takes the last one.
TEST(MergedDestinationRules, RulesWhoseExportToDiffersAreNotMerged) {
  const std::string rules =
      rule("first", "default", "echo", subsets({"v1"})) + "---\n" +
      rule("second", "default", "echo", "  exportTo: [\"*\"]\n" + subsets({"v2"}));
  const LoadResult result = loadRules(rules, {"v1", "v2"});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_FALSE(hasCluster(result, subsetCluster("v1")));
  EXPECT_EQ(endpointPorts(result, subsetCluster("v2")), std::vector<uint16_t>{9002});
  EXPECT_TRUE(warns(result, "rules.yaml:5:9: spec.host: DestinationRule default/first for host "
                            "\"" + kEcho + "\" is not used: its exportTo differs from that of "
                            "DestinationRule default/second, and Istio merges only rules whose "
                            "exportTo agree and gives a gateway the last one"))
      << ::testing::PrintToString(toStrings(result.warnings));
  EXPECT_TRUE(warns(result, "subset \"v1\" not found in DestinationRule for host"));

  // Equal lists merge, "." and the namespace's name being different words.
  const std::string same =
      rule("first", "default", "echo", "  exportTo: [\".\"]\n" + subsets({"v1"})) + "---\n" +
      rule("second", "default", "echo", "  exportTo: [\".\"]\n" + subsets({"v2"}));
  const LoadResult merged = loadRules(same, {"v1", "v2"});
  EXPECT_TRUE(hasCluster(merged, subsetCluster("v1")));
  EXPECT_TRUE(hasCluster(merged, subsetCluster("v2")));
}

// A rule whose exportTo strictly includes an earlier one's joins it (and, were
// only one of them selecting workloads, would be kept apart too: see below).
TEST(MergedDestinationRules, AWiderExportToJoins) {
  const std::string rules =
      rule("first", "default", "echo", "  exportTo: [a]\n" + subsets({"v1"})) + "---\n" +
      rule("second", "default", "echo", "  exportTo: [a, b]\n" + subsets({"v2"}));
  const LoadResult result = loadRules(rules, {"v1", "v2"});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(hasCluster(result, subsetCluster("v1")));
  EXPECT_TRUE(hasCluster(result, subsetCluster("v2")));

  // The other way round, the narrower list is kept apart, and is the last one.
  const std::string narrower =
      rule("first", "default", "echo", "  exportTo: [a, b]\n" + subsets({"v1"})) + "---\n" +
      rule("second", "default", "echo", "  exportTo: [a]\n" + subsets({"v2"}));
  const LoadResult last = loadRules(narrower, {"v1", "v2"});
  EXPECT_FALSE(hasCluster(last, subsetCluster("v1")));
  EXPECT_TRUE(hasCluster(last, subsetCluster("v2")));
}

// Weir applies every rule whatever its selector, i.e. takes itself as selected:
// Istio gives a selected workload the rule that selects it (merged with rules of
// the same selector), not the rules without one.
TEST(MergedDestinationRules, ARuleWithAWorkloadSelectorTakesPrecedence) {
  const std::string selector = "  workloadSelector: {matchLabels: {istio: ingressgateway}}\n";
  const std::string rules =
      rule("everyone", "default", "echo", subsets({"v1"})) + "---\n" +
      rule("gateway", "default", "echo", selector + subsets({"v2"})) + "---\n" +
      rule("gateway-too", "default", "echo", selector + subsets({"v3"}));
  const LoadResult result = loadRules(rules, {"v1", "v2", "v3"});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_FALSE(hasCluster(result, subsetCluster("v1")));
  EXPECT_TRUE(hasCluster(result, subsetCluster("v2")));
  EXPECT_TRUE(hasCluster(result, subsetCluster("v3"))) << "same selector: merged";
  EXPECT_TRUE(warns(result, "rules.yaml:5:9: spec.host: DestinationRule default/everyone for "
                            "host \"" + kEcho + "\" is not used: DestinationRule default/gateway "
                            "has a workloadSelector, which Weir takes as selecting itself"))
      << ::testing::PrintToString(toStrings(result.warnings));

  // Different selectors: the first (in load order) applies.
  const std::string other = "  workloadSelector: {matchLabels: {app: other}}\n";
  const LoadResult different =
      loadRules(rule("a", "default", "echo", other + subsets({"v1"})) + "---\n" +
                    rule("b", "default", "echo", selector + subsets({"v2"})),
                {"v1", "v2"});
  EXPECT_TRUE(hasCluster(different, subsetCluster("v1")));
  EXPECT_FALSE(hasCluster(different, subsetCluster("v2")));
}

// Istio's PushContext test "return list of DRs for specific host": a rule without
// selector whose exportTo includes "." joins the selector rules' entries.
TEST(MergedDestinationRules, ARuleExportedToItsNamespaceJoinsTheSelectedRule) {
  const std::string rules =
      rule("selected", "default", "echo",
           "  workloadSelector: {matchLabels: {app: app1}}\n" + subsets({"v1"})) +
      "---\n" + rule("namespace", "default", "echo", "  exportTo: [\".\", b]\n" + subsets({"v2"}));
  const LoadResult result = loadRules(rules, {"v1", "v2"});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(hasCluster(result, subsetCluster("v1")));
  EXPECT_TRUE(hasCluster(result, subsetCluster("v2")));
}

TEST(MergedDestinationRules, TheFirstHealthCheckAnnotationWins) {
  const auto annotated = [](const std::string& name, const std::string& interval,
                            const std::string& version) {
    return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: " +
           name + "\n  annotations: {weir.dev/health-check-interval: " + interval +
           "}\nspec:\n  host: echo\n" + subsets({version});
  };
  const LoadResult result =
      loadRules(annotated("first", "2s", "v1") + "---\n" + annotated("second", "3s", "v2"),
                {"v1", "v2"});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  for (const std::string subset : {"v1", "v2"}) {
    const UpstreamCluster* cluster = findCluster(result, subsetCluster(subset));
    ASSERT_NE(cluster, nullptr);
    ASSERT_TRUE(cluster->health_check.has_value());
    EXPECT_EQ(cluster->health_check->interval, std::chrono::seconds(2)) << subset;
  }
  EXPECT_TRUE(warns(result, "weir.dev/health-check-* ignored"));
}

// Istio does not merge the rules of different namespaces: it takes the rules of
// one namespace, the service's before istio-system's.
TEST(MergedDestinationRules, RulesOfDifferentNamespacesAreNotMerged) {
  const std::string rules = rule("mesh", "istio-system", kEcho, subsets({"v1"})) + "---\n" +
                            rule("local", "default", "echo", subsets({"v2"})) + "---\n" +
                            rule("elsewhere", "other", kEcho, subsets({"v3"}));
  const LoadResult result = loadRules(rules, {"v1", "v2", "v3"});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_FALSE(hasCluster(result, subsetCluster("v1")));
  EXPECT_TRUE(hasCluster(result, subsetCluster("v2")));
  EXPECT_FALSE(hasCluster(result, subsetCluster("v3")));
  EXPECT_TRUE(warns(result, "rules.yaml:5:9: spec.host: DestinationRule istio-system/mesh for "
                            "host \"" + kEcho + "\" is not used: Istio does not merge the rules "
                            "of different namespaces, and takes those of the service's "
                            "namespace (default); DestinationRule default/local applies"))
      << ::testing::PrintToString(toStrings(result.warnings));
  EXPECT_TRUE(warns(result, "DestinationRule other/elsewhere for host"));

  // Without a rule in the service's namespace, istio-system's comes first.
  const LoadResult root = loadRules(rule("elsewhere", "other", kEcho, subsets({"v3"})) + "---\n" +
                                        rule("mesh", "istio-system", kEcho, subsets({"v1"})),
                                    {"v1", "v3"});
  EXPECT_TRUE(hasCluster(root, subsetCluster("v1")));
  EXPECT_FALSE(hasCluster(root, subsetCluster("v3")));
}

// Most specific host wins, without inheritance: a rule for exactly the host hides
// a wildcard one, whose subsets it does not get. Two wildcard rules for the same
// pattern merge like any others.
TEST(MergedDestinationRules, TheMostSpecificHostWinsWithoutInheritance) {
  const std::string rules = rule("all", "default", "\"*.default.svc.cluster.local\"",
                                 subsets({"v1"})) +
                            "---\n" +
                            rule("all-too", "default", "\"*.default.svc.cluster.local\"",
                                 subsets({"v2"})) +
                            "---\n" + rule("exact", "default", "echo", subsets({"v3"}));
  const LoadResult exact = loadRules(rules, {"v1", "v2", "v3"});
  ASSERT_TRUE(exact.ok()) << ::testing::PrintToString(toStrings(exact.errors));
  EXPECT_FALSE(hasCluster(exact, subsetCluster("v1")));
  EXPECT_FALSE(hasCluster(exact, subsetCluster("v2")));
  EXPECT_TRUE(hasCluster(exact, subsetCluster("v3")));

  const std::size_t last_document = rules.rfind("---\n");
  const LoadResult wildcard = loadRules(rules.substr(0, last_document), {"v1", "v2", "v3"});
  ASSERT_TRUE(wildcard.ok()) << ::testing::PrintToString(toStrings(wildcard.errors));
  EXPECT_TRUE(hasCluster(wildcard, subsetCluster("v1")));
  EXPECT_TRUE(hasCluster(wildcard, subsetCluster("v2")));
  EXPECT_FALSE(hasCluster(wildcard, subsetCluster("v3")));
}

// The namespace comes before the host's specificity: a wildcard rule of the
// service's namespace hides an exact rule of another namespace.
TEST(MergedDestinationRules, TheNamespaceComesBeforeTheHostsSpecificity) {
  const std::string rules =
      rule("exact", "other", kEcho, subsets({"v1"})) + "---\n" +
      rule("all", "default", "\"*.default.svc.cluster.local\"", subsets({"v2"}));
  const LoadResult result = loadRules(rules, {"v1", "v2"});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_FALSE(hasCluster(result, subsetCluster("v1")));
  EXPECT_TRUE(hasCluster(result, subsetCluster("v2")));
  EXPECT_TRUE(warns(result, "DestinationRule other/exact for host \"" + kEcho + "\" is not used"));
}

}  // namespace
}  // namespace weir::config
