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
                       const std::string& extra = "", const LoadOptions& options = {}) {
  return loadFromText(
      {{"base.yaml", kGatewayYaml}, {"test.yaml", entries + "---\n" + routeTo(host, extra)}},
      options);
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

  // Without a port, Istio takes the port of the server (gw's 9000), which is one
  // of the entry's (GetDestinationCluster).
  const LoadResult implicit = loadEntries(entry, "svc");
  ASSERT_TRUE(implicit.ok()) << ::testing::PrintToString(toStrings(implicit.errors));
  EXPECT_TRUE(implicit.warnings.empty()) << ::testing::PrintToString(toStrings(implicit.warnings));
  EXPECT_EQ(onlyCluster(implicit).name, "outbound|9000||svc.default.svc.cluster.local");
  EXPECT_EQ(onlyCluster(implicit).endpoints.at(0).port, 9001);

  // A port the entry does not list: no cluster, as in Istio (4 + 7 lines of
  // entry, "---", so the destination is on line 21).
  const std::string message =
      "test.yaml:21:47: spec.tcp[0].route[0].destination.port.number: port 9200 is not a port "
      "of ServiceEntry default/svc (ports: 9000, 9100), so connections picked for this "
      "destination are closed (no cluster: flag NC)";
  const LoadResult unknown = loadEntries(entry, "svc", ", port: {number: 9200}");
  ASSERT_TRUE(unknown.ok()) << ::testing::PrintToString(toStrings(unknown.errors));
  EXPECT_EQ(toStrings(unknown.warnings), Strings{message});
  EXPECT_TRUE(unknown.table->clusters.empty());
  EXPECT_EQ(unknown.table->routes.at(0).destinations.at(0).missing.name,
            "outbound|9200||svc.default.svc.cluster.local");
  EXPECT_EQ(toStrings(loadEntries(entry, "svc", ", port: {number: 9200}",
                                  LoadOptions{.strict_references = true})
                          .errors),
            Strings{message});
}

// A destination without a port on a server whose port the entry does not list.
TEST(ServiceEntryTest, TheServersPortMayBeMissingFromTheEntry) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports:
  - {number: 9100, name: tcp}
  - {number: 9200, name: admin}
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
)"));
  const LoadResult result = loadEntries(entry, "svc");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:20:20: spec.tcp[0].route[0].destination.port: no destination "
                     "port, and ServiceEntry default/svc has several (9100, 9200): Istio takes "
                     "the server's port, 9000, which the entry does not list, so connections "
                     "picked for this destination are closed (no cluster: flag NC)"}));
  EXPECT_TRUE(result.table->clusters.empty());
  EXPECT_EQ(result.table->routes.at(0).destinations.at(0).missing.name,
            "outbound|9000||svc.default.svc.cluster.local");
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
  EXPECT_EQ(only.destinations[0].cluster_index, std::optional<size_t>(0));
  EXPECT_EQ(only.destinations[1].cluster_index, std::optional<size_t>(0));
}

TEST(ServiceEntryTest, DestinationHostNeedsAServiceEntry) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
)"));
  const std::string message =
      "test.yaml:18:27: spec.tcp[0].route[0].destination.host: no ServiceEntry for host "
      "\"unknown.default.svc.cluster.local\", so connections picked for this destination are "
      "closed (no cluster: flag NC)";
  const LoadResult result = loadEntries(entry, "unknown");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings), Strings{message});
  EXPECT_TRUE(result.table->clusters.empty());
  EXPECT_EQ(result.table->routes.at(0).destinations.at(0).missing.name,
            "outbound|9000||unknown.default.svc.cluster.local");
  EXPECT_EQ(toStrings(loadEntries(entry, "unknown", "", LoadOptions{.strict_references = true})
                          .errors),
            Strings{message});
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
                     "test.yaml:11:5: spec.endpoints[2].address: address is required (CRD: "
                     "Address is required)"}));
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
  const LoadResult refused = loadEntries(wildcard, "a.example.com");
  EXPECT_EQ(toStrings(refused.errors),
            (Strings{"test.yaml:5:10: spec.hosts: hosts must be FQDN or contain only prefix "
                     "wildcards if no endpoints are provided for resolution mode DNS, domain name "
                     "\"*.example.com\" invalid (label \"*\" invalid)"}));
  EXPECT_EQ(toStrings(refused.warnings),
            (Strings{"test.yaml:17:27: spec.tcp[0].route[0].destination.host: no ServiceEntry for "
                     "host \"a.example.com\", so connections picked for this destination are "
                     "closed (no cluster: flag NC)"}));
}

