// Unix domain sockets in the configuration: Gateway `bind: unix://…` listeners and
// `unix://…` endpoints of ServiceEntries and WorkloadEntries, checked with Istio's
// rules and words (validateServerBind, validateWorkloadEntry).
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/unix_address.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::kBaseYaml;
using fixture::kGatewayYaml;
using fixture::kVirtualServiceYaml;
using fixture::loadOne;
using fixture::toStrings;
using fixture::yaml;
using Strings = std::vector<std::string>;

// A Gateway "uds" whose one server is `server` (indented as a list item), in
// test.yaml next to the base configuration; `spec:` is line 5, the server line 7.
LoadResult loadServer(const std::string& server) {
  return fixture::loadWithBase(kVirtualServiceYaml + "---\n" + yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: uds}
spec:
  servers:
)") + server);
}

TEST(UnixAddressTest, IstiosRulesForWhatFollowsTheScheme) {
  EXPECT_EQ(unixAddressError("/run/db.sock"), std::nullopt);
  EXPECT_EQ(unixAddressError("@abstract"), std::nullopt);
  EXPECT_EQ(unixAddressError("@"), std::nullopt);
  EXPECT_EQ(unixAddressError(""), "unix address must not be empty");
  EXPECT_EQ(unixAddressError("run/db.sock"), "run/db.sock is not an absolute path to a file");
  EXPECT_EQ(unixAddressError("/run/"), "/run/ is not an absolute path to a file");
  EXPECT_TRUE(isUnixAddress("unix:///x"));
  EXPECT_FALSE(isUnixAddress("127.0.0.1"));
  EXPECT_EQ(unixSocketPath("unix://@name"), "@name");
  EXPECT_EQ(unixSocketPath("10.0.0.1"), "");
}

TEST(UnixSocketGatewayTest, AUnixBindIsAListenerWithoutPort) {
  const std::string vs = yaml(R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: uds-route}
spec:
  hosts: ["*"]
  gateways: [uds]
  tcp:
  - route: [{destination: {host: echo, subset: v1}}]
)");
  const LoadResult result = loadServer(yaml(R"(
  - port: {number: 0, name: db, protocol: TCP}
    hosts: ["*"]
    bind: unix:///run/weir/db.sock
  - port: {name: abstract, protocol: TCP}
    hosts: ["*"]
    bind: unix://@weir-edge
)") + vs);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->listeners.size(), 3u);
  const Listener& path = result.table->listeners[1];
  EXPECT_EQ(path.gateway, "default/uds");
  EXPECT_EQ(path.bind_address, "unix:///run/weir/db.sock");
  EXPECT_EQ(path.port, 0);
  EXPECT_EQ(path.stat_prefix, "uds_run_weir_db_sock");
  EXPECT_EQ(path.candidate_routes.size(), 1u);
  const Listener& abstract = result.table->listeners[2];
  EXPECT_EQ(abstract.bind_address, "unix://@weir-edge");
  EXPECT_EQ(abstract.stat_prefix, "uds_weir-edge");
  EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(toStrings(result.warnings));
}

TEST(UnixSocketGatewayTest, PortNumberMustBeZero) {
  const LoadResult result = loadServer(yaml(R"(
  - port: {number: 9100, name: db, protocol: TCP}
    hosts: ["*"]
    bind: unix:///run/db.sock
)"));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:26:20: spec.servers[0].port.number: port number must be 0 for "
                     "unix domain socket"}));
}

TEST(UnixSocketGatewayTest, PortZeroWithoutAUnixBindIsStillOutOfRange) {
  const LoadResult result = loadServer(yaml(R"(
  - port: {number: 0, name: db, protocol: TCP}
    hosts: ["*"]
)"));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:26:20: spec.servers[0].port.number: port number 0 must be in "
                     "the range 1..65535"}));
}

TEST(UnixSocketGatewayTest, BadSocketPathsUseIstiosWords) {
  const LoadResult result = loadServer(yaml(R"(
  - port: {number: 0, name: a, protocol: TCP}
    hosts: ["*"]
    bind: "unix://"
  - port: {number: 0, name: b, protocol: TCP}
    hosts: ["*"]
    bind: unix://run/db.sock
  - port: {number: 0, name: c, protocol: TCP}
    hosts: ["*"]
    bind: unix:///run/
)"));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:28:11: spec.servers[0].bind: unix address must not be empty",
                     "test.yaml:31:11: spec.servers[1].bind: run/db.sock is not an absolute path "
                     "to a file",
                     "test.yaml:34:11: spec.servers[2].bind: /run/ is not an absolute path to a "
                     "file"}));
}

