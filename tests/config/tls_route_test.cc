// VirtualService tls[] rules on TLS passthrough servers: SNI matches, Istio's
// checks, and which rules serve which listener.
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

// Gateway "gw": TCP on 9000 and TLS passthrough on 9443 for *.example.com; the
// echo DestinationRule and ServiceEntry; then `routes` as test.yaml.
LoadResult loadTls(const std::string& routes) {
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
  return loadFromText({{"gateway.yaml", gateway},
                       {"services.yaml", kDestinationRuleYaml + "---\n" + kServiceEntryYaml},
                       {"test.yaml", routes}});
}

// A VirtualService "sni" on gw; `spec` rules start at line 8.
std::string vsYaml(const std::string& hosts, const std::string& rules) {
  return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: sni}\n"
         "spec:\n  hosts: " + hosts + "\n  gateways: [gw]\n" + rules;
}

const Listener& listenerOn(const LoadResult& result, uint16_t port) {
  for (const Listener& listener : result.table->listeners) {
    if (listener.port == port) {
      return listener;
    }
  }
  ADD_FAILURE() << "no listener on " << port;
  return result.table->listeners.front();
}

std::string routeFor(const LoadResult& result, uint16_t port, std::string_view sni) {
  const Listener& listener = listenerOn(result, port);
  ConnectionFacts facts{port, listener.gateway};
  facts.sni = sni;
  const TcpRoute* route = findRoute(*result.table, listener, facts);
  return route != nullptr ? route->name : "(none)";
}

