// A host that several ServiceEntries define, as Istio's gateway sees it
// (service_catalog.h): the first entry owns the service, the later ones of its
// namespace add their endpoints (and ports, when Istio can merge the services),
// those of other namespaces are not used for it.
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

// A ServiceEntry document `name` (namespace `ns`) for host echo.default, then
// `body` (indented as under spec:, after hosts). Its host is on line 5.
std::string entry(const std::string& name, const std::string& ns, const std::string& body) {
  return "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: " + name +
         ", namespace: " + ns + "}\nspec:\n  hosts: [echo.default]\n" + body;
}

// A VirtualService on gw to echo.default on `port`, to `subset` if any.
std::string routeTo(uint16_t port, const std::string& subset = "") {
  return yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: route}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
)") + "    - destination: {host: echo.default, port: {number: " + std::to_string(port) + "}" +
         (subset.empty() ? "" : ", subset: " + subset) + "}\n";
}

// base.yaml: gw, `extra`, and the route; entries.yaml: `entries`.
LoadResult load(const std::string& entries, const std::string& route,
                const std::string& extra = "") {
  return loadFromText({{"base.yaml", kGatewayYaml + "---\n" + extra + route},
                       {"entries.yaml", entries}});
}

// "address:port" of each endpoint of the only cluster.
Strings endpointsOf(const LoadResult& result) {
  Strings endpoints;
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  if (!result.ok() || result.table->clusters.size() != 1) {
    ADD_FAILURE() << "expected one cluster";
    return endpoints;
  }
  for (const UpstreamEndpoint& endpoint : result.table->clusters[0].endpoints) {
    endpoints.push_back(endpoint.address + ":" + std::to_string(endpoint.port));
  }
  return endpoints;
}

bool warns(const LoadResult& result, const std::string& text) {
  return std::any_of(result.warnings.begin(), result.warnings.end(),
                     [&](const Diagnostic& d) { return d.toString().find(text) != std::string::npos; });
}

const std::string kStaticPort9000 = "  ports: [{number: 9000, name: tcp}]\n  resolution: STATIC\n";

TEST(SharedServiceHosts, EntriesOfOneNamespaceMergeTheirEndpoints) {
  const std::string entries =
      entry("v1", "default",
            kStaticPort9000 + "  endpoints: [{address: 10.0.0.1, labels: {version: v1}}]\n") +
      "---\n" +
      entry("v2", "default",
            kStaticPort9000 + "  endpoints: [{address: 10.0.0.2, labels: {version: v2}}]\n");
  const LoadResult result = load(entries, routeTo(9000));
  EXPECT_EQ(endpointsOf(result), (Strings{"10.0.0.1:9000", "10.0.0.2:9000"}));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"entries.yaml:14:11: spec.hosts[0]: host \"" + kEcho +
                     "\" is already defined by ServiceEntry default/v1, whose service "
                     "Istio's gateway uses (the first one defined); as Istio merges the "
                     "entries of one namespace, this one adds its endpoints, matched to a port "
                     "by name"}));

  // A subset selects across them.
  const std::string rule = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  host: echo
  subsets: [{name: v2, labels: {version: v2}}]
---
)");
  EXPECT_EQ(endpointsOf(load(entries, routeTo(9000, "v2"), rule)), Strings{"10.0.0.2:9000"});
}

TEST(SharedServiceHosts, EndpointsAreMatchedToTheServicePortByName) {
  const std::string entries =
      entry("first", "default",
            "  ports: [{number: 9000, name: tcp, targetPort: 7000}]\n  resolution: STATIC\n"
            "  endpoints: [{address: 10.0.0.1}]\n") +
      "---\n" +
      entry("second", "default",
            "  ports: [{number: 9001, name: tcp}]\n  resolution: STATIC\n"
            "  endpoints: [{address: 10.0.0.2}, {address: 10.0.0.3, ports: {tcp: 8000}}]\n") +
      "---\n" +
      entry("third", "default",
            "  ports: [{number: 9000, name: other}]\n  resolution: STATIC\n"
            "  endpoints: [{address: 10.0.0.4}]\n");
  // Port 9000 is "tcp": the second entry's "tcp" endpoints join with that entry's
  // own port mapping; the third's port 9000 is named otherwise, so its do not.
  EXPECT_EQ(endpointsOf(load(entries, routeTo(9000))),
            (Strings{"10.0.0.1:7000", "10.0.0.2:9001", "10.0.0.3:8000"}));
}

