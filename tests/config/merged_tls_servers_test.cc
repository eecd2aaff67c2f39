// Servers on one port and bind, in one Gateway or several, kept or dropped as
// Istio's mergeGateways (pilot/pkg/model/gateway.go) does: TLS passthrough servers
// share one listener told apart by SNI, and a later one that repeats a host is
// dropped; after a plain TCP server every later server is dropped; a TCP server
// after TLS ones shares their listener and takes what their SNI rules do not.
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

// A Gateway `name` with one server on `port` for `hosts`, `protocol` TLS
// (passthrough) unless told otherwise.
std::string gateway(const std::string& name, const std::string& hosts, int port = 443,
                    const std::string& protocol = "TLS", const std::string& bind = "") {
  std::string text = "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: " +
                     name + "}\nspec:\n  servers:\n  - port: {number: " + std::to_string(port) +
                     ", name: " + name + "-port, protocol: " + protocol + "}\n    hosts: " +
                     hosts + "\n";
  if (protocol != "TCP") text += "    tls: {mode: PASSTHROUGH}\n";
  if (!bind.empty()) text += "    bind: " + bind + "\n";
  return text;
}

// A VirtualService on `gateway_name` for `host`, sending SNI `host` to echo `subset`.
std::string route(const std::string& gateway_name, const std::string& host,
                  const std::string& subset) {
  return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " +
         gateway_name + "-route}\nspec:\n  hosts: [\"" + host + "\"]\n  gateways: [" +
         gateway_name + "]\n  tls:\n  - match: [{sniHosts: [\"" + host +
         "\"]}]\n    route: [{destination: {host: echo, subset: " + subset + "}}]\n";
}

LoadResult load(const std::string& gateways, const std::string& routes = "") {
  return loadFromText({{"services.yaml", kDestinationRuleYaml + "---\n" + kServiceEntryYaml},
                       {"test.yaml", gateways},
                       {"routes.yaml", routes}});
}

// A VirtualService on `gateway_name` sending every connection (tcp rule) to echo `subset`.
std::string tcpRoute(const std::string& gateway_name, const std::string& subset) {
  return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " +
         gateway_name + "-route}\nspec:\n  hosts: [\"*\"]\n  gateways: [" + gateway_name +
         "]\n  tcp:\n  - route: [{destination: {host: echo, subset: " + subset + "}}]\n";
}

std::string routeFor(const LoadResult& result, std::string_view sni, uint16_t port = 443) {
  std::vector<size_t> listeners(result.table->listeners.size());
  for (size_t i = 0; i < listeners.size(); ++i) listeners[i] = i;
  ConnectionFacts facts{port, ""};
  facts.sni = sni;
  const TcpRoute* found = findRoute(*result.table, listeners, facts);
  return found != nullptr ? found->name : "(none)";
}

TEST(MergedTlsServersTest, TwoGatewaysWithDifferentHostsShareThePort) {
  const LoadResult result =
      load(gateway("a", "[a.example.com]") + "---\n" + gateway("b", "[\"*.b.example.com\"]"),
           route("a", "a.example.com", "v1") + "---\n" + route("b", "*.b.example.com", "v2"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->listeners.size(), 2u);
  const Listener& a = result.table->listeners[0];
  const Listener& b = result.table->listeners[1];
  EXPECT_EQ(a.gateway, "default/a");
  EXPECT_EQ(b.gateway, "default/b");
  EXPECT_EQ(a.bind_address, b.bind_address);
  EXPECT_EQ(a.port, b.port);
  EXPECT_EQ(b.hosts, Strings{"*.b.example.com"});
  // One socket, one set of listener counters: the first server's.
  EXPECT_EQ(a.stat_prefix, "a_443");
  EXPECT_EQ(b.stat_prefix, "a_443");
  // Each server keeps the rules of its own gateway.
  EXPECT_EQ(a.candidate_routes, std::vector<size_t>{0});
  EXPECT_EQ(b.candidate_routes, std::vector<size_t>{1});
  EXPECT_EQ(routeFor(result, "a.example.com"), "default/a-route/tls[0]");
  EXPECT_EQ(routeFor(result, "x.b.example.com"), "default/b-route/tls[0]");
  EXPECT_EQ(routeFor(result, "c.example.com"), "(none)");
  EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(toStrings(result.warnings));
}

TEST(MergedTlsServersTest, TwoServersOfOneGatewayMergeToo) {
  const LoadResult result = load(yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: a}
spec:
  servers:
  - port: {number: 443, name: first, protocol: TLS}
    hosts: [a.example.com]
    tls: {mode: PASSTHROUGH}
  - port: {number: 443, name: second, protocol: HTTPS}
    hosts: [c.example.com]
    tls: {}
)"));
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(result.table->listeners.size(), 2u);
}