TEST(TlsRouteTest, RoutesBySniOnTheTlsListener) {
  const LoadResult result = loadTls(vsYaml("[\"*.example.com\"]", yaml(R"(
  tls:
  - match:
    - sniHosts: [login.example.com]
    route: [{destination: {host: echo, subset: v1}}]
  - match:
    - port: 9443
      sniHosts: ["*.example.com"]
    route: [{destination: {host: echo, subset: v2}}]
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->routes.size(), 2u);
  EXPECT_EQ(result.table->routes[0].name, "default/sni/tls[0]");
  EXPECT_EQ(result.table->routes[0].matches.at(0).sni_hosts, Strings{"login.example.com"});
  EXPECT_EQ(listenerOn(result, 9443).candidate_routes, (Indices{0, 1}));
  EXPECT_TRUE(listenerOn(result, 9000).candidate_routes.empty());

  EXPECT_EQ(routeFor(result, 9443, "login.example.com"), "default/sni/tls[0]");
  EXPECT_EQ(routeFor(result, 9443, "LOGIN.example.com"), "default/sni/tls[0]");
  EXPECT_EQ(routeFor(result, 9443, "a.b.example.com"), "default/sni/tls[1]");
  EXPECT_EQ(routeFor(result, 9443, "example.com"), "(none)");
  EXPECT_EQ(routeFor(result, 9443, ""), "(none)");
}

TEST(TlsRouteTest, TcpRulesServeTcpListenersAndTlsRulesTlsListeners) {
  const LoadResult result = loadTls(vsYaml("[\"*\"]", yaml(R"(
  tcp:
  - route: [{destination: {host: echo, subset: v1}}]
  tls:
  - match: [{sniHosts: [a.example.com]}]
    route: [{destination: {host: echo, subset: v2}}]
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(routeFor(result, 9000, "a.example.com"), "default/sni/tcp[0]");
  EXPECT_EQ(routeFor(result, 9443, "a.example.com"), "default/sni/tls[0]");
  EXPECT_EQ(routeFor(result, 9443, "b.example.com"), "(none)");  // tcp[0] is not tried
  EXPECT_TRUE(listenerOn(result, 9443).tls_passthrough);
}

TEST(TlsRouteTest, WarnsWhenOnlyTheOtherKindOfRuleWouldServe) {
  const LoadResult result = loadTls(vsYaml("[\"*.example.com\"]", yaml(R"(
  tcp:
  - route: [{destination: {host: echo, subset: v1}}]
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"gateway.yaml:8:20: spec.servers[1].port.number: no VirtualService routes "
                     "connections on this server; they will be closed",
                     "test.yaml:8:5: spec.tcp[0]: tcp rules of VirtualService default/sni do not "
                     "apply to server \"tls\" of gateway default/gw, a TLS passthrough server "
                     "(Istio routes it by tls rules)"}));
}

TEST(TlsRouteTest, TlsRulesNeedMatchesWithSniHosts) {
  const LoadResult result = loadTls(vsYaml("[\"*.example.com\"]", yaml(R"(
  tls:
  - route: [{destination: {host: echo}}]
  - match: []
    route: [{destination: {host: echo}}]
  - match: [{port: 9443}, {sniHosts: []}]
    route: [{destination: {host: echo}}]
  - match: [{sniHosts: [a.example.com]}]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:8:5: spec.tls[0].match: TLS route must have at least one match "
                     "condition",
                     "test.yaml:9:12: spec.tls[1].match: TLS route must have at least one match "
                     "condition",
                     "test.yaml:11:13: spec.tls[2].match[0].sniHosts: TLS match must have at least "
                     "one SNI host",
                     "test.yaml:11:38: spec.tls[2].match[1].sniHosts: TLS match must have at least "
                     "one SNI host",
                     "test.yaml:13:5: spec.tls[3].route: TLS route is required"}));
}

TEST(TlsRouteTest, SniHostsAreCheckedAsIstioDoes) {
  const LoadResult result = loadTls(vsYaml("[\"*.example.com\", \"db.internal\"]", yaml(R"(
  tls:
  - match:
    - sniHosts: [a.example.org, "*foo.example.com", Bad_Name.example.com, 10.0.0.1]
    route: [{destination: {host: echo}}]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:9:18: spec.tls[0].match[0].sniHosts[0]: SNI host \"a.example.org\" "
                     "is not a compatible subset of any of the virtual service hosts: "
                     "[*.example.com, db.internal]",
                     "test.yaml:9:53: spec.tls[0].match[0].sniHosts[2]: domain name "
                     "\"Bad_Name.example.com\" invalid (label \"Bad_Name\" invalid)"}));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"gateway.yaml:6:20: spec.servers[0].port.number: no VirtualService routes "
                     "connections on this server; they will be closed",
                     "test.yaml:8:5: spec.tls[0]: tls rules of VirtualService default/sni do not "
                     "apply to server \"tcp\" of gateway default/gw, a plain TCP server (Istio "
                     "routes it by tcp rules)",
                     // Valid for Istio; Envoy takes it as a literal name, which no client sends.
                     "test.yaml:9:33: spec.tls[0].match[0].sniHosts[1]: SNI host "
                     "\"*foo.example.com\" never matches: Envoy reads a wildcard only as a whole "
                     "first label (\"*.example.com\"), so this is a literal name no client sends",
                     "test.yaml:9:75: spec.tls[0].match[0].sniHosts[3]: using an IP address "
                     "(\"10.0.0.1\") goes against SNI spec and most clients do not support this"}));
}

TEST(TlsRouteTest, SniOutsideTheServerHostsDoesNotAttach) {
  const LoadResult result = loadTls(vsYaml("[\"*\"]", yaml(R"(
  tls:
  - match: [{sniHosts: [db.internal]}]
    route: [{destination: {host: echo, subset: v1}}]
  - match: [{sniHosts: [db.internal, a.example.com]}]
    route: [{destination: {host: echo, subset: v2}}]
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(listenerOn(result, 9443).candidate_routes, (Indices{1}));
}

TEST(TlsRouteTest, SubnetsPortAndGatewaysAreAndedWithSni) {
  const LoadResult result = loadTls(vsYaml("[\"*.example.com\"]", yaml(R"(
  tls:
  - match:
    - sniHosts: [a.example.com]
      port: 9443
      gateways: [gw]
      destinationSubnets: [127.0.0.0/8]
    route: [{destination: {host: echo, subset: v1}}]
  - match: [{sniHosts: ["*.example.com"]}]
    route: [{destination: {host: echo, subset: v2}}]
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const Listener& listener = listenerOn(result, 9443);
  ConnectionFacts facts{9443, "default/gw"};
  facts.sni = "a.example.com";
  facts.destination = IpAddress{false, {127, 0, 0, 1}};
  EXPECT_EQ(findRoute(*result.table, listener, facts)->name, "default/sni/tls[0]");
  facts.destination = IpAddress{false, {10, 1, 2, 3}};
  EXPECT_EQ(findRoute(*result.table, listener, facts)->name, "default/sni/tls[1]");
  facts.destination.reset();
  EXPECT_EQ(findRoute(*result.table, listener, facts)->name, "default/sni/tls[1]");
  facts = ConnectionFacts{9443, "default/gw"};
  facts.sni = "b.example.com";
  EXPECT_EQ(findRoute(*result.table, listener, facts)->name, "default/sni/tls[1]");
}

// TLSMatchAttributes has no sourceSubnet (L4MatchAttributes has): Istio would not
// take the file, so neither does Weir.
TEST(TlsRouteTest, TlsMatchesHaveNoSourceSubnet) {
  const LoadResult result = loadTls(vsYaml("[\"*.example.com\"]", yaml(R"(
  tls:
  - match:
    - sniHosts: [a.example.com]
      sourceSubnet: 10.0.0.0/8
    route: [{destination: {host: echo, subset: v1}}]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:10:7: spec.tls[0].match[0].sourceSubnet: unknown field "
                     "\"sourceSubnet\""}));
}

TEST(TlsRouteTest, DuplicateTlsMatchesAreWarned) {
  const LoadResult result = loadTls(vsYaml("[\"*.example.com\"]", yaml(R"(
  tls:
  - match: [{sniHosts: [a.example.com]}]
    route: [{destination: {host: echo, subset: v1}}]
  - match: [{sniHosts: [a.example.com]}]
    route: [{destination: {host: echo, subset: v2}}]
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"gateway.yaml:6:20: spec.servers[0].port.number: no VirtualService routes "
                     "connections on this server; they will be closed",
                     "test.yaml:8:5: spec.tls[0]: tls rules of VirtualService default/sni do not "
                     "apply to server \"tcp\" of gateway default/gw, a plain TCP server (Istio "
                     "routes it by tcp rules)",
                     "test.yaml:10:5: spec.tls[1]: virtualService rule #1 not used (all matches "
                     "used by prior rules)",
                     "test.yaml:10:13: spec.tls[1].match[0]: virtualService rule #1 match #0 is "
                     "not used (duplicate/overlapping match in rule #0)"}));
}

}  // namespace
}  // namespace weir::config
