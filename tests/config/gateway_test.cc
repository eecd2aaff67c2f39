// Gateway servers -> listeners, and the checks on them.
#include <gtest/gtest.h>

#include <algorithm>

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

// kVirtualServiceYaml is 19 lines and "---" one more, so the gateway starts at
// line 21 and its `spec:` is at line 26.

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

TEST(GatewayTest, ProtocolsMustBeIstiosAndTlsOnesNeedSettings) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9101, name: b, protocol: TLS}
    hosts: ["*"]
  - port: {number: 9102, name: c, protocol: SCTP}
    hosts: ["*"]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:28:5: spec.servers[0].tls: server must have TLS settings for "
                     "HTTPS/TLS protocols",
                     "test.yaml:30:45: spec.servers[1].port.protocol: invalid protocol \"SCTP\", "
                     "supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, "
                     "TCP"}));
}

// Istio's gateway proxies TCP, MONGO, MYSQL and REDIS servers as opaque TCP, and so
// does Weir; HTTP (and UDP) servers are valid Istio that Weir does not serve: they
// load with a warning and get no listener.
TEST(GatewayTest, OpaqueTcpProtocolsAreServedAndHttpOnesWarned) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9100, name: a, protocol: HTTP}
    hosts: ["*"]
  - port: {number: 9101, name: b, protocol: mongo}
    hosts: ["*"]
  - port: {number: 9102, name: c, protocol: GRPC}
    hosts: ["*"]
  - port: {number: 9103, name: d, protocol: MySQL}
    hosts: ["*"]
  - port: {number: 9104, name: e, protocol: UDP}
    hosts: ["*"]
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->listeners.size(), 3u);
  EXPECT_EQ(result.table->listeners[1].port, 9101);
  EXPECT_EQ(result.table->listeners[1].protocol, "MONGO");
  EXPECT_FALSE(result.table->listeners[1].tls_passthrough);
  EXPECT_EQ(result.table->listeners[2].port, 9103);
  const Strings warnings = toStrings(result.warnings);
  for (const std::string warning :
       {"test.yaml:28:45: spec.servers[0].port.protocol: protocol HTTP: Weir serves only TCP "
        "(also MONGO, MYSQL, REDIS) and TLS passthrough servers; this server is not served",
        "test.yaml:32:45: spec.servers[2].port.protocol: protocol GRPC: Weir serves only TCP "
        "(also MONGO, MYSQL, REDIS) and TLS passthrough servers; this server is not served",
        "test.yaml:36:45: spec.servers[4].port.protocol: protocol UDP: Weir serves only TCP "
        "(also MONGO, MYSQL, REDIS) and TLS passthrough servers; this server is not served"}) {
    EXPECT_NE(std::find(warnings.begin(), warnings.end(), warning), warnings.end()) << warning;
  }
}

// A Gateway whose servers are all ones Weir does not serve is valid Istio: it loads,
// and Weir says it has nothing to serve.
TEST(GatewayTest, NothingToServeIsAWarning) {
  const LoadResult result = loadFromText({{"test.yaml", gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*"]
)"))}});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(result.table->listeners.empty());
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:1:1: (config): no server in the configuration is one Weir "
                     "serves (TCP, or TLS in mode PASSTHROUGH): Weir has nothing to serve",
                     "test.yaml:8:48: spec.servers[0].port.protocol: protocol HTTP: Weir serves "
                     "only TCP (also MONGO, MYSQL, REDIS) and TLS passthrough servers; this "
                     "server is not served"}));
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
                     "test.yaml:34:11: spec.servers[3].port.number: port number 0 must be in the "
                     "range 1..65535"}));
}

// Absent port fields are proto3's zero values and get Istio's messages for them.
TEST(GatewayTest, PortFieldsUseIstiosWording) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {}
    hosts: ["*"]
  - hosts: ["*"]
  - port: {number: 9100, name: t, protocol: TCP, targetPort: 9200}
    hosts: ["*"]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:28:11: spec.servers[0].port.protocol: invalid protocol \"\", "
                     "supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, "
                     "TCP",
                     "test.yaml:28:11: spec.servers[0].port.number: port number 0 must be in the "
                     "range 1..65535",
                     "test.yaml:28:11: spec.servers[0].port.name: port name must be set",
                     "test.yaml:30:5: spec.servers[1].port: port is required",
                     "test.yaml:31:62: spec.servers[2].port.targetPort: targetPort has no impact "
                     "on Gateways"}));
}

