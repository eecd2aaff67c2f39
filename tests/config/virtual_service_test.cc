// VirtualService tcp rules: weights, destinations, gateway references and checks.
#include <gtest/gtest.h>

#include "config/ip_prefix.h"
#include "config/loader.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::loadWithBase;
using fixture::toStrings;
using fixture::yaml;
using Strings = std::vector<std::string>;

// A VirtualService "echo" in namespace default; `spec` starts at line 5.
std::string vsYaml(const std::string& spec) {
  return yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: echo
)") + spec;
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

const TcpRoute& onlyRoute(const LoadResult& result) {
  EXPECT_EQ(result.table->routes.size(), 1u);
  return result.table->routes.at(0);
}

TEST(VirtualServiceTest, ALoneDestinationWithoutWeightGetsAllTraffic) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination:
        host: echo
        subset: v1
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const TcpRoute& route = onlyRoute(result);
  ASSERT_EQ(route.destinations.size(), 1u);
  EXPECT_EQ(route.destinations[0].weight, 100u);
  EXPECT_EQ(route.total_weight, 100u);
}

TEST(VirtualServiceTest, ALoneDestinationKeepsAGivenWeight) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo, subset: v1}
      weight: 30
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(onlyRoute(result).destinations.at(0).weight, 30u);
  EXPECT_EQ(onlyRoute(result).total_weight, 30u);
}

TEST(VirtualServiceTest, AbsentWeightsAmongSeveralAreZeroAndKept) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo, subset: v1}
    - destination: {host: echo, subset: v2}
      weight: 50
    - destination: {host: echo}
      weight: 0
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const TcpRoute& route = onlyRoute(result);
  ASSERT_EQ(route.destinations.size(), 3u);
  EXPECT_EQ(route.destinations[0].weight, 0u);
  EXPECT_EQ(route.destinations[1].weight, 50u);
  EXPECT_EQ(route.destinations[2].weight, 0u);
  EXPECT_EQ(route.total_weight, 50u);
  const auto& clusters = result.table->clusters;
  EXPECT_EQ(clusters.at(route.destinations[2].cluster_index.value()).name,
            "outbound|9000||echo.default.svc.cluster.local");
  EXPECT_EQ(clusters.at(route.destinations[2].cluster_index.value()).endpoints.size(), 2u);
}

TEST(VirtualServiceTest, WeightErrorsUseIstiosWording) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo, subset: v1}
      weight: -5
    - destination: {host: echo, subset: v2}
      weight: abc
  - route:
    - destination: {host: echo, subset: v1}
    - destination: {host: echo, subset: v2}
      weight: 0
  - route:
    - destination: {host: echo, subset: v1}
      weight: 3000000000
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:11:15: spec.tcp[0].route[0].weight: weight -5 < 0",
                     "test.yaml:13:15: spec.tcp[0].route[1].weight: expected an integer, got "
                     "\"abc\"",
                     "test.yaml:15:5: spec.tcp[1].route: total destination weight = 0",
                     "test.yaml:20:15: spec.tcp[2].route[0].weight: weight 3000000000 is too "
                     "large (max 2147483647)"}));
}

TEST(VirtualServiceTest, RejectsFieldsThatAreNotIstioFields) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo, subset: v1}
      weigth: 80
    - destination: {host: echo, subset: v2, subsett: v2}
      weight: 20
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:11:7: spec.tcp[0].route[0].weigth: unknown field \"weigth\"; "
                     "did you mean \"weight\"?",
                     "test.yaml:12:45: spec.tcp[0].route[1].destination.subsett: unknown field "
                     "\"subsett\"; did you mean \"subset\"?"}));
}

TEST(VirtualServiceTest, RequiresTcpRoutes) {
  EXPECT_EQ(toStrings(loadWithBase(vsYaml("spec:\n  hosts: [\"*\"]\n  gateways: [gw]\n")).errors),
            (Strings{"test.yaml:6:3: spec.tcp: http, tcp or tls must be provided in virtual "
                     "service"}));
  EXPECT_EQ(toStrings(loadWithBase(vsYaml("spec:\n  hosts: [\"*\"]\n  gateways: [gw]\n  tcp: []\n"))
                          .errors),
            (Strings{"test.yaml:8:8: spec.tcp: http, tcp or tls must be provided in virtual "
                     "service"}));
}