// One socket, one plain server: Istio keeps the first ("conflict with existing
// server"); TCP ports do not clash with a socket.
TEST(UnixSocketGatewayTest, OneSocketOneServerButTcpPortsDoNotClashWithIt) {
  const LoadResult clash = loadServer(yaml(R"(
  - port: {number: 0, name: a, protocol: TCP}
    hosts: ["*"]
    bind: unix:///run/db.sock
  - port: {number: 0, name: b, protocol: TCP}
    hosts: ["*"]
    bind: unix:///run/db.sock
)"));
  ASSERT_TRUE(clash.ok()) << ::testing::PrintToString(toStrings(clash.errors));
  ASSERT_EQ(clash.table->listeners.size(), 2u);  // gw's, and uds's first server
  EXPECT_EQ(clash.table->listeners[1].server_name, "a");
  const Strings warnings = toStrings(clash.warnings);
  const std::string skipped =
      "test.yaml:29:5: spec.servers[1]: skipping server on gateway default/uds port b.0.TCP: "
      "conflict with existing server 0.TCP (server \"a\" of gateway default/uds, which keeps "
      "the port)";
  EXPECT_NE(std::find(warnings.begin(), warnings.end(), skipped), warnings.end())
      << ::testing::PrintToString(warnings);

  const LoadResult beside_tcp = loadServer(yaml(R"(
  - port: {number: 0, name: a, protocol: TCP}
    hosts: ["*"]
    bind: unix:///run/db.sock
  - port: {number: 9100, name: b, protocol: TCP}
    hosts: ["*"]
)"));
  EXPECT_TRUE(beside_tcp.ok()) << ::testing::PrintToString(toStrings(beside_tcp.errors));
}

// test.yaml: kGatewayYaml, a route to echo, and a ServiceEntry echo with `spec`
// (from line 27 on).
LoadResult loadEntry(const std::string& spec, const std::string& more = "") {
  const std::string route = yaml(R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route: [{destination: {host: echo}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
)");
  return loadOne(kGatewayYaml + route + yaml(spec) + more);
}


TEST(UnixSocketEndpointTest, StaticEndpointsMayBeSocketsWithoutPorts) {
  const LoadResult result = loadEntry(R"(
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  endpoints:
  - address: unix:///run/echo.sock
    weight: 3
  - address: unix://@echo
  - address: 127.0.0.1
    ports: {tcp: 9001}
)");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const UpstreamCluster& cluster = result.table->clusters.at(0);
  ASSERT_EQ(cluster.endpoints.size(), 3u);
  EXPECT_EQ(cluster.endpoints[0].address, "unix:///run/echo.sock");
  EXPECT_EQ(cluster.endpoints[0].port, 0);  // a socket has no port
  EXPECT_EQ(cluster.endpoints[0].weight, 3u);
  EXPECT_EQ(cluster.endpoints[1].address, "unix://@echo");
  EXPECT_EQ(cluster.endpoints[2].port, 9001);
}

TEST(UnixSocketEndpointTest, IstiosChecksAndWords) {
  const LoadResult result = loadEntry(R"(
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}, {number: 9001, name: other, protocol: TCP}]
  resolution: STATIC
  endpoints:
  - address: unix:///run/echo.sock
  - address: unix:///run/echo.sock
    ports: {tcp: 9000}
  - address: unix://run/echo.sock
)");
  // (The route names no port: it takes the server's, 9000, as in Istio.)
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:31:14: spec.endpoints[0].address: exactly 1 service port "
                     "required for unix endpoints",
                     "test.yaml:33:12: spec.endpoints[1].ports: unix endpoint "
                     "unix:///run/echo.sock must not include ports (CRD: UDS may not include ports)",
                     "test.yaml:34:14: spec.endpoints[2].address: run/echo.sock is not an "
                     "absolute path to a file (CRD: UDS must be an absolute path or abstract "
                     "socket)"}));
}

TEST(UnixSocketEndpointTest, ADnsEntryTakesNoSockets) {
  const LoadResult result = loadEntry(R"(
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: DNS
  endpoints:
  - address: unix:///run/echo.sock
)");
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:31:14: spec.endpoints[0].address: endpoint address "
                     "\"unix:///run/echo.sock\" is not a valid FQDN or an IP address"}));
}

TEST(UnixSocketEndpointTest, AStaticEntrySelectsSocketWorkloadEntries) {
  const LoadResult result = loadEntry(R"(
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  workloadSelector:
    labels: {app: echo}
)",
                                      yaml(R"(
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: echo-uds}
spec:
  address: unix:///run/echo.sock
  labels: {app: echo}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: echo-uds-with-port}
spec:
  address: unix:///run/other.sock
  ports: {tcp: 9000}
  labels: {app: other}
)"));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:45:10: spec.ports: unix endpoint unix:///run/other.sock must not "
                     "include ports (CRD: UDS may not include ports)"}));

  const LoadResult ok = loadEntry(R"(
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  workloadSelector:
    labels: {app: echo}
)",
                                  yaml(R"(
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: echo-uds}
spec:
  address: unix:///run/echo.sock
  labels: {app: echo}
)"));
  ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(toStrings(ok.errors));
  ASSERT_EQ(ok.table->clusters.at(0).endpoints.size(), 1u);
  EXPECT_EQ(ok.table->clusters.at(0).endpoints[0].address, "unix:///run/echo.sock");
  EXPECT_EQ(ok.table->clusters.at(0).endpoints[0].port, 0);
  EXPECT_TRUE(ok.warnings.empty()) << ::testing::PrintToString(toStrings(ok.warnings));
}

}  // namespace
}  // namespace weir::config