TEST(GatewayTest, RequiresServers) {
  EXPECT_EQ(toStrings(loadGateway(gatewayYaml("spec:\n  selector: {}\n")).errors),
            (Strings{"test.yaml:27:3: spec.servers: gateway must have at least one server"}));
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
                     "test.yaml:32:11: spec.servers[2].port.name: port name must be set"}));
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
            (Strings{"test.yaml:28:5: spec.servers[0].hosts: server config must contain at "
                     "least one host",
                     "test.yaml:30:12: spec.servers[1].hosts: server config must contain at "
                     "least one host"}));
}

TEST(GatewayTest, ServerHostsAreNamespaceSlashHost) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9100, name: a, protocol: TCP}
    hosts: ["*", "*/*", "./echo.example.com", "edge/*.example.com", "1.1.1.1", "Big.Example.com"]
  - port: {number: 9101, name: b, protocol: TCP}
    hosts: ["/x.com", "edge/", "~/a.example.com", "bad_ns/a.example.com"]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:31:13: spec.servers[1].hosts[0]: config namespace and dnsName in "
                     "host entry cannot be empty",
                     "test.yaml:31:13: spec.servers[1].hosts[0]: invalid namespace value \"\" in "
                     "gateway",
                     "test.yaml:31:23: spec.servers[1].hosts[1]: config namespace and dnsName in "
                     "host entry cannot be empty",
                     "test.yaml:31:23: spec.servers[1].hosts[1]: short names (non FQDN) are not "
                     "allowed",
                     "test.yaml:31:23: spec.servers[1].hosts[1]: empty domain name not allowed",
                     "test.yaml:31:32: spec.servers[1].hosts[2]: invalid namespace value \"~\" in "
                     "gateway",
                     "test.yaml:31:51: spec.servers[1].hosts[3]: invalid namespace value "
                     "\"bad_ns\" in gateway"}));
}

// Istio's rules for the host part: a dot (no short names), wildcards only as a whole
// first label, or an IP address.
TEST(GatewayTest, ServerHostsFollowIstiosGatewayRules) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9100, name: a, protocol: TCP}
    hosts: ["echo", "*foo.example.com", "foo.*.com", "::1", "ns/echo"]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:29:13: spec.servers[0].hosts[0]: short names (non FQDN) are not "
                     "allowed",
                     "test.yaml:29:21: spec.servers[0].hosts[1]: partial wildcard "
                     "\"*foo.example.com\" not allowed",
                     "test.yaml:29:41: spec.servers[0].hosts[2]: domain name \"*.com\" invalid "
                     "(label \"*\" invalid)",
                     "test.yaml:29:41: spec.servers[0].hosts[2]: partial wildcard \"foo.*.com\" "
                     "not allowed",
                     "test.yaml:29:54: spec.servers[0].hosts[3]: short names (non FQDN) are not "
                     "allowed",
                     "test.yaml:29:61: spec.servers[0].hosts[4]: short names (non FQDN) are not "
                     "allowed"}));
}

// Istio's validateServerPort checks the port number unless the server is bound to
// a unix:// address with port 0. (What the unix:// bind itself must be is checked
// with the bind.)
TEST(GatewayTest, PortZeroIsForUnixSocketBinds) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 0, name: a, protocol: TCP}
    hosts: ["*"]
    bind: unix:///tmp/weir-test.sock
  - port: {number: 0, name: b, protocol: TCP}
    hosts: ["*"]
    bind: 127.0.0.1
)")));
  const Strings errors = toStrings(result.errors);
  EXPECT_EQ(std::count_if(errors.begin(), errors.end(),
                          [](const std::string& error) {
                            return error.find("port number") != std::string::npos;
                          }),
            1)
      << ::testing::PrintToString(errors);
  EXPECT_NE(std::find(errors.begin(), errors.end(),
                      "test.yaml:31:20: spec.servers[1].port.number: port number 0 must be in "
                      "the range 1..65535"),
            errors.end())
      << ::testing::PrintToString(errors);
}