TEST(VirtualServiceTest, HttpOnlyIsWarnedAndServesNothing) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  http:
  - route:
    - destination: {host: echo}
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(result.table->routes.empty());
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"base.yaml:8:15: spec.servers[0].port.number: no VirtualService routes "
                     "connections on this server; they will be closed",
                     "test.yaml:8:3: spec.http: field \"http\" is not supported by Weir yet; "
                     "ignored"}));
}

TEST(VirtualServiceTest, RuleAndDestinationChecks) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - match: [{port: 9000}]
  - route:
    - weight: 100
  - route:
    - destination: {subset: v1}
    - destination: {host: "*"}
    - destination: {host: echo_1}
    - destination: {host: echo, subset: v_1}
    - destination: {host: echo, port: {number: 0}}
    - destination: {host: echo, port: {}}
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:9:5: spec.tcp[0].route: TCP route is required",
                     "test.yaml:11:7: spec.tcp[1].route[0].destination: destination is required",
                     // Several destinations, none with a weight: Istio's check applies.
                     "test.yaml:13:5: spec.tcp[2].route: total destination weight = 0",
                     // Absent fields are proto3's zero values, with Istio's messages.
                     "test.yaml:13:20: spec.tcp[2].route[0].destination.host: empty domain name "
                     "not allowed",
                     "test.yaml:14:27: spec.tcp[2].route[1].destination.host: invalid destination "
                     "host *",
                     "test.yaml:15:27: spec.tcp[2].route[2].destination.host: domain name "
                     "\"echo_1\" invalid (label \"echo_1\" invalid)",
                     "test.yaml:16:41: spec.tcp[2].route[3].destination.subset: subset name is "
                     "invalid: v_1",
                     "test.yaml:17:48: spec.tcp[2].route[4].destination.port.number: port number "
                     "0 must be in the range 1..65535",
                     "test.yaml:18:39: spec.tcp[2].route[5].destination.port.number: port number "
                     "0 must be in the range 1..65535"}));
}

// Istio's spelling rules are its labels': upper case is fine in subset names and
// hosts; an empty subset is proto3's unset value.
TEST(VirtualServiceTest, UpperCaseNamesAndAnEmptySubsetAreValid) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo, subset: V1}
      weight: 50
    - destination: {host: echo, subset: ""}
      weight: 50
)")));
  // Subset names are case-sensitive: "V1" is no subset of the rule, a dangling
  // reference that Istio accepts.
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:10:41: spec.tcp[0].route[0].destination.subset: subset \"V1\" "
                     "not found in DestinationRule for host \"echo.default.svc.cluster.local\" "
                     "(subsets are v1, v2), so connections picked for this destination are "
                     "closed (no cluster: flag NC)"}));
  EXPECT_EQ(result.table->clusters.size(), 1u);  // echo without a subset
}

TEST(VirtualServiceTest, RoutesAreNamedAfterTheirVirtualServiceAndIndex) {
  const LoadResult result = loadWithBase(yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: shift
  namespace: team
spec:
  hosts: ["*"]
  gateways: [default/gw]
  tcp:
  - match: [{port: 9000}]
    route:
    - destination: {host: echo.default, subset: v1}
  - route:
    - destination: {host: echo.default.svc.cluster.local, subset: v2}
)"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->routes.size(), 2u);
  EXPECT_EQ(result.table->routes[0].name, "team/shift/tcp[0]");
  EXPECT_EQ(result.table->routes[1].name, "team/shift/tcp[1]");
  EXPECT_EQ(result.table->routes[1].virtual_service, "team/shift");
  EXPECT_EQ(result.table->listeners.at(0).candidate_routes, (std::vector<size_t>{0, 1}));
}

