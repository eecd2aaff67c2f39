// ServiceEntry hosts, ports and endpoints, and the clusters built from them.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::kGatewayYaml;
using fixture::toStrings;
using fixture::yaml;
using Strings = std::vector<std::string>;

// A VirtualService on gw to `host`, with `extra` inside its destination (e.g.
// ", port: {number: 9000}"). Nine lines; the destination is on its last line.
std::string routeTo(const std::string& host, const std::string& extra = "") {
  return yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: route}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
)") + "    - destination: {host: " + host + extra + "}\n";
}

// base.yaml: the gateway only. test.yaml: `entries`, then a route to `host`.
LoadResult loadEntries(const std::string& entries, const std::string& host,
                       const std::string& extra = "") {
  return loadFromText(
      {{"base.yaml", kGatewayYaml}, {"test.yaml", entries + "---\n" + routeTo(host, extra)}});
}

// A ServiceEntry "svc" whose spec body is `spec` (spec: is line 4, so the first line of
// `spec` is line 5).
std::string entryYaml(const std::string& spec) {
  return yaml(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: svc}
spec:
)") + spec;
}

const UpstreamCluster& onlyCluster(const LoadResult& result) {
  EXPECT_EQ(result.table->clusters.size(), 1u);
  return result.table->clusters.at(0);
}

TEST(ServiceEntryTest, EndpointPortComesFromItsPortsThenTargetPortThenThePort) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports:
  - {number: 9000, name: tcp, targetPort: 7000}
  resolution: STATIC
  endpoints:
  - {address: 10.0.0.1, ports: {tcp: 9001}}
  - {address: 10.0.0.2}
)"));
  const LoadResult result = loadEntries(entry, "svc");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const UpstreamCluster& cluster = onlyCluster(result);
  EXPECT_EQ(cluster.name, "outbound|9000||svc.default.svc.cluster.local");
  ASSERT_EQ(cluster.endpoints.size(), 2u);
  EXPECT_EQ(cluster.endpoints[0].port, 9001);
  EXPECT_EQ(cluster.endpoints[1].port, 7000);

  const std::string plain = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.2}]
)"));
  const LoadResult plain_result = loadEntries(plain, "svc");
  ASSERT_TRUE(plain_result.ok()) << ::testing::PrintToString(toStrings(plain_result.errors));
  EXPECT_EQ(onlyCluster(plain_result).endpoints.at(0).port, 9000);
}

TEST(ServiceEntryTest, DestinationPortPicksTheServicePort) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports:
  - {number: 9000, name: tcp}
  - {number: 9100, name: admin}
  resolution: STATIC
  endpoints:
  - {address: 10.0.0.1, ports: {tcp: 9001, admin: 9101}}
)"));
  const LoadResult result = loadEntries(entry, "svc", ", port: {number: 9100}");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const UpstreamCluster& cluster = onlyCluster(result);
  EXPECT_EQ(cluster.name, "outbound|9100||svc.default.svc.cluster.local");
  EXPECT_EQ(cluster.port, 9100);
  EXPECT_EQ(cluster.endpoints.at(0).port, 9101);

  // 4 + 7 lines of entry, "---", so the destination is on line 21.
  EXPECT_EQ(toStrings(loadEntries(entry, "svc").errors),
            (Strings{"test.yaml:21:20: spec.tcp[0].route[0].destination.port: destination port "
                     "is required: ServiceEntry default/svc has several ports (9000, 9100)"}));
  EXPECT_EQ(toStrings(loadEntries(entry, "svc", ", port: {number: 9200}").errors),
            (Strings{"test.yaml:21:47: spec.tcp[0].route[0].destination.port.number: port 9200 "
                     "is not a port of ServiceEntry default/svc (ports: 9000, 9100)"}));
}

