// Several objects for one host, with the real binaries, as Istio's gateway serves
// them: two DestinationRules for a host are merged, so the subsets of both take
// their shares; two ServiceEntries of one namespace for a host share their
// endpoints, and one of another namespace serves nothing for it.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_config.h"
#include "tests/support/ready_weir.h"
#include "tests/support/split_statistics.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

constexpr uint16_t kPort = 9000;
constexpr size_t kConnections = 1000;
const std::string kListenerStats = "tcp.gw_9000.";

// Gateway gw on 9000, and a VirtualService sending 80 % to subset v1 and 20 % to
// v2 of host echo.
istio::Config gatewayAndRoute() {
  istio::Config config;
  config.add(istio::Gateway("gw").server(istio::Server(kPort)));
  config.add(istio::VirtualService("echo").gateways({"gw"}).tcp(
      istio::Rule().to({"echo", "v1"}, 80).to({"echo", "v2"}, 20)));
  return config;
}

// `kConnections` connections, 20 at a time: every one answered, "one" for ~80 %
// and "two" for ~20 % (the 99.9 % binomial interval), and nothing closed for lack
// of a cluster.
void expectEightyTwenty(const TempDir& dir, const ReadyWeir& weir) {
  EchoClientRun run =
      runEchoClient(dir, weir.port(kPort), {.connections = kConnections, .concurrency = 20});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->errors, 0u) << run.describe();
  EXPECT_EQ(run.tally->totalAnswers(), kConnections) << run.describe();
  const size_t half_width = binomialHalfWidth(kConnections, 0.2, kZ999);
  EXPECT_NEAR(static_cast<double>(run.tally->count("two")), 200.0, half_width) << run.describe();
  EXPECT_EQ(run.tally->count("one") + run.tally->count("two"), kConnections) << run.describe();
  EXPECT_EQ(weir.stat(kListenerStats + "downstream_cx_no_route"), 0u);
}

// Istio merges the DestinationRules of one namespace for one host: v1 comes from
// one rule, v2 from the other, and both take their share.
TEST(MergedObjects, SubsetsOfTwoDestinationRulesTakeTheirShares) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  istio::Config config = gatewayAndRoute();
  config.add(istio::DestinationRule("echo-v1", "echo").subset(istio::Subset::byVersion("v1")));
  config.add(istio::DestinationRule("echo-v2", "echo").subset(istio::Subset::byVersion("v2")));
  config.add(istio::ServiceEntry("echo")
                 .hosts({"echo"})
                 .port(kPort)
                 .resolution("STATIC")
                 .endpoint(istio::Endpoint::local(one.port()).version("v1"))
                 .endpoint(istio::Endpoint::local(two.port()).version("v2")));
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 1, .seed = 15, .ephemeral_gateway_ports = {kPort}});
  expectEightyTwenty(dir, weir);
}

// Two ServiceEntries of one namespace for host echo: the v1 endpoint in one, the
// v2 endpoint in the other, both serve. A third, in another namespace, is not
// used for the host: its endpoint (answering "three") never answers.
TEST(MergedObjects, ServiceEntriesOfOneNamespaceShareTheirEndpoints) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  EchoServer three(dir, "three");
  const auto entry = [](const std::string& name, const std::string& ns, uint16_t port,
                        const std::string& version) {
    return istio::ServiceEntry(name)
        .inNamespace(ns)
        .hosts({"echo.default.svc.cluster.local"})
        .port(kPort)
        .resolution("STATIC")
        .endpoint(istio::Endpoint::local(port).version(version));
  };
  istio::Config config = gatewayAndRoute();
  config.add(istio::DestinationRule("echo", "echo")
                 .subset(istio::Subset::byVersion("v1"))
                 .subset(istio::Subset::byVersion("v2")));
  config.add(entry("echo-v1", "default", one.port(), "v1"));
  config.add(entry("echo-v2", "default", two.port(), "v2"));
  config.add(entry("echo-elsewhere", "other", three.port(), "v2"));
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 1, .seed = 15, .ephemeral_gateway_ports = {kPort}});
  expectEightyTwenty(dir, weir);
}

}  // namespace
}  // namespace weir::test
