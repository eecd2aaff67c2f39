// Gateway servers on one port, with the real binaries, as Istio's gateway merge
// (mergeGateways) leaves them: after a TCP server the later ones on its port and
// bind are skipped; a TCP server after a TLS passthrough one shares its listener
// and takes what no SNI rule does; different binds are different listeners.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/echo_server.h"
#include "tests/support/istio_config.h"
#include "tests/support/line_exchange.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_server.h"

namespace weir::test {
namespace {

using std::chrono::seconds;

// VirtualService `name` on `gateway_name`: a tcp rule, or with `sni` a tls rule for
// that name, to backend subset `subset`.
istio::VirtualService route(const std::string& name, const std::string& gateway_name,
                            const std::string& subset, const std::string& sni = "") {
  istio::VirtualService service = istio::VirtualService(name).gateways({gateway_name});
  if (sni.empty()) return service.tcp(istio::Rule().to({"backend", subset}));
  return service.tls(istio::Rule().match(istio::Match().sniHosts({sni})).to({"backend", subset}));
}

// Host `backend`: subset a on 127.0.0.1:port_a, b on 127.0.0.1:port_b.
void addBackend(istio::Config& config, uint16_t port_a, uint16_t port_b) {
  config.add(istio::DestinationRule("backend", "backend")
                 .subset(istio::Subset("a", {{"subset", "a"}}))
                 .subset(istio::Subset("b", {{"subset", "b"}})));
  config.add(istio::ServiceEntry("backend")
                 .hosts({"backend"})
                 .port(9000, "tcp", "")
                 .resolution("STATIC")
                 .endpoint(istio::Endpoint::local(port_a).label("subset", "a"))
                 .endpoint(istio::Endpoint::local(port_b).label("subset", "b")));
}

// Istio keeps the first of two TCP servers on one port and bind: every connection
// goes by the first one's rules, the second's never apply.
TEST(SharedPorts, TheFirstTcpServerOnAPortKeepsIt) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  istio::Config config;
  config.add(istio::Gateway("first").server(istio::Server(9000, "first")));
  config.add(istio::Gateway("second").server(istio::Server(9000, "second")));
  config.add(route("to-one", "first", "a"));
  config.add(route("to-two", "second", "b"));
  addBackend(config, one.port(), two.port());
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 2, .ephemeral_gateway_ports = {9000}});
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
  istio::Config config;
  config.add(istio::Gateway("tls").server(
      istio::Server(9443, "tls", "TLS").hosts({"*.example.com"}).tlsPassthrough()));
  config.add(istio::Gateway("plain").server(istio::Server(9443, "plain")));
  config.add(route("by-sni", "tls", "a", "a.example.com"));
  config.add(route("plain", "plain", "b"));
  addBackend(config, tls_backend.port, one.port());
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 2, .ephemeral_gateway_ports = {9443}});
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
  istio::Config config;
  config.add(istio::Gateway("plain").server(istio::Server(9443, "plain").bind("127.0.0.3")));
  config.add(istio::Gateway("tls").server(
      istio::Server(9443, "tls", "TLS").hosts({"*.example.com"}).tlsPassthrough()));
  config.add(route("by-sni", "tls", "a", "a.example.com"));
  config.add(route("plain", "plain", "b"));
  addBackend(config, tls_backend.port, one.port());
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 2, .ephemeral_gateway_ports = {9443}});
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
  istio::Config config;
  config.add(istio::Gateway("specific").server(istio::Server(9000, "specific").bind("127.0.0.2")));
  config.add(istio::Gateway("wildcard").server(istio::Server(9000, "wildcard")));
  config.add(route("to-two", "specific", "b"));
  config.add(route("to-one", "wildcard", "a"));
  addBackend(config, one.port(), two.port());
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
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