TEST(SharedServiceHosts, PortsMergeWhenIstioCanMergeTheServices) {
  const std::string entries =
      entry("first", "default", kStaticPort9000 + "  endpoints: [{address: 10.0.0.1}]\n") +
      "---\n" +
      entry("second", "default",
            "  ports: [{number: 9100, name: admin}]\n  resolution: STATIC\n"
            "  endpoints: [{address: 10.0.0.2}]\n");
  const LoadResult merged = load(entries, routeTo(9100));
  EXPECT_EQ(endpointsOf(merged), Strings{"10.0.0.2:9100"});
  EXPECT_TRUE(warns(merged, "this one adds its endpoints, matched to a port by name, and its "
                            "ports 9100"))
      << ::testing::PrintToString(toStrings(merged.warnings));

  // Other labels: the services are not merged, the port does not exist.
  const std::string labelled =
      entry("first", "default", kStaticPort9000 + "  endpoints: [{address: 10.0.0.1}]\n") +
      "---\n" +
      "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: second, "
      "labels: {team: b}}\nspec:\n  hosts: [echo.default]\n"
      "  ports: [{number: 9100, name: admin}]\n  resolution: STATIC\n"
      "  endpoints: [{address: 10.0.0.2}]\n";
  const LoadResult apart = load(labelled, routeTo(9100));
  ASSERT_TRUE(apart.ok()) << ::testing::PrintToString(toStrings(apart.errors));
  EXPECT_TRUE(apart.table->clusters.empty());
  EXPECT_TRUE(warns(apart, "not its ports 9100 (its labels differ)"))
      << ::testing::PrintToString(toStrings(apart.warnings));
  EXPECT_TRUE(warns(apart, "port 9100 is not a port of ServiceEntry default/first (ports: 9000)"));
}

TEST(SharedServiceHosts, EntriesOfAnotherNamespaceAreNotUsed) {
  const std::string entries =
      entry("first", "default", kStaticPort9000 + "  endpoints: [{address: 10.0.0.1}]\n") +
      "---\n" + entry("second", "other", kStaticPort9000 + "  endpoints: [{address: 10.0.0.2}]\n");
  const LoadResult result = load(entries, routeTo(9000));
  EXPECT_EQ(endpointsOf(result), Strings{"10.0.0.1:9000"});
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"entries.yaml:14:11: spec.hosts[0]: host \"" + kEcho +
                     "\" is already defined by ServiceEntry default/first, "
                     "whose service Istio's gateway uses (the first one defined); Istio does not "
                     "merge the entries of different namespaces, so this one is not used for "
                     "that host"}));
}

// The owner's resolution decides what the others' endpoints can be.
TEST(SharedServiceHosts, TheOwnersResolutionDecidesWhichEndpointsServe) {
  const std::string dns_second =
      "---\n" + entry("second", "default",
                      "  ports: [{number: 9000, name: tcp}]\n  resolution: DNS\n"
                      "  endpoints: [{address: echo-b.internal}, {address: 10.0.0.3}]\n");
  // A STATIC service (Envoy's EDS cluster) takes no host names.
  const LoadResult static_owner = load(
      entry("first", "default", kStaticPort9000 + "  endpoints: [{address: 10.0.0.1}]\n") +
          dns_second,
      routeTo(9000));
  EXPECT_EQ(endpointsOf(static_owner), (Strings{"10.0.0.1:9000", "10.0.0.3:9000"}));
  EXPECT_TRUE(warns(static_owner, "this one adds those of its endpoints that are IP addresses"));

  // A DNS service resolves every name, its own host included.
  const LoadResult dns_owner = load(
      entry("first", "default", "  ports: [{number: 9000, name: tcp}]\n  resolution: DNS\n") +
          dns_second,
      routeTo(9000));
  EXPECT_EQ(endpointsOf(dns_owner),
            (Strings{"echo.default:9000", "echo-b.internal:9000", "10.0.0.3:9000"}));

  // A DNS_ROUND_ROBIN service (Envoy's LOGICAL_DNS) has one endpoint: the owner's.
  const LoadResult round_robin = load(
      entry("first", "default",
            "  ports: [{number: 9000, name: tcp}]\n  resolution: DNS_ROUND_ROBIN\n") +
          dns_second,
      routeTo(9000));
  EXPECT_EQ(endpointsOf(round_robin), Strings{"echo.default:9000"});
  EXPECT_TRUE(warns(round_robin, "this one adds no endpoints (a DNS_ROUND_ROBIN service has one"));

  // NONE: no endpoints at all (no original destination at a gateway).
  const LoadResult none = load(
      entry("first", "default", "  ports: [{number: 9000, name: tcp}]\n  resolution: NONE\n") +
          dns_second,
      routeTo(9000));
  EXPECT_EQ(endpointsOf(none), Strings{});
}

// The DestinationRule is looked up from the namespace of the entry that owns the
// host.
TEST(SharedServiceHosts, TheOwnersNamespaceChoosesTheDestinationRule) {
  const std::string entries =
      entry("first", "team-a", kStaticPort9000 + "  endpoints: [{address: 10.0.0.1, labels: "
                                                  "{version: v1}}]\n") +
      "---\n" + entry("second", "default", kStaticPort9000 + "  endpoints: [{address: 10.0.0.2}]\n");
  const std::string rules = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo, namespace: default}
spec:
  host: echo.default
  subsets: [{name: v1, labels: {version: none}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo, namespace: team-a}
spec:
  host: echo.default
  subsets: [{name: v1, labels: {version: v1}}]
---
)");
  const LoadResult result = load(entries, routeTo(9000, "v1"), rules);
  EXPECT_EQ(endpointsOf(result), Strings{"10.0.0.1:9000"});
  EXPECT_TRUE(warns(result, "DestinationRule default/echo for host \"" + kEcho + "\" is not used"))
      << ::testing::PrintToString(toStrings(result.warnings));
}

}  // namespace
}  // namespace weir::config
