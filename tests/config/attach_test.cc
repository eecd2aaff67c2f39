// Which VirtualServices attach to which gateway servers, and the candidate_routes
// of each listener.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/route_match.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::kDestinationRuleYaml;
using fixture::kServiceEntryYaml;
using fixture::toStrings;
using fixture::yaml;
using Strings = std::vector<std::string>;
using Indices = std::vector<size_t>;

// Gateways "a" (servers on 9000 and 9001, any host) and "b" (9100, hosts
// *.example.com), the echo DestinationRule and ServiceEntry, then `routes`.
LoadResult loadRoutes(const std::string& routes) {
  const std::string gateways = yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: a}
spec:
  servers:
  - port: {number: 9000, name: first, protocol: TCP}
    hosts: ["*"]
  - port: {number: 9001, name: second, protocol: TCP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: b}
spec:
  servers:
  - port: {number: 9100, name: tcp, protocol: TCP}
    hosts: ["*.example.com"]
)");
  return loadFromText({{"gateways.yaml", gateways},
                       {"services.yaml", kDestinationRuleYaml + "---\n" + kServiceEntryYaml},
                       {"routes.yaml", routes}});
}

// A VirtualService named `name` with the given hosts, gateways and tcp rules.
std::string vs(const std::string& name, const std::string& hosts, const std::string& gateways,
               const std::string& tcp) {
  return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " + name +
         "}\nspec:\n  hosts: " + hosts + "\n  gateways: " + gateways + "\n  tcp:\n" + tcp;
}

const std::string kToV1 = "    route: [{destination: {host: echo, subset: v1}}]\n";
const std::string kToV2 = "    route: [{destination: {host: echo, subset: v2}}]\n";

const Listener& listenerOn(const LoadResult& result, uint16_t port) {
  for (const Listener& listener : result.table->listeners) {
    if (listener.port == port) {
      return listener;
    }
  }
  ADD_FAILURE() << "no listener on " << port;
  static const Listener kNone;
  return kNone;
}