// Without hosts a VirtualService is a delegate, which only the http routes of other
// VirtualServices use: Istio refuses gateways, tcp and tls rules in one.
TEST(VirtualServiceTest, WithoutHostsItIsADelegate) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo}
  tls:
  - match: [{sniHosts: [a.example.com]}]
    route:
    - destination: {host: echo}
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:6:13: spec.gateways: delegate virtual service must have no "
                     "gateways specified",
                     "test.yaml:8:3: spec.tcp: delegate virtual service must have no tcp route "
                     "specified",
                     "test.yaml:11:3: spec.tls: delegate virtual service must have no tls route "
                     "specified",
                     "test.yaml:11:25: spec.tls[0].match[0].sniHosts[0]: SNI host "
                     "\"a.example.com\" is not a compatible subset of any of the virtual service "
                     "hosts: []"}));

  const LoadResult http_only = loadWithBase(vsYaml(yaml(R"(
spec:
  http:
  - route:
    - destination: {host: echo}
)")));
  EXPECT_TRUE(http_only.ok()) << ::testing::PrintToString(toStrings(http_only.errors));
}

// Istio's host checks depend on what the VirtualService is bound to: "*" is not for
// the mesh, and hosts must not overlap.
TEST(VirtualServiceTest, HostsFollowIstiosRules) {
  const LoadResult mesh = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  tcp:
  - route:
    - destination: {host: echo}
)")));
  EXPECT_EQ(toStrings(mesh.errors),
            (Strings{"test.yaml:6:11: spec.hosts[0]: wildcard host * is not allowed for virtual "
                     "services bound to the mesh gateway"}));

  const LoadResult overlapping = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: [a.example.com, "*.example.com", b.example.org, b.example.org]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo}
)")));
  EXPECT_EQ(toStrings(overlapping.errors),
            (Strings{"test.yaml:6:26: spec.hosts[1]: duplicate hosts in virtual service: "
                     "a.example.com & *.example.com",
                     "test.yaml:6:58: spec.hosts[3]: duplicate hosts in virtual service: "
                     "b.example.org & b.example.org"}));
}

// A VirtualService on gateways that matches on SNI may name Istio's auto-generated
// SNI hosts (outbound_.PORT_._.HOST, from AUTO_PASSTHROUGH).
TEST(VirtualServiceTest, AutoGeneratedSniHostsOnGateways) {
  const std::string text = yaml(R"(
spec:
  hosts: [outbound_.9000_._.echo.default.svc.cluster.local]
  gateways: [gw]
  tls:
  - match: [{sniHosts: [outbound_.9000_._.echo.default.svc.cluster.local]}]
    route:
    - destination: {host: echo}
)");
  const LoadResult result = loadWithBase(vsYaml(text));
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));

  const LoadResult bad = loadWithBase(vsYaml(replaceAll(text, "9000_", "port_")));
  EXPECT_EQ(toStrings(bad.errors),
            (Strings{"test.yaml:6:11: spec.hosts[0]: domain name "
                     "\"outbound_.port_._.echo.default.svc.cluster.local\" invalid (label \"port\" "
                     "invalid). should follow outbound_.<PORT>_._.<HOSTNAME> format",
                     "test.yaml:9:25: spec.tls[0].match[0].sniHosts[0]: domain name "
                     "\"outbound_.port_._.echo.default.svc.cluster.local\" invalid (label \"port\" "
                     "invalid). should follow outbound_.<PORT>_._.<HOSTNAME> format"}));

  // Without SNI matches the form is an ordinary (invalid) domain name.
  const LoadResult tcp = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: [outbound_.9000_._.echo.default.svc.cluster.local]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo}
)")));
  EXPECT_EQ(toStrings(tcp.errors),
            (Strings{"test.yaml:6:11: spec.hosts[0]: domain name "
                     "\"outbound_.9000_._.echo.default.svc.cluster.local\" invalid (label "
                     "\"outbound_\" invalid)"}));
}

// Istio's validation and its gateway pass over a null rule; so does Weir, saying so.
TEST(VirtualServiceTest, NullRulesAreIgnored) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - null
  - route:
    - destination: {host: echo}
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(onlyRoute(result).name, "default/echo/tcp[1]");
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:9:5: spec.tcp[0]: a null tcp rule does nothing; ignored"}));
}

TEST(VirtualServiceTest, MatchPortZeroIsUnset) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - match: [{port: 0}]
    route:
    - destination: {host: echo}
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(result.table->routes.at(0).matches.at(0).port, 0);
}

