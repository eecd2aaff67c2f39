// TLS passthrough routing by SNI with the real binaries: a Gateway server with
// protocol TLS and tls.mode PASSTHROUGH, VirtualService tls rules with sniHosts.
// weir peeks the ClientHello, picks the rule by the server name, and forwards the
// client's bytes untouched: the upstream does the handshake.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_config.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "tests/support/tls_server.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9443;

// Rule 0: a.example.com -> subset a; rule 1: any other *.example.com -> subset b.
std::filesystem::path writeTlsConfig(const TempDir& dir, uint16_t port_a, uint16_t port_b) {
  istio::Config config;
  config.add(istio::Gateway("gw").server(
      istio::Server(kPort, "tls", "TLS").hosts({"*.example.com"}).tlsPassthrough()));
  config.add(istio::VirtualService("vs")
                 .hosts({"*.example.com"})
                 .gateways({"gw"})
                 .tls(istio::Rule()
                          .match(istio::Match().sniHosts({"a.example.com"}))
                          .to({"backend", "a", kPort}))
                 .tls(istio::Rule()
                          .match(istio::Match().sniHosts({"*.example.com"}))
                          .to({"backend", "b", kPort})));
  config.add(istio::DestinationRule("dr", "backend")
                 .subset(istio::Subset::byVersion("a"))
                 .subset(istio::Subset::byVersion("b")));
  config.add(istio::ServiceEntry("backend")
                 .hosts({"backend"})
                 .port(kPort, "tls", "TLS")
                 .resolution("STATIC")
                 .endpoint(istio::Endpoint::local(port_a, "tls").version("a"))
                 .endpoint(istio::Endpoint::local(port_b, "tls").version("b")));
  return config.writeFileIn(dir);
}

TEST(TlsPassthrough, RealTlsClientsReachTheServerTheirSniNames) {
  TempDir dir;
  TlsServer server_a(dir, "server-a");
  TlsServer server_b(dir, "server-b");
  ReadyWeir weir(dir, {writeTlsConfig(dir, server_a.port, server_b.port)},
                 {.concurrency = 2, .ephemeral_gateway_ports = {kPort}});
  EXPECT_EQ(peerCertificateThrough(dir, weir.port(kPort), "a.example.com"), "CN = server-a");
  EXPECT_EQ(peerCertificateThrough(dir, weir.port(kPort), "b.example.com"), "CN = server-b");
  EXPECT_EQ(peerCertificateThrough(dir, weir.port(kPort), "A.Example.COM"), "CN = server-a")
      << "SNI matching is case-insensitive";
  EXPECT_EQ(peerCertificateThrough(dir, weir.port(kPort), "deep.sub.example.com"),
            "CN = server-b");
}

std::string corpusFile(const std::string& name) {
  std::ifstream in(std::filesystem::path(kSourceDir) / "tests/fuzz/corpus/tls_client_hello" / name,
                   std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(TlsPassthrough, HelloSplitIntoSingleBytesIsRoutedAndForwardedUntouched) {
  TempDir dir;
  auto raw = EchoServer::raw(dir);  // subset a: echoes every byte back
  EchoServer other(dir, "other");
  ReadyWeir weir(dir, {writeTlsConfig(dir, raw->port(), other.port())},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  const std::string hello = corpusFile("tls13_sni_a.example.com.bin");
  ASSERT_GT(hello.size(), 100u);
  auto client = TcpConnection::connect(weir.port(kPort), seconds(5));
  ASSERT_TRUE(client.has_value());
  for (char byte : hello) {
    ASSERT_EQ(client->sendAll(std::string_view(&byte, 1), seconds(5)), IoStatus::kOk);
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_TRUE(client->shutdownWrite());
  TcpConnection::ReadResult echoed = client->readUntilEof(seconds(10));
  EXPECT_EQ(echoed.end, IoStatus::kEof);
  EXPECT_TRUE(echoed.data == hello) << "the upstream must get the hello byte for byte ("
                                    << echoed.data.size() << " of " << hello.size() << " bytes)";
  EXPECT_EQ(weir.stat("tcp.gw_9443.tls_inspector.sni_found"), 1u);
}

TEST(TlsPassthrough, ClientThatNeverSendsAHelloIsClosedAfterTheTimeout) {
  TempDir dir;
  EchoServer a(dir, "a");
  EchoServer b(dir, "b");
  ReadyWeir weir(dir, {writeTlsConfig(dir, a.port(), b.port())},
                 {.concurrency = 1,
                  .ephemeral_gateway_ports = {kPort},
                  .extra_args = {"--listener-filter-timeout", "500ms"}});
  auto client = TcpConnection::connect(weir.port(kPort), seconds(5));
  ASSERT_TRUE(client.has_value());
  TcpConnection::ReadResult end = client->readUntilEof(seconds(10));
  EXPECT_NE(end.end, IoStatus::kTimeout);
  EXPECT_GE(end.elapsed, milliseconds(400));
  EXPECT_LT(end.elapsed, seconds(3));
  EXPECT_EQ(weir.stat("tcp.gw_9443.downstream_pre_cx_timeout"), 1u);
}

TEST(TlsPassthrough, GarbageAndHellosWithoutSniFindNoRuleAndAreCounted) {
  TempDir dir;
  EchoServer a(dir, "a");
  EchoServer b(dir, "b");
  ReadyWeir weir(dir, {writeTlsConfig(dir, a.port(), b.port())},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  // Every rule names SNI hosts (Istio requires it), so neither can be routed.
  for (const std::string& bytes : {std::string("GET / HTTP/1.0\r\n\r\n"), corpusFile("tls13_no_sni.bin")}) {
    auto client = TcpConnection::connect(weir.port(kPort), seconds(5));
    ASSERT_TRUE(client.has_value());
    ASSERT_EQ(client->sendAll(bytes, seconds(5)), IoStatus::kOk);
    TcpConnection::ReadResult end = client->readUntilEof(seconds(5));
    EXPECT_NE(end.end, IoStatus::kTimeout);
    EXPECT_TRUE(end.data.empty());
  }
  EXPECT_EQ(weir.stat("tcp.gw_9443.tls_inspector.tls_not_found"), 1u);
  EXPECT_EQ(weir.stat("tcp.gw_9443.tls_inspector.sni_not_found"), 1u);
  EXPECT_EQ(weir.stat("tcp.gw_9443.downstream_cx_no_route"), 2u);
}

}  // namespace
}  // namespace weir::test
