// References Istio does not require to resolve, since it validates one object at a
// time: what they become in the route table (the run time is in the integration
// tests), and --strict (LoadOptions::strict_references), which refuses them.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::kBaseYaml;
using fixture::toStrings;
using fixture::yaml;
using Strings = std::vector<std::string>;

LoadResult loadWithBase(const std::string& text, const LoadOptions& options = {}) {
  return loadFromText({{"base.yaml", kBaseYaml}, {"test.yaml", text}}, options);
}

// An 80/20 split whose 20 names a subset no DestinationRule defines keeps both
// weights: the 20 is picked as often as before, and what picks it is closed.
TEST(DanglingReferencesTest, AMissingDestinationKeepsItsWeight) {
  const LoadResult result = loadWithBase(yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: split}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo, subset: v1}
      weight: 80
    - destination: {host: echo, subset: v3}
      weight: 20
)"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const TcpRoute& route = result.table->routes.at(0);
  EXPECT_EQ(route.total_weight, 100u);
  ASSERT_EQ(route.destinations.size(), 2u);
  EXPECT_EQ(route.destinations[0].weight, 80u);
  ASSERT_TRUE(route.destinations[0].cluster_index.has_value());
  EXPECT_EQ(result.table->clusters.at(*route.destinations[0].cluster_index).subset, "v1");
  EXPECT_EQ(route.destinations[1].weight, 20u);
  EXPECT_FALSE(route.destinations[1].cluster_index.has_value());
  const MissingCluster& missing = route.destinations[1].missing;
  EXPECT_EQ(missing.name, "outbound|9000|v3|echo.default.svc.cluster.local");
  EXPECT_EQ(missing.host, "echo.default.svc.cluster.local");
  EXPECT_EQ(missing.subset, "v3");
  EXPECT_EQ(missing.port, 9000);
  EXPECT_EQ(result.table->clusters.size(), 1u);  // no cluster for the missing one
}

// A match block naming a missing gateway beside one that exists still matches
// through the one that exists; one naming only missing gateways never matches,
// so its rule serves nothing.
TEST(DanglingReferencesTest, MatchBlocksKeepTheGatewaysThatExist) {
  const LoadResult result = loadWithBase(yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: blocks}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - match:
    - gateways: [missing]
    route:
    - destination: {host: echo, subset: v1}
  - match:
    - gateways: [missing, gw]
    route:
    - destination: {host: echo, subset: v2}
)"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->routes.size(), 1u);
  const TcpRoute& route = result.table->routes[0];
  EXPECT_EQ(route.name, "default/blocks/tcp[1]");
  ASSERT_EQ(route.matches.size(), 1u);
  EXPECT_EQ(route.matches[0].gateways, Strings{"default/gw"});
  EXPECT_EQ(result.table->listeners.at(0).candidate_routes, std::vector<size_t>{0});
  EXPECT_EQ(result.warnings.size(), 2u) << ::testing::PrintToString(toStrings(result.warnings));

  const LoadResult strict = loadWithBase(yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: blocks}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - match:
    - gateways: [missing, gw]
    route:
    - destination: {host: echo, subset: v2}
)"),
                                         LoadOptions{.strict_references = true});
  EXPECT_EQ(toStrings(strict.errors),
            (Strings{"test.yaml:9:18: spec.tcp[0].match[0].gateways[0]: gateway "
                     "\"default/missing\" not found (gateways are default/gw), so this match "
                     "block never matches through it"}));
}

// A destination without a port, to a ServiceEntry with several, takes the port
// of the server the rule serves (Istio's GetDestinationCluster): a rule serving
// servers on two ports gets a route for each, both with the rule's name.
TEST(DanglingReferencesTest, ADestinationWithoutAPortTakesTheServersPort) {
  const LoadResult result = loadFromText({{"test.yaml", yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  servers:
  - port: {number: 9000, name: a, protocol: TCP}
    hosts: ["*"]
  - port: {number: 9100, name: b, protocol: TCP}
    hosts: ["*"]
  - port: {number: 9200, name: c, protocol: TCP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: svc}
spec:
  hosts: [svc]
  ports: [{number: 9000, name: a}, {number: 9100, name: b}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1, ports: {a: 9001, b: 9101}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: any}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: svc}
)")}});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const RouteTable& table = *result.table;
  ASSERT_EQ(table.listeners.size(), 3u);
  ASSERT_EQ(table.routes.size(), 3u);
  auto destinationOf = [&](size_t listener) -> const WeightedDestination& {
    const TcpRoute& route = table.routes.at(table.listeners[listener].candidate_routes.at(0));
    EXPECT_EQ(route.name, "default/any/tcp[0]");
    return route.destinations.at(0);
  };
  ASSERT_TRUE(destinationOf(0).cluster_index.has_value());
  EXPECT_EQ(table.clusters.at(*destinationOf(0).cluster_index).name,
            "outbound|9000||svc.default.svc.cluster.local");
  EXPECT_EQ(table.clusters.at(*destinationOf(0).cluster_index).endpoints.at(0).port, 9001);
  ASSERT_TRUE(destinationOf(1).cluster_index.has_value());
  EXPECT_EQ(table.clusters.at(*destinationOf(1).cluster_index).name,
            "outbound|9100||svc.default.svc.cluster.local");
  EXPECT_EQ(table.clusters.at(*destinationOf(1).cluster_index).endpoints.at(0).port, 9101);
  EXPECT_FALSE(destinationOf(2).cluster_index.has_value());
  EXPECT_EQ(destinationOf(2).missing.name, "outbound|9200||svc.default.svc.cluster.local");
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:30:20: spec.tcp[0].route[0].destination.port: no destination "
                     "port, and ServiceEntry default/svc has several (9000, 9100): Istio takes "
                     "the server's port, 9200, which the entry does not list, so connections "
                     "picked for this destination are closed (no cluster: flag NC)"}));
}

}  // namespace
}  // namespace weir::config