TEST(AttachTest, MatchPortPicksTheServersOfARule) {
  const LoadResult result = loadRoutes(vs("r", "[\"*\"]", "[a]",
                                          "  - match: [{port: 9001}]\n" + kToV1 +
                                              "  - match: [{port: 9000}, {port: 9100}]\n" + kToV2 +
                                              "  - route: [{destination: {host: echo}}]\n"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(listenerOn(result, 9000).candidate_routes, (Indices{1, 2}));
  EXPECT_EQ(listenerOn(result, 9001).candidate_routes, (Indices{0, 2}));
  EXPECT_TRUE(listenerOn(result, 9100).candidate_routes.empty());
}

TEST(AttachTest, MatchGatewaysPickTheGatewaysOfARule) {
  const LoadResult result = loadRoutes(vs("r", "[a.example.com]", "[a, b]",
                                          "  - match: [{gateways: [b]}]\n" + kToV1 +
                                              "  - match: [{gateways: [a], port: 9001}]\n" + kToV2 +
                                              "  - route: [{destination: {host: echo}}]\n"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(listenerOn(result, 9000).candidate_routes, (Indices{2}));
  EXPECT_EQ(listenerOn(result, 9001).candidate_routes, (Indices{1, 2}));
  EXPECT_EQ(listenerOn(result, 9100).candidate_routes, (Indices{0, 2}));
  ASSERT_EQ(result.table->routes.at(0).matches.size(), 1u);
  EXPECT_EQ(result.table->routes.at(0).matches[0].gateways, (Strings{"default/b"}));
}

TEST(AttachTest, TheVirtualServiceMustListTheGatewayToo) {
  const LoadResult result =
      loadRoutes(vs("r", "[\"*\"]", "[a]", "  - match: [{gateways: [b]}]\n" + kToV1));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(listenerOn(result, 9100).candidate_routes.empty());
  EXPECT_TRUE(listenerOn(result, 9000).candidate_routes.empty());
  const Strings warnings = toStrings(result.warnings);
  EXPECT_NE(std::find(warnings.begin(), warnings.end(),
                      "routes.yaml:8:25: spec.tcp[0].match[0].gateways[0]: gateway default/b is not in "
                      "spec.gateways, so this match never applies there"),
            warnings.end())
      << ::testing::PrintToString(warnings);
}

TEST(AttachTest, HostsMustMatchAServerHost) {
  const LoadResult result = loadRoutes(vs("r", "[api.example.org]", "[b]", "  -" + kToV1.substr(3)));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(listenerOn(result, 9100).candidate_routes.empty());
  const Strings warnings = toStrings(result.warnings);
  EXPECT_NE(std::find(warnings.begin(), warnings.end(),
                      "routes.yaml:6:13: spec.gateways: none of the hosts of VirtualService "
                      "default/r matches a server of gateway default/b; it serves nothing there"),
            warnings.end())
      << ::testing::PrintToString(warnings);

  const LoadResult matching =
      loadRoutes(vs("r", "[api.example.com]", "[b]", "  -" + kToV1.substr(3)));
  ASSERT_TRUE(matching.ok()) << ::testing::PrintToString(toStrings(matching.errors));
  EXPECT_EQ(listenerOn(matching, 9100).candidate_routes, (Indices{0}));

  const LoadResult wildcard = loadRoutes(vs("r", "[\"*\"]", "[b]", "  -" + kToV1.substr(3)));
  ASSERT_TRUE(wildcard.ok()) << ::testing::PrintToString(toStrings(wildcard.errors));
  EXPECT_EQ(listenerOn(wildcard, 9100).candidate_routes, (Indices{0}));
}

TEST(AttachTest, ShortVirtualServiceHostsMatchInTheirCanonicalForm) {
  const std::string gateway =
      "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n"
      "  servers:\n  - port: {number: 9300, name: tcp, protocol: TCP}\n"
      "    hosts: [\"*.default.svc.cluster.local\"]\n";
  const auto candidatesFor = [&](const std::string& vs_host) {
    const LoadResult result = loadFromText(
        {{"gateway.yaml", gateway},
         {"services.yaml", kDestinationRuleYaml + "---\n" + kServiceEntryYaml},
         {"route.yaml", vs("r", "[" + vs_host + "]", "[g]", "  -" + kToV1.substr(3))}});
    EXPECT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
    return result.ok() ? result.table->listeners.at(0).candidate_routes.size() : 99u;
  };
  EXPECT_EQ(candidatesFor("echo"), 1u);
  EXPECT_EQ(candidatesFor("echo.default.svc.cluster.local"), 1u);
  EXPECT_EQ(candidatesFor("echo.other"), 0u);
}

TEST(AttachTest, ServerHostNamespacesRestrictWhoMayBind) {
  const auto candidatesWith = [](const std::string& server_host, const std::string& vs_namespace) {
    const std::string gateway =
        "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: "
        "edge}\nspec:\n  servers:\n  - port: {number: 9300, name: tcp, protocol: TCP}\n"
        "    hosts: [\"" + server_host + "\"]\n";
    const std::string route =
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, "
        "namespace: " + vs_namespace + "}\nspec:\n  hosts: [\"*\"]\n  gateways: [edge/g]\n"
        "  tcp:\n  - route: [{destination: {host: echo.default}}]\n";
    const LoadResult result = loadFromText(
        {{"gateway.yaml", gateway},
         {"services.yaml", kDestinationRuleYaml + "---\n" + kServiceEntryYaml},
         {"route.yaml", route}});
    EXPECT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
    return result.ok() ? result.table->listeners.at(0).candidate_routes.size() : 99u;
  };
  EXPECT_EQ(candidatesWith("*", "team"), 1u);
  EXPECT_EQ(candidatesWith("*/*", "team"), 1u);
  EXPECT_EQ(candidatesWith("team/*", "team"), 1u);
  EXPECT_EQ(candidatesWith("other/*", "team"), 0u);
  EXPECT_EQ(candidatesWith("./*", "team"), 0u);
  EXPECT_EQ(candidatesWith("./*", "edge"), 1u);
}

TEST(AttachTest, CandidatesFollowLoadOrderAcrossVirtualServices) {
  const LoadResult result = loadRoutes(vs("first", "[\"*\"]", "[a]", "  -" + kToV1.substr(3)) +
                                       "---\n" +
                                       vs("second", "[\"*\"]", "[a]", "  -" + kToV2.substr(3)));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const Listener& listener = listenerOn(result, 9000);
  ASSERT_EQ(listener.candidate_routes.size(), 2u);
  EXPECT_EQ(result.table->routes.at(listener.candidate_routes[0]).name, "default/first/tcp[0]");
  EXPECT_EQ(result.table->routes.at(listener.candidate_routes[1]).name, "default/second/tcp[0]");
}

TEST(AttachTest, RulesOnlyForTheMeshAreLeftOut) {
  // (hosts "*" would be refused: the VirtualService is for the mesh too)
  const LoadResult result = loadRoutes(vs("r", "[\"*.example.com\"]", "[a, mesh]",
                                          "  - match: [{gateways: [mesh]}]\n" + kToV1 +
                                              "  - match: [{gateways: [mesh]}, {port: 9001}]\n" +
                                              kToV2));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->routes.size(), 1u);
  EXPECT_EQ(result.table->routes[0].name, "default/r/tcp[1]");
  ASSERT_EQ(result.table->routes[0].matches.size(), 1u);
  EXPECT_EQ(result.table->routes[0].matches[0].port, 9001);
  EXPECT_TRUE(listenerOn(result, 9000).candidate_routes.empty());
  EXPECT_EQ(listenerOn(result, 9001).candidate_routes, (Indices{0}));
}

TEST(AttachTest, FindRouteOnALoadedTable) {
  const LoadResult result = loadRoutes(vs("r", "[\"*\"]", "[a, b]",
                                          "  - match: [{port: 9001}]\n" + kToV1 +
                                              "  - match: [{gateways: [b]}]\n" + kToV2));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const RouteTable& table = *result.table;
  const Listener& on9000 = listenerOn(result, 9000);
  const Listener& on9001 = listenerOn(result, 9001);
  const Listener& on9100 = listenerOn(result, 9100);
  EXPECT_EQ(findRoute(table, on9000, {9000, on9000.gateway}), nullptr);
  ASSERT_NE(findRoute(table, on9001, {9001, on9001.gateway}), nullptr);
  EXPECT_EQ(findRoute(table, on9001, {9001, on9001.gateway})->name, "default/r/tcp[0]");
  ASSERT_NE(findRoute(table, on9100, {9100, on9100.gateway}), nullptr);
  EXPECT_EQ(findRoute(table, on9100, {9100, on9100.gateway})->name, "default/r/tcp[1]");
}

}  // namespace
}  // namespace weir::config
