// Gateway servers on one port, with the real binaries, as Istio's gateway merge
// (mergeGateways) leaves them: after a TCP server the later ones on its port and
// bind are skipped; a TCP server after a TLS passthrough one shares its listener
// and takes what no SNI rule does; different binds are different listeners.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/echo_server.h"
#include "tests/support/istio_scenario.h"
#include "tests/support/line_exchange.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_server.h"

namespace weir::test {
namespace {

using std::chrono::seconds;

// Gateway `name` with one server; `extra` is written under it (hosts, bind, tls).
std::string gateway(const std::string& name, uint16_t port, const std::string& protocol,
                    const std::string& extra) {
  return "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: " + name +
         "}\nspec:\n  servers:\n  - port: {number: " + std::to_string(port) + ", name: " + name +
         ", protocol: " + protocol + "}\n" + extra + "---\n";
}

// VirtualService `name` on `gateway_name`: a tcp rule, or with `sni` a tls rule for
// that name, to backend subset `subset`.
std::string route(const std::string& name, const std::string& gateway_name,
                  const std::string& subset, const std::string& sni = "") {
  const std::string destination = "[{destination: {host: backend, subset: " + subset + "}}]";
  return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " + name +
         "}\nspec:\n  hosts: [\"*\"]\n  gateways: [" + gateway_name + "]\n" +
         (sni.empty() ? "  tcp:\n  - route: " + destination + "\n"
                      : "  tls:\n  - match: [{sniHosts: [" + sni + "]}]\n    route: " +
                            destination + "\n") +
         "---\n";
}

// Host `backend`: subset a on 127.0.0.1:port_a, b on 127.0.0.1:port_b.
std::string backend(uint16_t port_a, uint16_t port_b) {
  return R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: backend}
spec:
  host: backend
  subsets:
  - {name: a, labels: {subset: a}}
  - {name: b, labels: {subset: b}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: backend}
spec:
  hosts: [backend]
  ports: [{number: 9000, name: tcp}]
  resolution: STATIC
  endpoints:
  - {address: 127.0.0.1, ports: {tcp: )" +
         std::to_string(port_a) + R"(}, labels: {subset: a}}
  - {address: 127.0.0.1, ports: {tcp: )" +
         std::to_string(port_b) + R"(}, labels: {subset: b}}
)";
}

std::filesystem::path writeConfig(const TempDir& dir, const std::string& text) {
  const std::filesystem::path config = dir.freshSubdir("config") / "istio.yaml";
  replaceFile(config, text);
  return config;
}

// Istio keeps the first of two TCP servers on one port and bind: every connection
// goes by the first one's rules, the second's never apply.
TEST(SharedPorts, TheFirstTcpServerOnAPortKeepsIt) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const std::filesystem::path config = writeConfig(
      dir, gateway("first", 9000, "TCP", "    hosts: [\"*\"]\n") +
               gateway("second", 9000, "TCP", "    hosts: [\"*\"]\n") +
               route("to-one", "first", "a") + route("to-two", "second", "b") +
               backend(one.port(), two.port()));
  ReadyWeir weir(dir, {config}, {.concurrency = 2, .ephemeral_gateway_ports = {9000}});
  ASSERT_EQ(weir.ready().listeners.size(), 1u);
  EXPECT_EQ(weir.ready().listeners[0].gateway, "default/first");
  for (int i = 0; i < 20; ++i) {
    const LineExchange exchange = exchangeLine(weir.port(9000), "hello", seconds(5));
    EXPECT_EQ(exchange.data, "one hello\n") << "connection " << i << ": " << exchange.describe();
  }
}

// A TCP server after a TLS passthrough one on its port and bind: one listener,
// where a ClientHello naming the TLS rule's SNI goes by the TLS rule and anything
// else (here plain text) by the TCP server's rules.
TEST(SharedPorts, ATcpServerAfterATlsOneTakesWhatItsSniRulesDoNot) {
  TempDir dir;
  TlsServer tls_backend(dir, "tls-backend");
  EchoServer one(dir, "one");
  const std::filesystem::path config = writeConfig(
      dir, gateway("tls", 9443, "TLS",
                   "    hosts: [\"*.example.com\"]\n    tls: {mode: PASSTHROUGH}\n") +
               gateway("plain", 9443, "TCP", "    hosts: [\"*\"]\n") +
               route("by-sni", "tls", "a", "a.example.com") + route("plain", "plain", "b") +
               backend(tls_backend.port, one.port()));
  ReadyWeir weir(dir, {config}, {.concurrency = 2, .ephemeral_gateway_ports = {9443}});
  ASSERT_EQ(weir.ready().listeners.size(), 2u);
  EXPECT_EQ(weir.ready().listeners[0].port, weir.ready().listeners[1].port);
  const uint16_t port = weir.port(9443);

  EXPECT_EQ(peerCertificateThrough(dir, port, "a.example.com"), "CN = tls-backend");
  const LineExchange plain = exchangeLine(port, "hello", seconds(5));
  EXPECT_EQ(plain.data, "one hello\n") << plain.describe();
  // Both counted on the shared listener, under the first server's name.
  EXPECT_EQ(weir.stat("tcp.tls_9443.tls_inspector.sni_found"), 1u);
  EXPECT_EQ(weir.stat("tcp.tls_9443.tls_inspector.tls_not_found"), 1u);
  EXPECT_EQ(weir.stat("tcp.tls_9443.downstream_cx_no_route"), 0u);
}

// --bind puts every server on one address: servers of different binds on one port
// then share a socket, tried as merged servers are, TLS ones by SNI first, even
// when the TCP one comes first.
TEST(SharedPorts, WithBindServersOfDifferentBindsShareTheSocket) {
  TempDir dir;
  TlsServer tls_backend(dir, "tls-backend");
  EchoServer one(dir, "one");
  const std::filesystem::path config = writeConfig(
      dir, gateway("plain", 9443, "TCP", "    hosts: [\"*\"]\n    bind: 127.0.0.3\n") +
               gateway("tls", 9443, "TLS",
                       "    hosts: [\"*.example.com\"]\n    tls: {mode: PASSTHROUGH}\n") +
               route("by-sni", "tls", "a", "a.example.com") + route("plain", "plain", "b") +
               backend(tls_backend.port, one.port()));
  ReadyWeir weir(dir, {config}, {.concurrency = 2, .ephemeral_gateway_ports = {9443}});
  ASSERT_EQ(weir.ready().listeners.size(), 2u);
  const uint16_t port = weir.port(9443);
  EXPECT_EQ(peerCertificateThrough(dir, port, "a.example.com"), "CN = tls-backend");
  const LineExchange plain = exchangeLine(port, "hello", seconds(5));
  EXPECT_EQ(plain.data, "one hello\n") << plain.describe();
}

// Different binds are different listeners, a wildcard one included: the kernel
// gives a connection to the most specific address that listens.
TEST(SharedPorts, DifferentBindsOnOnePortAreDifferentListeners) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const std::filesystem::path config = writeConfig(
      dir, gateway("specific", 9000, "TCP", "    hosts: [\"*\"]\n    bind: 127.0.0.2\n") +
               gateway("wildcard", 9000, "TCP", "    hosts: [\"*\"]\n") +
               route("to-two", "specific", "b") + route("to-one", "wildcard", "a") +
               backend(one.port(), two.port()));
  ReadyWeir weir(dir, {config},
                 {.concurrency = 2, .ephemeral_gateway_ports = {9000}, .bind = ""});
  ASSERT_EQ(weir.ready().listeners.size(), 2u);
  const uint16_t port = weir.port(9000);
  EXPECT_EQ(weir.ready().listeners[1].port, port);

  for (const auto& [address, expected] :
       {std::pair<std::string, std::string>{"127.0.0.2", "two"}, {"127.0.0.1", "one"}}) {
    for (int i = 0; i < 10; ++i) {
      std::string error;
      std::optional<TcpConnection> connection =
          TcpConnection::connectWith({.destination = address}, port, seconds(5), &error);
      ASSERT_TRUE(connection.has_value()) << address << ": " << error;
      ASSERT_EQ(connection->sendAll("hello\n", seconds(5)), IoStatus::kOk);
      ASSERT_TRUE(connection->shutdownWrite());
      const TcpConnection::ReadResult answer = connection->readUntilEof(seconds(5));
      EXPECT_EQ(answer.data, expected + " hello\n") << address << " connection " << i;
    }
  }
}

}  // namespace
}  // namespace weir::test