TEST(GatewayTest, NameIsADnsLabel) {
  const LoadResult result = loadGateway(yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: front.door
spec:
  servers:
  - port: {number: 9100, name: a, protocol: TCP}
    hosts: ["*"]
)"));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:24:9: metadata.name: invalid gateway name: \"front.door\""}));
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
            (Strings{"test.yaml:30:11: spec.servers[0].bind: localhost is not a valid IP"}));
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

// Istio accepts two plain servers on one port and bind and keeps the first
// (mergeGateways: "conflict with existing server"); so does Weir, across gateways.
TEST(GatewayTest, ALaterServerOnTheSamePortAndBindIsSkipped) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9000, name: again, protocol: TCP}
    hosts: ["*"]
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:28:5: spec.servers[0]: skipping server on gateway edge/front port "
                     "again.9000.TCP: conflict with existing server 9000.TCP (server \"tcp\" of "
                     "gateway default/gw, which keeps the port)"}));
  ASSERT_EQ(result.table->listeners.size(), 1u);
  EXPECT_EQ(result.table->listeners[0].gateway, "default/gw");
}

// Different binds are different listeners, as in Istio, a wildcard one included:
// the kernel gives a connection to the most specific address.
TEST(GatewayTest, SamePortOnDistinctAddressesIsFine) {
  const LoadResult ok = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9200, name: a, protocol: TCP}
    hosts: ["*"]
    bind: 127.0.0.1
  - port: {number: 9200, name: b, protocol: TCP}
    hosts: ["*"]
    bind: 127.0.0.2
  - port: {number: 9200, name: c, protocol: TCP}
    hosts: ["*"]
)")));
  ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(toStrings(ok.errors));
  ASSERT_EQ(ok.table->listeners.size(), 4u);
  EXPECT_EQ(ok.table->listeners[1].bind_address, "127.0.0.1");
  EXPECT_EQ(ok.table->listeners[2].bind_address, "127.0.0.2");
  EXPECT_EQ(ok.table->listeners[3].bind_address, "0.0.0.0");
  // An absent bind is 0.0.0.0: a server written with it shares that socket.
  const LoadResult same = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9200, name: a, protocol: TCP}
    hosts: ["*"]
  - port: {number: 9200, name: b, protocol: TCP}
    hosts: ["*"]
    bind: 0.0.0.0
)")));
  ASSERT_TRUE(same.ok()) << ::testing::PrintToString(toStrings(same.errors));
  EXPECT_EQ(same.table->listeners.size(), 2u);
}

TEST(GatewayTest, WarnsAboutFieldsNotImplementedYetAndRejectsUnknownOnes) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9100, name: a, protocol: TCP}
    hosts: ["*"]
    defaultEndpoint: 127.0.0.1:9100
    hostz: ["*"]
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:31:5: spec.servers[0].hostz: unknown field \"hostz\"; did you "
                     "mean \"hosts\"?"}));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:28:20: spec.servers[0].port.number: no VirtualService routes "
                     "connections on this server; they will be closed",
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

// Istio accepts TLS servers in every mode; Weir serves PASSTHROUGH only. A server
// in another mode is checked as Istio checks it and, when valid, loads with a
// warning and no listener.
TEST(GatewayTest, OnlyPassthroughIsServedOtherModesAreWarned) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9443, name: a, protocol: TLS}
    hosts: ["*"]
    tls: {mode: SIMPLE, credentialName: cert}
  - port: {number: 9444, name: b, protocol: TLS}
    hosts: ["*"]
    tls: {mode: ISTIO_MUTUAL}
  - port: {number: 9445, name: c, protocol: HTTPS}
    hosts: ["*"]
    tls: {mode: AUTO_PASSTHROUGH}
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(result.table->listeners.size(), 1u);  // default/gw's
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:30:17: spec.servers[0].tls.mode: tls mode SIMPLE terminates TLS, "
                     "which Weir does not do (it serves TLS servers in mode PASSTHROUGH); this "
                     "server is not served",
                     "test.yaml:33:17: spec.servers[1].tls.mode: tls mode ISTIO_MUTUAL terminates "
                     "TLS, which Weir does not do (it serves TLS servers in mode PASSTHROUGH); "
                     "this server is not served",
                     "test.yaml:36:17: spec.servers[2].tls.mode: tls mode AUTO_PASSTHROUGH routes "
                     "by Istio's outbound_ SNI names to mesh services, which Weir does not have; "
                     "this server is not served"}));
}

