// Two TLS passthrough servers on one port, in two Gateways with different hosts:
// Istio merges them into one listener told apart by SNI, and so does weir (one
// socket; each server keeps its own VirtualServices). Real TLS clients and
// servers (openssl) show which upstream each SNI name reached.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "tests/support/istio_config.h"
#include "tests/support/ready_weir.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_server.h"

namespace weir::test {
namespace {

constexpr uint16_t kPort = 9443;

// Gateway `shop` serves shop.example.com and Gateway `pay` serves *.pay.example.com,
// both on 9443; each has a VirtualService sending its names to its own backend.
istio::Config mergedConfig(uint16_t shop_port, uint16_t pay_port) {
  istio::Config config;
  for (const auto& [name, host] : {std::pair<std::string, std::string>{"shop", "shop.example.com"},
                                   {"pay", "*.pay.example.com"}}) {
    config.add(istio::Gateway(name).server(
        istio::Server(kPort, "tls-" + name, "TLS").hosts({host}).tlsPassthrough()));
    config.add(istio::VirtualService(name).hosts({host}).gateways({name}).tls(
        istio::Rule().match(istio::Match().sniHosts({host})).to({"backend", name, kPort})));
  }
  config.add(istio::DestinationRule("backend", "backend")
                 .subset(istio::Subset("shop", {{"app", "shop"}}))
                 .subset(istio::Subset("pay", {{"app", "pay"}})));
  config.add(istio::ServiceEntry("backend")
                 .hosts({"backend"})
                 .port(kPort, "tls", "TLS")
                 .resolution("STATIC")
                 .endpoint(istio::Endpoint::local(shop_port, "tls").label("app", "shop"))
                 .endpoint(istio::Endpoint::local(pay_port, "tls").label("app", "pay")));
  return config;
}

TEST(MergedTlsServers, TwoGatewaysOnOnePortServeTheirOwnSniNames) {
  TempDir dir;
  TlsServer shop(dir, "shop-backend");
  TlsServer pay(dir, "pay-backend");
  const std::filesystem::path config = mergedConfig(shop.port, pay.port).writeFileIn(dir);
  ReadyWeir weir(dir, {config}, {.concurrency = 2, .ephemeral_gateway_ports = {kPort}});

  // One port for both servers (the ready file lists each).
  ASSERT_EQ(weir.ready().listeners.size(), 2u);
  EXPECT_EQ(weir.ready().listeners[0].port, weir.ready().listeners[1].port);
  const uint16_t port = weir.port(kPort);
  EXPECT_EQ(peerCertificateThrough(dir, port, "shop.example.com"), "CN = shop-backend");
  EXPECT_EQ(peerCertificateThrough(dir, port, "eu.pay.example.com"), "CN = pay-backend");
  EXPECT_EQ(peerCertificateThrough(dir, port, "us.pay.example.com"), "CN = pay-backend");
  EXPECT_EQ(peerCertificateThrough(dir, port, "shop.example.com"), "CN = shop-backend");
  // A name neither server has: no rule, closed.
  EXPECT_NE(peerCertificateThrough(dir, port, "other.example.com").find("(no certificate)"),
            std::string::npos);

  // One listener's counters (the first server's stat prefix) for the shared socket.
  EXPECT_EQ(weir.stat("tcp.shop_9443.tls_inspector.sni_found"), 5u);
  EXPECT_EQ(weir.stat("tcp.shop_9443.downstream_cx_no_route"), 1u);
  EXPECT_FALSE(weir.stat("tcp.pay_9443.downstream_cx_total").has_value());
  EXPECT_EQ(weir.stat("cluster.outbound|9443|pay|backend.default.svc.cluster.local."
                      "upstream_cx_total"),
            2u);
}

}  // namespace
}  // namespace weir::test