TEST(ServiceEntryTest, ExplicitAndImplicitPortShareACluster) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
)"));
  const std::string route = routeTo("svc", ", port: {number: 9000}") +
                            "      weight: 50\n"
                            "    - destination: {host: svc}\n"
                            "      weight: 50\n";
  const LoadResult result =
      loadFromText({{"base.yaml", kGatewayYaml}, {"test.yaml", entry + "---\n" + route}});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->clusters.size(), 1u);
  const TcpRoute& only = result.table->routes.at(0);
  ASSERT_EQ(only.destinations.size(), 2u);
  EXPECT_EQ(only.destinations[0].cluster_index, 0u);
  EXPECT_EQ(only.destinations[1].cluster_index, 0u);
}

TEST(ServiceEntryTest, DestinationHostNeedsAServiceEntry) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
)"));
  EXPECT_EQ(toStrings(loadEntries(entry, "unknown").errors),
            (Strings{"test.yaml:18:27: spec.tcp[0].route[0].destination.host: no ServiceEntry "
                     "for host \"unknown.default.svc.cluster.local\""}));
}

TEST(ServiceEntryTest, HostsAreCanonicalisedTheSameWayEverywhere) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc.default.svc]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
)"));
  for (const std::string host : {"svc", "svc.default", "svc.default.svc",
                                 "svc.default.svc.cluster.local"}) {
    const LoadResult result = loadEntries(entry, host);
    ASSERT_TRUE(result.ok()) << host << ::testing::PrintToString(toStrings(result.errors));
    EXPECT_EQ(onlyCluster(result).host, "svc.default.svc.cluster.local");
  }
}

TEST(ServiceEntryTest, StaticEndpointsMustBeIpAddresses) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints:
  - {address: "::1"}
  - {address: echo-v1}
  - {labels: {version: v1}}
)"));
  EXPECT_EQ(toStrings(loadEntries(entry, "svc").errors),
            (Strings{"test.yaml:10:15: spec.endpoints[1].address: endpoint address \"echo-v1\" "
                     "is not a valid IP address",
                     "test.yaml:11:5: spec.endpoints[2].address: address is required"}));
}

TEST(ServiceEntryTest, DnsEndpointsMayBeHostNames) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: DNS
  endpoints:
  - {address: echo-v1, weight: 3}
  - {address: 10.0.0.1}
  - {address: "bad_name"}
)"));
  const LoadResult result = loadEntries(entry, "svc");
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:11:15: spec.endpoints[2].address: endpoint address \"bad_name\" "
                     "is not a valid FQDN or an IP address"}));

  const std::string good = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: DNS
  endpoints:
  - {address: echo-v1, weight: 3}
  - {address: 10.0.0.1}
)"));
  const LoadResult ok = loadEntries(good, "svc");
  ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(toStrings(ok.errors));
  const UpstreamCluster& cluster = onlyCluster(ok);
  EXPECT_EQ(cluster.resolution, EndpointResolution::kDns);
  ASSERT_EQ(cluster.endpoints.size(), 2u);
  EXPECT_EQ(cluster.endpoints[0].address, "echo-v1");
  EXPECT_EQ(cluster.endpoints[0].weight, 3u);
  EXPECT_EQ(cluster.endpoints[1].address, "10.0.0.1");
  EXPECT_EQ(cluster.endpoints[1].weight, 1u);
}

