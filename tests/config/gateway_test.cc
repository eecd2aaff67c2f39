// Gateway servers -> listeners, and the checks on them.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::kVirtualServiceYaml;
using fixture::loadWithBase;
using fixture::toStrings;
using fixture::yaml;
using Strings = std::vector<std::string>;

// A Gateway "front" in namespace "edge"; `spec` starts at line 6.
std::string gatewayYaml(const std::string& spec) {
  return yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: front
  namespace: edge
)") + spec;
}

// The base configuration (gateway default/gw on 9000 with a route) plus `text`.
LoadResult loadGateway(const std::string& text) {
  return loadWithBase(kVirtualServiceYaml + "---\n" + text);
}

// kVirtualServiceYaml is 19 lines and "---" one more, so the gateway starts at 21
// and its `spec:` is at line 26.
constexpr int kFirstLine = 21;

TEST(GatewayTest, EachServerIsAListener) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  selector:
    istio: ingressgateway
  servers:
  - port:
      number: 9100
      name: first
      protocol: TCP
    hosts:
    - "*"
    bind: 127.0.0.1
    name: first-server
  - port:
      number: 9101
      name: second
      protocol: tcp
    hosts:
    - edge/*.example.com
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const RouteTable& table = *result.table;
  ASSERT_EQ(table.listeners.size(), 3u);
  EXPECT_EQ(table.listeners[0].gateway, "default/gw");

  const Listener& first = table.listeners[1];
  EXPECT_EQ(first.gateway, "edge/front");
  EXPECT_EQ(first.server_name, "first");
  EXPECT_EQ(first.bind_address, "127.0.0.1");
  EXPECT_EQ(first.port, 9100);
  EXPECT_EQ(first.protocol, "TCP");
  EXPECT_EQ(first.stat_prefix, "front_9100");
  EXPECT_TRUE(first.candidate_routes.empty());

  const Listener& second = table.listeners[2];
  EXPECT_EQ(second.bind_address, "0.0.0.0");
  EXPECT_EQ(second.port, 9101);
  EXPECT_EQ(second.protocol, "TCP");
  EXPECT_EQ(second.stat_prefix, "front_9101");

  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:31:15: spec.servers[0].port.number: no VirtualService routes "
                     "connections on this server; they will be closed",
                     "test.yaml:39:15: spec.servers[1].port.number: no VirtualService routes "
                     "connections on this server; they will be closed"}));
}

TEST(GatewayTest, OnlyTcpAndTlsPassthroughAreServed) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9100, name: a, protocol: HTTP}
    hosts: ["*"]
  - port: {number: 9101, name: b, protocol: TLS}
    hosts: ["*"]
  - port: {number: 9102, name: c, protocol: SCTP}
    hosts: ["*"]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:28:45: spec.servers[0].port.protocol: protocol HTTP is not "
                     "supported by Weir yet",
                     "test.yaml:30:5: spec.servers[1].tls: server must have TLS settings for "
                     "HTTPS/TLS protocols",
                     "test.yaml:32:45: spec.servers[2].port.protocol: invalid protocol \"SCTP\", "
                     "supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, "
                     "TCP"}));
}

TEST(GatewayTest, PortNumbersMustBeValid) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 0, name: a, protocol: TCP}
    hosts: ["*"]
  - port: {number: 65536, name: b, protocol: TCP}
    hosts: ["*"]
  - port: {number: abc, name: c, protocol: TCP}
    hosts: ["*"]
  - port: {name: d, protocol: TCP}
    hosts: ["*"]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:28:20: spec.servers[0].port.number: port number 0 must be in "
                     "the range 1..65535",
                     "test.yaml:30:20: spec.servers[1].port.number: port number 65536 must be in "
                     "the range 1..65535",
                     "test.yaml:32:20: spec.servers[2].port.number: expected an integer, got "
                     "\"abc\"",
                     "test.yaml:34:11: spec.servers[3].port.number: missing required field "
                     "\"number\""}));
}

TEST(GatewayTest, RequiresServers) {
  EXPECT_EQ(toStrings(loadGateway(gatewayYaml("spec:\n  selector: {}\n")).errors),
            (Strings{"test.yaml:27:3: spec.servers: missing required field \"servers\""}));
  EXPECT_EQ(toStrings(loadGateway(gatewayYaml("spec:\n  servers: []\n")).errors),
            (Strings{"test.yaml:27:12: spec.servers: gateway must have at least one server"}));
}

TEST(GatewayTest, ServerPortNamesAreUniqueAndRequired) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9100, name: tcp, protocol: TCP}
    hosts: ["*"]
  - port: {number: 9101, name: tcp, protocol: TCP}
    hosts: ["*"]
  - port: {number: 9102, protocol: TCP}
    hosts: ["*"]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:30:32: spec.servers[1].port.name: port names in servers must be "
                     "unique: duplicate name tcp",
                     "test.yaml:32:11: spec.servers[2].port.name: missing required field "
                     "\"name\""}));
}

TEST(GatewayTest, ServersNeedHosts) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9100, name: a, protocol: TCP}
  - port: {number: 9101, name: b, protocol: TCP}
    hosts: []
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:28:5: spec.servers[0].hosts: missing required field \"hosts\"",
                     "test.yaml:30:12: spec.servers[1].hosts: server config must contain at "
                     "least one host"}));
}

TEST(GatewayTest, ServerHostsAreNamespaceSlashHost) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9100, name: a, protocol: TCP}
    hosts: ["*", "*/*", "./echo.example.com", "edge/*.example.com", "/x", "edge/", "Bad"]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:29:69: spec.servers[0].hosts[4]: invalid host \"/x\": expected "
                     "[namespace/]host",
                     "test.yaml:29:75: spec.servers[0].hosts[5]: invalid host \"edge/\": expected "
                     "[namespace/]host",
                     "test.yaml:29:84: spec.servers[0].hosts[6]: domain name \"Bad\" invalid "
                     "(label \"Bad\" invalid)"}));
}

TEST(GatewayTest, BindMustBeAnIpAddress) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9100, name: a, protocol: TCP}
    hosts: ["*"]
    bind: localhost
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:30:11: spec.servers[0].bind: bind address \"localhost\" is not a "
                     "valid IP address"}));
}

TEST(GatewayTest, TcpServersCannotHaveTls) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9100, name: a, protocol: TCP}
    hosts: ["*"]
    tls:
      mode: PASSTHROUGH
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:31:7: spec.servers[0].tls: server cannot have TLS settings for "
                     "non HTTPS/TLS ports"}));
}

TEST(GatewayTest, ListenerPortsAreUniqueAcrossGateways) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9000, name: again, protocol: TCP}
    hosts: ["*"]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:28:20: spec.servers[0].port.number: port 9000 is already used "
                     "by server \"tcp\" of gateway default/gw"}));
}

TEST(GatewayTest, SamePortOnDistinctAddressesIsFineButNotWithAWildcard) {
  const LoadResult ok = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9200, name: a, protocol: TCP}
    hosts: ["*"]
    bind: 127.0.0.1
  - port: {number: 9200, name: b, protocol: TCP}
    hosts: ["*"]
    bind: 127.0.0.2
)")));
  EXPECT_TRUE(ok.ok()) << ::testing::PrintToString(toStrings(ok.errors));

  const LoadResult clash = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9200, name: a, protocol: TCP}
    hosts: ["*"]
    bind: 127.0.0.1
  - port: {number: 9200, name: b, protocol: TCP}
    hosts: ["*"]
)")));
  EXPECT_EQ(toStrings(clash.errors),
            (Strings{"test.yaml:31:20: spec.servers[1].port.number: port 9200 is already used "
                     "by server \"a\" of gateway edge/front"}));
}

TEST(GatewayTest, WarnsAboutFieldsNotImplementedYetAndRejectsUnknownOnes) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9100, name: a, protocol: TCP, targetPort: 9100}
    hosts: ["*"]
    defaultEndpoint: 127.0.0.1:9100
    hostz: ["*"]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:31:5: spec.servers[0].hostz: unknown field \"hostz\""}));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:28:20: spec.servers[0].port.number: no VirtualService routes "
                     "connections on this server; they will be closed",
                     "test.yaml:28:50: spec.servers[0].port.targetPort: field \"targetPort\" is "
                     "not supported by Weir yet; ignored",
                     "test.yaml:30:5: spec.servers[0].defaultEndpoint: field \"defaultEndpoint\" "
                     "is not supported by Weir yet; ignored"}));
}

TEST(GatewayTest, TlsPassthroughServersAreTlsListeners) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9443, name: tls, protocol: TLS}
    hosts: ["*.example.com"]
    tls: {mode: PASSTHROUGH}
  - port: {number: 9444, name: https, protocol: HTTPS}
    hosts: ["*"]
    tls: {}
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->listeners.size(), 3u);
  EXPECT_FALSE(result.table->listeners[0].tls_passthrough);
  EXPECT_TRUE(result.table->listeners[1].tls_passthrough);
  EXPECT_EQ(result.table->listeners[1].protocol, "TLS");
  EXPECT_TRUE(result.table->listeners[2].tls_passthrough);  // mode defaults to PASSTHROUGH
  EXPECT_EQ(result.table->listeners[2].protocol, "HTTPS");
}

TEST(GatewayTest, OnlyPassthroughModeIsSupported) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9443, name: a, protocol: TLS}
    hosts: ["*"]
    tls: {mode: SIMPLE, credentialName: cert}
  - port: {number: 9444, name: b, protocol: TLS}
    hosts: ["*"]
    tls: {mode: ISTIO_MUTUAL}
  - port: {number: 9445, name: c, protocol: TLS}
    hosts: ["*"]
    tls: {mode: passthrough}
  - port: {number: 9446, name: d, protocol: TLS}
    hosts: ["*"]
    tls:
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:30:17: spec.servers[0].tls.mode: tls mode SIMPLE is not "
                     "supported: Weir only passes TLS through (mode PASSTHROUGH), it does not "
                     "terminate TLS",
                     "test.yaml:33:17: spec.servers[1].tls.mode: tls mode ISTIO_MUTUAL is not "
                     "supported: Weir only passes TLS through (mode PASSTHROUGH), it does not "
                     "terminate TLS",
                     "test.yaml:36:17: spec.servers[2].tls.mode: invalid tls mode \"passthrough\", "
                     "supported modes are PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, "
                     "ISTIO_MUTUAL, OPTIONAL_MUTUAL",
                     "test.yaml:39:5: spec.servers[3].tls: server must have TLS settings for "
                     "HTTPS/TLS protocols"}));
}

TEST(GatewayTest, PassthroughWarnsAboutSettingsItDoesNotUse) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9443, name: a, protocol: TLS}
    hosts: ["*"]
    tls:
      mode: PASSTHROUGH
      credentialName: cert
      minProtocolVersion: TLSV1_2
      httpsRedirect: true
      bogus: 1
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:35:7: spec.servers[0].tls.bogus: unknown field \"bogus\""}));
  const Strings warnings = toStrings(result.warnings);
  const Strings expected{
      "test.yaml:31:7: spec.servers[0].tls: PASSTHROUGH mode does not use certificates, they "
      "will be ignored",
      "test.yaml:33:27: spec.servers[0].tls.minProtocolVersion: field \"minProtocolVersion\" has "
      "no effect in PASSTHROUGH mode (TLS is not terminated); ignored",
      "test.yaml:34:22: spec.servers[0].tls.httpsRedirect: tls.httpsRedirect should only be used "
      "with http servers"};
  for (const std::string& warning : expected) {
    EXPECT_NE(std::find(warnings.begin(), warnings.end(), warning), warnings.end()) << warning;
  }
}

}  // namespace
}  // namespace weir::config