TEST(VirtualServiceTest, ExportToFollowsIstiosRules) {
  const auto errorsFor = [](const std::string& export_to) {
    return toStrings(loadWithBase(vsYaml("spec:\n  hosts: [\"*\"]\n  gateways: [gw]\n"
                                         "  exportTo: " + export_to +
                                         "\n  tcp:\n  - route:\n    - destination: {host: "
                                         "echo}\n"))
                         .errors);
  };
  EXPECT_EQ(errorsFor("[\".\", ns1]"), Strings{});
  EXPECT_EQ(errorsFor("[\"*\"]"), Strings{});
  EXPECT_EQ(errorsFor("[\"~\"]"),
            (Strings{"test.yaml:8:14: spec.exportTo[0]: exportTo ~ (none) is not allowed for Istio "
                     "configuration objects"}));
  EXPECT_EQ(errorsFor("[\".\", default]"),
            (Strings{"test.yaml:8:19: spec.exportTo[1]: duplicate entries in exportTo for entry "
                     "default"}));
  EXPECT_EQ(errorsFor("[default, \".\"]"),
            (Strings{"test.yaml:8:23: spec.exportTo[1]: duplicate entries in exportTo: . and current "
                     "namespace default"}));
  EXPECT_EQ(errorsFor("[\"*\", ns1]"),
            (Strings{"test.yaml:8:13: spec.exportTo: cannot have both public (*) and non-public "
                     "exportTo values for a resource"}));
  EXPECT_EQ(errorsFor("[ns_1]"),
            (Strings{"test.yaml:8:14: spec.exportTo[0]: only .,*, or a valid DNS 1123 label is "
                     "allowed as exportTo entry"}));
}

TEST(VirtualServiceTest, HostsMustBeDomainNamesWildcardsOrAddresses) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*", "*.example.com", echo, 10.0.0.1, Bad_Host]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo}
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:6:49: spec.hosts[4]: domain name \"Bad_Host\" invalid (label "
                     "\"Bad_Host\" invalid)"}));
}

TEST(VirtualServiceTest, WithoutGatewaysItIsForTheMeshAndIgnored) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: [echo]
  tcp:
  - route:
    - destination: {host: not-known-here}
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(result.table->routes.empty());
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"base.yaml:8:15: spec.servers[0].port.number: no VirtualService routes "
                     "connections on this server; they will be closed",
                     "test.yaml:6:3: spec.gateways: VirtualService default/echo has no gateways, "
                     "so it applies to the mesh (sidecars) only; ignored by Weir, which acts as "
                     "the ingress gateway"}));
}

TEST(VirtualServiceTest, MeshIsIgnoredWithAWarning) {
  const LoadResult mesh_only = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: [echo]
  gateways: [mesh]
  tcp:
  - route:
    - destination: {host: echo}
)")));
  ASSERT_TRUE(mesh_only.ok()) << ::testing::PrintToString(toStrings(mesh_only.errors));
  EXPECT_TRUE(mesh_only.table->routes.empty());
  EXPECT_EQ(toStrings(mesh_only.warnings).back(),
            "test.yaml:7:14: spec.gateways[0]: gateway \"mesh\" (the sidecars) is ignored by "
            "Weir, which acts as the ingress gateway");

  const LoadResult both = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*.example.com"]
  gateways: [mesh, gw]
  tcp:
  - route:
    - destination: {host: echo}
)")));
  ASSERT_TRUE(both.ok()) << ::testing::PrintToString(toStrings(both.errors));
  EXPECT_EQ(both.table->listeners.at(0).candidate_routes, (std::vector<size_t>{0}));
  EXPECT_EQ(toStrings(both.warnings),
            (Strings{"test.yaml:7:14: spec.gateways[0]: gateway \"mesh\" (the sidecars) is "
                     "ignored by Weir, which acts as the ingress gateway"}));
}

TEST(VirtualServiceTest, ResolvesGatewayReferencesLikeIstio) {
  for (const std::string ref : {"gw", "default/gw"}) {
    const LoadResult result = loadWithBase(vsYaml(
        "spec:\n  hosts: [\"*\"]\n  gateways: [\"" + ref +
        "\"]\n  tcp:\n  - route:\n    - destination: {host: echo}\n"));
    ASSERT_TRUE(result.ok()) << ref << ::testing::PrintToString(toStrings(result.errors));
    EXPECT_EQ(result.table->listeners.at(0).candidate_routes.size(), 1u) << ref;
    EXPECT_TRUE(result.warnings.empty()) << ref;
  }
  const LoadResult legacy = loadWithBase(vsYaml(
      "spec:\n  hosts: [\"*\"]\n  gateways: [gw.default.svc.cluster.local]\n"
      "  tcp:\n  - route:\n    - destination: {host: echo}\n"));
  ASSERT_TRUE(legacy.ok()) << ::testing::PrintToString(toStrings(legacy.errors));
  EXPECT_EQ(legacy.table->listeners.at(0).candidate_routes.size(), 1u);
  EXPECT_EQ(toStrings(legacy.warnings),
            (Strings{"test.yaml:7:14: spec.gateways[0]: using legacy gatewayName format "
                     "\"gw.default.svc.cluster.local\"; prefer the <namespace>/<name> format: "
                     "\"default/gw\""}));
}