TEST(MergedTlsServersTest, ARepeatedHostDropsTheLaterServerAsIstioDoes) {
  // Istio compares hosts after turning "*/host" into "host": these two repeat it.
  const LoadResult result = load(gateway("a", "[a.example.com, z.example.com]") + "---\n" +
                                 gateway("b", "[\"*/a.example.com\", b.example.com]"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->listeners.size(), 1u);
  EXPECT_EQ(result.table->listeners[0].gateway, "default/a");
  const Strings warnings = toStrings(result.warnings);
  EXPECT_NE(std::find(warnings.begin(), warnings.end(),
                      "test.yaml:15:5: spec.servers[0]: skipping server on gateway default/b, "
                      "duplicate host names: [a.example.com]"),
            warnings.end())
      << ::testing::PrintToString(warnings);
}

TEST(MergedTlsServersTest, ANamespacedHostIsNotTheSameHost) {
  const LoadResult result =
      load(gateway("a", "[a.example.com]") + "---\n" + gateway("b", "[default/a.example.com]"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(result.table->listeners.size(), 2u);
}

TEST(MergedTlsServersTest, HostsOfEveryMergedServerCount) {
  const LoadResult result = load(gateway("a", "[a.example.com]") + "---\n" +
                                 gateway("b", "[b.example.com]") + "---\n" +
                                 gateway("c", "[c.example.com, b.example.com]"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->listeners.size(), 2u);
  EXPECT_EQ(result.table->listeners[1].gateway, "default/b");
}

// After a plain server, Istio skips every later server on its port and bind, a TLS
// one included ("conflict with existing server").
TEST(MergedTlsServersTest, ServersAfterATcpOneOnItsPortAndBindAreSkipped) {
  const LoadResult result = load(gateway("a", "[\"*\"]", 9000, "TCP") + "---\n" +
                                 gateway("b", "[\"*\"]", 9000, "TCP") + "---\n" +
                                 gateway("c", "[c.example.com]", 9000));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->listeners.size(), 1u);
  EXPECT_EQ(result.table->listeners[0].gateway, "default/a");
  const Strings warnings = toStrings(result.warnings);
  for (const std::string expected :
       {"test.yaml:14:5: spec.servers[0]: skipping server on gateway default/b port "
        "b-port.9000.TCP: conflict with existing server 9000.TCP (server \"a-port\" of "
        "gateway default/a, which keeps the port)",
        "test.yaml:22:5: spec.servers[0]: skipping server on gateway default/c port "
        "c-port.9000.TLS: conflict with existing server 9000.TCP (server \"a-port\" of "
        "gateway default/a, which keeps the port)"}) {
    EXPECT_NE(std::find(warnings.begin(), warnings.end(), expected), warnings.end())
        << expected << "\n" << ::testing::PrintToString(warnings);
  }
}

// A TCP server after TLS ones on their port and bind: Istio keeps it in the same
// listener, as a filter chain without server_names, which Envoy picks only for a
// connection whose SNI no other chain names (or that has none).
TEST(MergedTlsServersTest, ATcpServerAfterTlsOnesTakesWhatTheirRulesDoNot) {
  const LoadResult result =
      load(gateway("a", "[\"*.example.com\"]", 9000) + "---\n" +
               gateway("b", "[\"*\"]", 9000, "TCP"),
           route("a", "a.example.com", "v1") + "---\n" + tcpRoute("b", "v2"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->listeners.size(), 2u);
  EXPECT_EQ(result.table->listeners[1].stat_prefix, "a_9000");  // one socket
  EXPECT_EQ(routeFor(result, "a.example.com", 9000), "default/a-route/tls[0]");
  EXPECT_EQ(routeFor(result, "b.example.com", 9000), "default/b-route/tcp[0]");
  EXPECT_EQ(routeFor(result, "", 9000), "default/b-route/tcp[0]");
  EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(toStrings(result.warnings));
}

// Different binds are different listeners, even when one is the wildcard address.
TEST(MergedTlsServersTest, OnlyTheSameBindMerges) {
  const LoadResult overlap = load(gateway("a", "[a.example.com]", 443, "TLS", "127.0.0.1") +
                                  "---\n" + gateway("b", "[b.example.com]"));
  ASSERT_TRUE(overlap.ok()) << ::testing::PrintToString(toStrings(overlap.errors));
  ASSERT_EQ(overlap.table->listeners.size(), 2u);
  EXPECT_EQ(overlap.table->listeners[1].bind_address, "0.0.0.0");
  EXPECT_EQ(overlap.table->listeners[1].stat_prefix, "b_443");  // its own socket
  const LoadResult apart = load(gateway("a", "[a.example.com]", 443, "TLS", "127.0.0.1") +
                                "---\n" +
                                gateway("b", "[a.example.com]", 443, "TLS", "127.0.0.2"));
  ASSERT_TRUE(apart.ok()) << ::testing::PrintToString(toStrings(apart.errors));
  EXPECT_EQ(apart.table->listeners[1].stat_prefix, "b_443");  // its own socket
}

// Istio's gateway merge looks at every server, served by Weir or not: a TCP
// server after an HTTP one on its port and bind is skipped; after a TLS server
// Weir does not serve (it would terminate TLS) it shares the socket.
TEST(MergedTlsServersTest, ServersWeirDoesNotServeStillTakeTheirPort) {
  const LoadResult result = loadFromText({{"test.yaml", yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*"]
  - port: {number: 8080, name: tcp, protocol: TCP}
    hosts: ["*"]
  - port: {number: 8443, name: https, protocol: HTTPS}
    hosts: ["*"]
    tls: {mode: SIMPLE, credentialName: cert}
  - port: {number: 8443, name: tcp-after-tls, protocol: TCP}
    hosts: ["*"]
)")}});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->listeners.size(), 1u);
  EXPECT_EQ(result.table->listeners[0].server_name, "tcp-after-tls");
  const Strings warnings = toStrings(result.warnings);
  const std::string skipped =
      "test.yaml:8:5: spec.servers[1]: skipping server on gateway default/gw port "
      "tcp.8080.TCP: conflict with existing server 8080.HTTP (server \"http\" of gateway "
      "default/gw, which keeps the port)";
  EXPECT_NE(std::find(warnings.begin(), warnings.end(), skipped), warnings.end())
      << ::testing::PrintToString(warnings);
}

TEST(MergedTlsServersTest, UnixSocketTlsServersMergeLikeTcpOnes) {
  const LoadResult result =
      load(gateway("a", "[a.example.com]", 0, "TLS", "unix:///run/tls.sock") + "---\n" +
           gateway("b", "[b.example.com]", 0, "TLS", "unix:///run/tls.sock"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  ASSERT_EQ(result.table->listeners.size(), 2u);
  EXPECT_EQ(result.table->listeners[1].stat_prefix, "a_run_tls_sock");
}

}  // namespace
}  // namespace weir::config