// Every resolution of Istio loads. NONE and DYNAMIC_DNS forward to the original
// destination, which a gateway does not have: their clusters have no endpoints, and
// the entry is warned about. DNS_ROUND_ROBIN resolves like DNS.
TEST(ServiceEntryTest, EveryIstioResolutionLoads) {
  const std::string body = "  hosts: [svc]\n  ports: [{number: 9000, name: tcp}]\n";
  const auto load = [&](const std::string& resolution) {
    return loadEntries(entryYaml(body + resolution), "svc");
  };
  for (const auto& [resolution, line] :
       {std::pair{std::string(""), std::string("test.yaml:5:3")},
        std::pair{std::string("  resolution: NONE\n"), std::string("test.yaml:7:15")}}) {
    const LoadResult none = load(resolution);
    ASSERT_TRUE(none.ok()) << ::testing::PrintToString(toStrings(none.errors));
    EXPECT_EQ(none.table->clusters.at(0).resolution, EndpointResolution::kNone);
    EXPECT_TRUE(none.table->clusters.at(0).endpoints.empty());
    EXPECT_EQ(toStrings(none.warnings),
              (Strings{line + ": spec.resolution: resolution NONE: Weir, like an Istio gateway, "
                              "has no original destination to forward to, so connections routed "
                              "to these hosts are closed (upstream_cx_none_healthy)"}));
  }

  const LoadResult round_robin = load("  resolution: DNS_ROUND_ROBIN\n");
  ASSERT_TRUE(round_robin.ok()) << ::testing::PrintToString(toStrings(round_robin.errors));
  const UpstreamCluster& cluster = onlyCluster(round_robin);
  EXPECT_EQ(cluster.resolution, EndpointResolution::kDnsRoundRobin);
  ASSERT_EQ(cluster.endpoints.size(), 1u);
  EXPECT_EQ(cluster.endpoints[0].address, "svc");  // the host as written, as for DNS
  EXPECT_TRUE(round_robin.warnings.empty());

  EXPECT_EQ(toStrings(load("  resolution: dns\n").errors),
            (Strings{"test.yaml:7:15: spec.resolution: unsupported resolution type dns"}));
}

TEST(ServiceEntryTest, DynamicDnsNeedsWildcardHostsAndWebProtocols) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: ["*.example.com"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DYNAMIC_DNS
)"));
  const LoadResult result = loadEntries(entry, "\"*.example.com\"");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(onlyCluster(result).resolution, EndpointResolution::kDynamicDns);
  EXPECT_TRUE(onlyCluster(result).endpoints.empty());

  const std::string wrong = entryYaml(yaml(R"(
  hosts: [a.example.com]
  addresses: [10.0.0.1]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: DYNAMIC_DNS
  endpoints: [{address: 10.0.0.1}]
)"));
  EXPECT_EQ(toStrings(loadEntries(wrong, "a.example.com").errors),
            (Strings{"test.yaml:5:10: spec.hosts: host must be wildcarded for resolution mode "
                     "DYNAMIC_DNS",
                     "test.yaml:6:14: spec.addresses: addresses cannot be set for resolution type "
                     "DYNAMIC_DNS. HTTP route domains will only be generatedfrom the hosts field "
                     "values",
                     "test.yaml:7:10: spec.ports: only HTTP, TLS, GRPC, and HTTP2 protocols are "
                     "supported for resolution type DYNAMIC_DNS",
                     "test.yaml:9:14: spec.endpoints: endpoints cannot be set for resolution type "
                     "DYNAMIC_DNS. Destination IP address determined from hostsfield values"}));
}

TEST(ServiceEntryTest, ResolutionDecidesWhatEndpointsMayBe) {
  const std::string none = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: NONE
  endpoints: [{address: 10.0.0.1}]
)"));
  EXPECT_EQ(toStrings(loadEntries(none, "svc").errors),
            (Strings{"test.yaml:8:14: spec.endpoints: no endpoints should be provided for "
                     "resolution type none (CRD: NONE mode cannot set endpoints)"}));

  const std::string round_robin = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: DNS_ROUND_ROBIN
  endpoints: [{address: a.example.com}, {address: b.example.com}]
)"));
  EXPECT_EQ(toStrings(loadEntries(round_robin, "svc").errors),
            (Strings{"test.yaml:8:14: spec.endpoints: there must only be 0 or 1 endpoint for "
                     "resolution mode DNS_ROUND_ROBIN (CRD: DNS_ROUND_ROBIN mode cannot have "
                     "multiple endpoints)"}));

  // A DNS endpoint is an IP address or a host name, never a socket, and needs an
  // address even with a network.
  const std::string dns = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: DNS
  endpoints:
  - {address: "unix:///tmp/socket"}
  - {network: remote}
)"));
  EXPECT_EQ(toStrings(loadEntries(dns, "svc").errors),
            (Strings{"test.yaml:9:15: spec.endpoints[0].address: endpoint address "
                     "\"unix:///tmp/socket\" is not a valid FQDN or an IP address",
                     "test.yaml:10:5: spec.endpoints[1].address: endpoint address \"\" is not a "
                     "valid FQDN or an IP address"}));
}