// Istio accepts gateways that do not exist: the VirtualService is bound to the ones
// that do, and a match block naming only missing ones never matches.
TEST(VirtualServiceTest, UnknownGatewaysAreDanglingReferences) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw, other/gw, gateway]
  tcp:
  - match:
    - gateways: [missing]
    route:
    - destination: {host: echo}
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"base.yaml:8:15: spec.servers[0].port.number: no VirtualService routes "
                     "connections on this server; they will be closed",
                     "test.yaml:7:18: spec.gateways[1]: gateway \"other/gw\" not found "
                     "(gateways are default/gw), so VirtualService default/echo is bound to no "
                     "server through it",
                     "test.yaml:7:28: spec.gateways[2]: gateway \"default/gateway\" not found "
                     "(gateways are default/gw), so VirtualService default/echo is bound to no "
                     "server through it",
                     "test.yaml:10:18: spec.tcp[0].match[0].gateways[0]: gateway "
                     "\"default/missing\" not found (gateways are default/gw), so this match "
                     "block never matches through it"}));
  EXPECT_TRUE(result.table->routes.empty());

  const LoadResult typo = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gq]
  tcp:
  - route:
    - destination: {host: echo}
)")));
  ASSERT_TRUE(typo.ok()) << ::testing::PrintToString(toStrings(typo.errors));
  EXPECT_EQ(toStrings(typo.warnings),
            (Strings{"base.yaml:8:15: spec.servers[0].port.number: no VirtualService routes "
                     "connections on this server; they will be closed",
                     "test.yaml:7:14: spec.gateways[0]: gateway \"default/gq\" not found, so "
                     "VirtualService default/echo is bound to no server through it; did you mean "
                     "\"default/gw\"?"}));
  EXPECT_TRUE(typo.table->listeners.at(0).candidate_routes.empty());
}

// A destination host without a ServiceEntry names the nearest one, if any is near.
TEST(VirtualServiceTest, MisspeltDestinationHostsGetTheNearestServiceEntryHost) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: ecoh}
      weight: 50
    - destination: {host: database}
      weight: 50
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:10:27: spec.tcp[0].route[0].destination.host: no ServiceEntry for "
                     "host \"ecoh.default.svc.cluster.local\", so connections picked for this "
                     "destination are closed (no cluster: flag NC); did you mean "
                     "\"echo.default.svc.cluster.local\"?",
                     "test.yaml:12:27: spec.tcp[0].route[1].destination.host: no ServiceEntry for "
                     "host \"database.default.svc.cluster.local\", so connections picked for "
                     "this destination are closed (no cluster: flag NC)"}));
}

// Istio's validateGatewayNames: "ns/name" of two DNS labels, or a domain name.
TEST(VirtualServiceTest, GatewayNamesFollowIstiosRules) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: ["*/gw", "default/*", ./gw, /gw, "b@d"]
  tcp:
  - route:
    - destination: {host: echo}
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:7:14: spec.gateways[0]: invalid value for namespace: \"*\"",
                     "test.yaml:7:22: spec.gateways[1]: invalid value for gateway name: \"*\"",
                     "test.yaml:7:35: spec.gateways[2]: invalid value for namespace: \".\"",
                     "test.yaml:7:41: spec.gateways[3]: config namespace and gateway name cannot "
                     "be empty",
                     "test.yaml:7:41: spec.gateways[3]: invalid value for namespace: \"\"",
                     "test.yaml:7:46: spec.gateways[4]: domain name \"b@d\" invalid (label "
                     "\"b@d\" invalid)"}));
}

TEST(VirtualServiceTest, WarnsAboutIstioFieldsNotImplementedYet) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  exportTo: ["."]
  http: []
  tcp:
  - match:
    - port: 9000
      sourceLabels: {app: client}
      sourceNamespace: default
      destinationSubnets: [10.0.0.0/8]
      sourceSubnet: 10.1.0.0/16
    route:
    - destination: {host: echo}
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:9:3: spec.http: field \"http\" is not supported by Weir yet; "
                     "ignored"}));
}