TEST(ServiceEntryTest, DnsWithoutEndpointsResolvesTheHostAsWritten) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [echo-server]
  ports: [{number: 9000, name: tcp}]
  resolution: DNS
)"));
  const LoadResult result = loadEntries(entry, "echo-server");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const UpstreamCluster& cluster = onlyCluster(result);
  EXPECT_EQ(cluster.host, "echo-server.default.svc.cluster.local");
  ASSERT_EQ(cluster.endpoints.size(), 1u);
  EXPECT_EQ(cluster.endpoints[0].address, "echo-server");
  EXPECT_EQ(cluster.endpoints[0].port, 9000);
  EXPECT_EQ(cluster.endpoints[0].position.line, 5);

  const std::string wildcard = entryYaml(yaml(R"(
  hosts: ["*.example.com"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
)"));
  EXPECT_EQ(toStrings(loadEntries(wildcard, "a.example.com").errors),
            (Strings{"test.yaml:5:10: spec.hosts: hosts must be FQDN if no endpoints are provided "
                     "for resolution mode DNS",
                     "test.yaml:17:27: spec.tcp[0].route[0].destination.host: no ServiceEntry for "
                     "host \"a.example.com\""}));
}

TEST(ServiceEntryTest, EveryIstioResolutionLoads) {
  const std::string body = "  hosts: [svc]\n  ports: [{number: 9000, name: tcp}]\n";
  const auto load = [&](const std::string& resolution) {
    return loadEntries(entryYaml(body + resolution), "svc");
  };
  // NONE (also the default) and DYNAMIC_DNS: a gateway has no original destination,
  // so their clusters have no endpoints; said once, where the resolution is.
  const LoadResult none = load("");
  ASSERT_TRUE(none.ok()) << ::testing::PrintToString(toStrings(none.errors));
  EXPECT_EQ(toStrings(none.warnings),
            (Strings{"test.yaml:5:3: spec.resolution: resolution NONE: a gateway has no original "
                     "destination to send to, so connections routed to this ServiceEntry are "
                     "closed (upstream_cx_none_healthy)"}));
  EXPECT_TRUE(onlyCluster(none).endpoints.empty());
  EXPECT_EQ(onlyCluster(none).resolution, EndpointResolution::kNone);
  const LoadResult dynamic = load("  resolution: DYNAMIC_DNS\n");
  ASSERT_TRUE(dynamic.ok()) << ::testing::PrintToString(toStrings(dynamic.errors));
  EXPECT_EQ(onlyCluster(dynamic).resolution, EndpointResolution::kDynamicDns);
  EXPECT_TRUE(onlyCluster(dynamic).endpoints.empty());

  // DNS_ROUND_ROBIN: Envoy's LOGICAL_DNS; without endpoints the host is the name.
  const LoadResult round_robin = load("  resolution: DNS_ROUND_ROBIN\n");
  ASSERT_TRUE(round_robin.ok()) << ::testing::PrintToString(toStrings(round_robin.errors));
  EXPECT_EQ(onlyCluster(round_robin).resolution, EndpointResolution::kDnsRoundRobin);
  ASSERT_EQ(onlyCluster(round_robin).endpoints.size(), 1u);
  EXPECT_EQ(onlyCluster(round_robin).endpoints[0].address, "svc");

  EXPECT_EQ(toStrings(load("  resolution: dns\n").errors).front(),
            "test.yaml:7:15: spec.resolution: unsupported resolution type dns");
}

TEST(ServiceEntryTest, EndpointWeightsDefaultToOne) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints:
  - {address: 10.0.0.1}
  - {address: 10.0.0.2, weight: 0}
  - {address: 10.0.0.3, weight: 7}
)"));
  const LoadResult result = loadEntries(entry, "svc");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const auto& endpoints = onlyCluster(result).endpoints;
  ASSERT_EQ(endpoints.size(), 3u);
  EXPECT_EQ(endpoints[0].weight, 1u);
  EXPECT_EQ(endpoints[1].weight, 1u);
  EXPECT_EQ(endpoints[2].weight, 7u);

  const std::string negative = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints:
  - {address: 10.0.0.1, weight: -1}
)"));
  EXPECT_EQ(toStrings(loadEntries(negative, "svc").errors),
            (Strings{"test.yaml:9:33: spec.endpoints[0].weight: weight -1 < 0"}));
}

TEST(ServiceEntryTest, PortChecksUseIstiosWording) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports:
  - {number: 9000, name: tcp, protocol: TCP}
  - {number: 9000, name: other}
  - {number: 9100, name: tcp}
  - {number: 9200, name: Admin, protocol: FOO}
  resolution: STATIC
  endpoints:
  - {address: 10.0.0.1, ports: {nope: 9001}}
)"));
  EXPECT_EQ(toStrings(loadEntries(entry, "svc", ", port: {number: 9000}").errors),
            (Strings{"test.yaml:8:14: spec.ports[1].number: service entry port 9000 already "
                     "defined",
                     "test.yaml:9:26: spec.ports[2].name: service entry port name \"tcp\" already "
                     "defined",
                     "test.yaml:10:26: spec.ports[3].name: invalid port name: Admin",
                     "test.yaml:10:43: spec.ports[3].protocol: unsupported protocol: FOO",
                     "test.yaml:13:39: spec.endpoints[0].ports.nope: endpoint port 9001 is not "
                     "defined by the service entry"}));
}