// Istio lets a STATIC endpoint stand for another network's gateway: a network and
// no address. It warns, and the endpoint is skipped.
TEST(ServiceEntryTest, AStaticEndpointWithANetworkAndNoAddressIsSkipped) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints:
  - {network: remote}
  - {address: 10.0.0.1}
)"));
  const LoadResult result = loadEntries(entry, "svc");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(onlyCluster(result).endpoints.size(), 1u);
  EXPECT_EQ(onlyCluster(result).endpoints[0].address, "10.0.0.1");
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:9:5: spec.endpoints[0]: address is unset with network \"remote\"; "
                     "the entry stands for that network's gateway and is skipped",
                     "test.yaml:9:6: spec.endpoints[0].network: field \"network\" is not "
                     "supported by Weir yet; ignored"}));
}

TEST(ServiceEntryTest, AnEntryWithoutEndpointsIsAWarning) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
)"));
  const LoadResult result = loadEntries(entry, "svc");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(onlyCluster(result).endpoints.empty());
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:17:27: spec.tcp[0].route[0].destination.host: ServiceEntry "
                     "default/svc has no endpoints; connections routed there are closed"}));
}

// Ports are optional in Istio: an entry may only name hosts. Istio builds no cluster
// for it, so what is routed there is closed (no cluster: NC); Weir warns.
TEST(ServiceEntryTest, AnEntryWithoutPortsServesNoDestination) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
)"));
  EXPECT_TRUE(loadFromText({{"base.yaml", kGatewayYaml}, {"test.yaml", entry}}).errors.empty());
  const LoadResult result = loadEntries(entry, "svc", ", port: {number: 9000}");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(result.table->clusters.empty());
  EXPECT_EQ(result.table->routes.at(0).destinations.at(0).missing.name,
            "outbound|9000||svc.default.svc.cluster.local");
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:17:27: spec.tcp[0].route[0].destination.host: ServiceEntry "
                     "default/svc has no ports (Istio builds no cluster for it), so connections "
                     "picked for this destination are closed (no cluster: flag NC)"}));
}

TEST(ServiceEntryTest, AddressesAreCheckedAsIstioDoes) {
  const std::string entry = entryYaml(yaml(R"(
  hosts: [svc]
  addresses: [10.0.0.0/8, 1.1.A.1, 10.0.0.1/33]
  ports: [{number: 9000, name: tcp}]
  resolution: DNS
)"));
  EXPECT_EQ(toStrings(loadEntries(entry, "svc").errors),
            (Strings{"test.yaml:6:14: spec.addresses: CIDR addresses are allowed only for "
                     "NONE/STATIC resolution types",
                     "test.yaml:6:27: spec.addresses[1]: 1.1.A.1 is not a valid IP",
                     "test.yaml:6:36: spec.addresses[2]: 10.0.0.1/33 is not a valid CIDR block"}));
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
  - {number: 9200, name: adm_n, protocol: FOO}
  resolution: STATIC
  endpoints:
  - {address: 10.0.0.1, ports: {nope: 9001}}
)"));
  EXPECT_EQ(toStrings(loadEntries(entry, "svc", ", port: {number: 9000}").errors),
            (Strings{"test.yaml:8:14: spec.ports[1].number: service entry port 9000 already "
                     "defined (CRD: port number cannot be duplicated)",
                     "test.yaml:9:26: spec.ports[2].name: service entry port name \"tcp\" already "
                     "defined (CRD: Duplicate value)",
                     "test.yaml:10:26: spec.ports[3].name: invalid port name: adm_n",
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
            "test.yaml:5:3: spec.hosts: service entry must have at least one host (CRD: "
            "spec.hosts: Required value)");
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
            "test.yaml:5:11: spec.hosts[0]: invalid host * (CRD: hostname cannot be wildcard)");
  EXPECT_EQ(toStrings(loadEntries(entryYaml("  hosts: [a, b]\n  ports: [{number: 9000, name: "
                                            "tcp}]\n  resolution: STATIC\n"),
                                  "a")
                          .errors)
                .front(),
            "test.yaml:5:10: spec.hosts: multiple hosts provided with non-HTTP, non-TLS ports");
}

TEST(ServiceEntryTest, TwoEntriesForAHostMergeTheirEndpoints) {
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
  // As Istio's gateway: the first entry's service, with the endpoints of both
  // (shared_service_hosts_test.cc has the details).
  const LoadResult result = loadEntries(first + "---\n" + second, "svc");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const UpstreamCluster& cluster = onlyCluster(result);
  ASSERT_EQ(cluster.endpoints.size(), 2u);
  EXPECT_EQ(cluster.endpoints[0].address, "10.0.0.1");
  EXPECT_EQ(cluster.endpoints[1].address, "10.0.0.2");
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:14:11: spec.hosts[0]: host \"svc.default.svc.cluster.local\" is "
                     "already defined by ServiceEntry default/svc, whose service "
                     "Istio's gateway uses (the first one defined); as Istio merges the entries "
                     "of one namespace, this one adds its endpoints, matched to a port by name"}));
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