TEST(VirtualServiceTest, SubnetsAreReadIntoTheMatch) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - match:
    - destinationSubnets: [10.1.2.3/8, "2001:db8::/32", 192.168.0.9]
      sourceSubnet: "::1"
    route:
    - destination: {host: echo}
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const L4Match& match = onlyRoute(result).matches.at(0);
  ASSERT_EQ(match.destination_subnets.size(), 3u);
  EXPECT_EQ(toString(match.destination_subnets[0]), "10.0.0.0/8");
  EXPECT_EQ(toString(match.destination_subnets[1]), "2001:db8::/32");
  EXPECT_EQ(toString(match.destination_subnets[2]), "192.168.0.9/32");
  ASSERT_TRUE(match.source_subnet.has_value());
  EXPECT_EQ(toString(*match.source_subnet), "::1/128");
  EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(toStrings(result.warnings));
}

TEST(VirtualServiceTest, BadSubnetsAreErrorsWithIstiosWording) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - match:
    - destinationSubnets: [10.0.0.0/33, 10.0.0.300, "::/200", [1]]
      sourceSubnet: 10.0.0.0/8/8
    route:
    - destination: {host: echo}
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:10:28: spec.tcp[0].match[0].destinationSubnets[0]: 10.0.0.0/33 is "
                     "not a valid CIDR block",
                     "test.yaml:10:41: spec.tcp[0].match[0].destinationSubnets[1]: 10.0.0.300 is "
                     "not a valid IP",
                     "test.yaml:10:53: spec.tcp[0].match[0].destinationSubnets[2]: ::/200 is not a "
                     "valid CIDR block",
                     "test.yaml:10:63: spec.tcp[0].match[0].destinationSubnets[3]: expected a "
                     "string, got a list",
                     "test.yaml:11:21: spec.tcp[0].match[0].sourceSubnet: 10.0.0.0/8/8 is not a "
                     "valid IP"}));
}

TEST(VirtualServiceTest, WarnsAboutRulesAfterOneWithoutMatches) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route: [{destination: {host: echo, subset: v1}}]
  - route: [{destination: {host: echo, subset: v2}}]
  - match: [{port: 9000}, {port: 9001}]
    route: [{destination: {host: echo, subset: v2}}]
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:10:5: spec.tcp[1]: virtualService rule #1 not used (only the last "
                     "rule can have no matches)",
                     "test.yaml:11:5: spec.tcp[2]: virtualService rule #2 not used (route without "
                     "matches defined before)"}));
  EXPECT_EQ(result.table->routes.size(), 3u);  // kept: harmless, as in Istio
}

TEST(VirtualServiceTest, WarnsAboutDuplicateMatchBlocks) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - match: [{port: 9000, sourceSubnet: 10.0.0.0/8}]
    route: [{destination: {host: echo, subset: v1}}]
  - match: [{port: 9000, sourceSubnet: 10.1.2.3/8}, {port: 9000}]
    route: [{destination: {host: echo, subset: v2}}]
  - match: [{port: 9000}]
    route: [{destination: {host: echo, subset: v2}}]
  - match: [{port: 9000, sourceLabels: {a: b}}]
    route: [{destination: {host: echo, subset: v2}}]
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:11:13: spec.tcp[1].match[0]: virtualService rule #1 match #0 is "
                     "not used (duplicate/overlapping match in rule #0)",
                     "test.yaml:13:5: spec.tcp[2]: virtualService rule #2 not used (all matches "
                     "used by prior rules)",
                     "test.yaml:13:13: spec.tcp[2].match[0]: virtualService rule #2 match #0 is "
                     "not used (duplicate/overlapping match in rule #1)"}));
}

TEST(VirtualServiceTest, MatchPortMustBeValid) {
  const LoadResult result = loadWithBase(vsYaml(yaml(R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - match: [{port: 70000}]
    route:
    - destination: {host: echo}
  - match: [{port: abc}]
    route:
    - destination: {host: echo}
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:9:20: spec.tcp[0].match[0].port: port number 70000 must be in "
                     "the range 1..65535",
                     "test.yaml:12:20: spec.tcp[1].match[0].port: expected an integer, got "
                     "\"abc\""}));
}

}  // namespace
}  // namespace weir::config