TEST(ServiceEntryTest, HostChecks) {
  EXPECT_EQ(toStrings(loadEntries(entryYaml("  ports: [{number: 9000, name: tcp}]\n  "
                                            "resolution: STATIC\n"),
                                  "svc")
                          .errors)
                .front(),
            "test.yaml:5:3: spec.hosts: missing required field \"hosts\"");
  EXPECT_EQ(toStrings(loadEntries(entryYaml("  hosts: []\n  ports: [{number: 9000, name: tcp}]\n  "
                                            "resolution: STATIC\n"),
                                  "svc")
                          .errors)
                .front(),
            "test.yaml:5:10: spec.hosts: service entry must have at least one host");
  EXPECT_EQ(toStrings(loadEntries(entryYaml("  hosts: [\"*\"]\n  ports: [{number: 9000, name: "
                                            "tcp}]\n  resolution: STATIC\n"),
                                  "svc")
                          .errors)
                .front(),
            "test.yaml:5:11: spec.hosts[0]: invalid host *");
  EXPECT_EQ(toStrings(loadEntries(entryYaml("  hosts: [a, b]\n  ports: [{number: 9000, name: "
                                            "tcp}]\n  resolution: STATIC\n"),
                                  "a")
                          .errors)
                .front(),
            "test.yaml:5:10: spec.hosts: multiple hosts provided with non-HTTP, non-TLS ports");
}

TEST(ServiceEntryTest, AHostBelongsToOneServiceEntry) {
  const std::string first = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
)"));
  const std::string second = yaml(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: svc-again}
spec:
  hosts: [svc.default]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.2}]
)");
  EXPECT_EQ(toStrings(loadEntries(first + "---\n" + second, "svc").errors),
            (Strings{"test.yaml:14:11: spec.hosts[0]: host \"svc.default.svc.cluster.local\" is "
                     "already defined by ServiceEntry default/svc"}));
}

TEST(ServiceEntryTest, WarnsAboutIstioFieldsNotImplementedYet) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  addresses: [240.0.0.1]
  exportTo: ["*"]
  subjectAltNames: [spiffe://cluster.local/ns/default/sa/echo]
  location: MESH_INTERNAL
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints:
  - {address: 10.0.0.1, network: n1, locality: us/east, serviceAccount: echo}
)"));
  const LoadResult result = loadEntries(entry, "svc");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:6:3: spec.addresses: field \"addresses\" is not supported by Weir "
                     "yet; ignored",
                     "test.yaml:7:3: spec.exportTo: field \"exportTo\" is not supported by Weir "
                     "yet; ignored",
                     "test.yaml:8:3: spec.subjectAltNames: field \"subjectAltNames\" is not "
                     "supported by Weir yet; ignored",
                     "test.yaml:13:25: spec.endpoints[0].network: field \"network\" is not "
                     "supported by Weir yet; ignored",
                     "test.yaml:13:38: spec.endpoints[0].locality: field \"locality\" is not "
                     "supported by Weir yet; ignored",
                     "test.yaml:13:57: spec.endpoints[0].serviceAccount: field "
                     "\"serviceAccount\" is not supported by Weir yet; ignored"}));
}

TEST(ServiceEntryTest, LocationMustBeKnown) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  location: OUTSIDE
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
)"));
  EXPECT_EQ(toStrings(loadEntries(entry, "svc").errors),
            (Strings{"test.yaml:6:13: spec.location: invalid location \"OUTSIDE\", expected "
                     "MESH_EXTERNAL or MESH_INTERNAL"}));
}

}  // namespace
}  // namespace weir::config