TEST(GatewayTest, TlsModeMustBeIstiosAndTlsServersNeedSettings) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9445, name: c, protocol: TLS}
    hosts: ["*"]
    tls: {mode: passthrough}
  - port: {number: 9446, name: d, protocol: TLS}
    hosts: ["*"]
    tls:
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:30:17: spec.servers[0].tls.mode: invalid tls mode \"passthrough\", "
                     "supported modes are PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, "
                     "ISTIO_MUTUAL, OPTIONAL_MUTUAL",
                     "test.yaml:33:5: spec.servers[1].tls: server must have TLS settings for "
                     "HTTPS/TLS protocols"}));
}

// Istio's validateTLSOptions, whatever the mode: what each mode requires and forbids.
TEST(GatewayTest, TlsSettingsAreCheckedAsIstioChecksThem) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9443, name: a, protocol: TLS}
    hosts: ["*"]
    tls: {mode: SIMPLE, privateKey: key.pem}
  - port: {number: 9444, name: b, protocol: TLS}
    hosts: ["*"]
    tls: {mode: MUTUAL, serverCertificate: c.pem, privateKey: k.pem, credentialName: cred}
  - port: {number: 9445, name: c, protocol: TLS}
    hosts: ["*"]
    tls: {mode: ISTIO_MUTUAL, caCertificates: ca.pem}
  - port: {number: 9446, name: d, protocol: TLS}
    hosts: ["*"]
    tls: {mode: MUTUAL, tlsCertificates: [{serverCertificate: c.pem}]}
  - port: {number: 9447, name: e, protocol: TLS}
    hosts: ["*"]
    tls: {mode: SIMPLE, caCrl: crl.pem, serverCertificate: c.pem, privateKey: k.pem}
  - port: {number: 9448, name: f, protocol: HTTP}
    hosts: ["*"]
    tls: {mode: PASSTHROUGH, privateKey: k.pem}
)")));
  EXPECT_EQ(toStrings(result.errors),
            (Strings{"test.yaml:30:10: spec.servers[0].tls: SIMPLE TLS requires a server "
                     "certificate",
                     "test.yaml:33:10: spec.servers[1].tls: only one of credential_name, "
                     "credential_names, server_certificate/private_key, tls_certificates should "
                     "be specified",
                     "test.yaml:36:10: spec.servers[2].tls: ISTIO_MUTUAL TLS cannot have "
                     "associated CA bundle",
                     "test.yaml:39:10: spec.servers[3].tls: MUTUAL TLS requires a client CA bundle",
                     "test.yaml:39:10: spec.servers[3].tls: MUTUAL TLS requires a private key",
                     "test.yaml:42:10: spec.servers[4].tls: CRL is not supported with SIMPLE TLS",
                     "test.yaml:45:10: spec.servers[5].tls: server cannot have TLS settings for "
                     "plain text HTTP ports"}));
}

TEST(GatewayTest, TlsWarningsFollowIstio) {
  const LoadResult result = loadGateway(gatewayYaml(yaml(R"(
spec:
  servers:
  - port: {number: 9443, name: a, protocol: TLS}
    hosts: ["*"]
    tls:
      mode: SIMPLE
      credentialName: cert
      minProtocolVersion: TLSV1_1
  - port: {number: 9444, name: b, protocol: TLS}
    hosts: ["*"]
    tls:
      mode: SIMPLE
      credentialName: cert
      cipherSuites: [ECDHE-RSA-AES128-SHA, nope, ECDHE-RSA-AES128-SHA, -AES128-SHA]
)")));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  const Strings warnings = toStrings(result.warnings);
  for (const std::string warning :
       {"test.yaml:33:27: spec.servers[0].tls.minProtocolVersion: TLS version below TLSV1_2 "
        "require setting compatible ciphers as by default they no longer include compatible "
        "ciphers.",
        "test.yaml:39:21: spec.servers[1].tls.cipherSuites: ignoring invalid cipher suites: [nope]",
        "test.yaml:39:21: spec.servers[1].tls.cipherSuites: ignoring duplicate cipher suites: "
        "[ECDHE-RSA-AES128-SHA]"}) {
    EXPECT_NE(std::find(warnings.begin(), warnings.end(), warning), warnings.end()) << warning;
  }
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
