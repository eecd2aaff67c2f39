// TLS passthrough servers on one port and bind, in one Gateway or several: Istio
// merges them into one listener told apart by SNI (pilot/pkg/model/gateway.go), and
// so does Weir; a later server that repeats a host is dropped, as Istio drops it.
// Other servers on one port stay an error.
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

std::string routeFor(const LoadResult& result, std::string_view sni) {
  std::vector<size_t> listeners(result.table->listeners.size());
  for (size_t i = 0; i < listeners.size(); ++i) listeners[i] = i;
  ConnectionFacts facts{443, ""};
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

TEST(MergedTlsServersTest, TcpServersOnOnePortStayAnError) {
  const LoadResult tcp = load(gateway("a", "[\"*\"]", 9000, "TCP") + "---\n" +
                              gateway("b", "[\"*\"]", 9000, "TCP"));
  EXPECT_EQ(toStrings(tcp.errors),
            (Strings{"test.yaml:14:20: spec.servers[0].port.number: port 9000 is already used by "
                     "server \"a-port\" of gateway default/a"}));
  const LoadResult mixed = load(gateway("a", "[a.example.com]", 9000) + "---\n" +
                                gateway("b", "[\"*\"]", 9000, "TCP"));
  EXPECT_EQ(toStrings(mixed.errors),
            (Strings{"test.yaml:15:20: spec.servers[0].port.number: port 9000 is already used by "
                     "server \"a-port\" of gateway default/a"}));
}

TEST(MergedTlsServersTest, OnlyTheSameBindMerges) {
  const LoadResult overlap = load(gateway("a", "[a.example.com]", 443, "TLS", "127.0.0.1") +
                                  "---\n" + gateway("b", "[b.example.com]"));
  EXPECT_EQ(toStrings(overlap.errors),
            (Strings{"test.yaml:16:20: spec.servers[0].port.number: port 443 is already used by "
                     "server \"a-port\" of gateway default/a"}));
  const LoadResult apart = load(gateway("a", "[a.example.com]", 443, "TLS", "127.0.0.1") +
                                "---\n" +
                                gateway("b", "[a.example.com]", 443, "TLS", "127.0.0.2"));
  ASSERT_TRUE(apart.ok()) << ::testing::PrintToString(toStrings(apart.errors));
  EXPECT_EQ(apart.table->listeners[1].stat_prefix, "b_443");  // its own socket
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
