// Several objects for one host, with the real binaries, as Istio's gateway serves
// them: two DestinationRules for a host are merged, so the subsets of both take
// their shares; two ServiceEntries of one namespace for a host share their
// endpoints, and one of another namespace serves nothing for it.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenario.h"
#include "tests/support/ready_weir.h"
#include "tests/support/split_statistics.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

constexpr uint16_t kPort = 9000;
constexpr size_t kConnections = 1000;
const std::string kListenerStats = "tcp.gw_9000.";

std::filesystem::path writeConfig(const TempDir& dir, const std::string& yaml) {
  const std::filesystem::path path = dir.freshSubdir("config") / "istio.yaml";
  replaceFile(path, yaml);
  return path;
}

// Gateway gw on 9000, and a VirtualService sending 80 % to subset v1 and 20 % to
// v2 of host echo.
const std::string kGatewayAndRoute = R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  servers:
  - port: {number: 9000, name: tcp, protocol: TCP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - {destination: {host: echo, subset: v1}, weight: 80}
    - {destination: {host: echo, subset: v2}, weight: 20}
---
)";

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
  const std::string config = kGatewayAndRoute + R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo-v1}
spec:
  host: echo
  subsets: [{name: v1, labels: {version: v1}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo-v2}
spec:
  host: echo
  subsets: [{name: v2, labels: {version: v2}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  endpoints:
  - {address: 127.0.0.1, ports: {tcp: )" + std::to_string(one.port()) +
                             R"(}, labels: {version: v1}}
  - {address: 127.0.0.1, ports: {tcp: )" + std::to_string(two.port()) +
                             R"(}, labels: {version: v2}}
)";
  ReadyWeir weir(dir, {writeConfig(dir, config)},
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
    return R"(apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: )" + name + ", namespace: " + ns + R"(}
spec:
  hosts: [echo.default.svc.cluster.local]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  endpoints:
  - {address: 127.0.0.1, ports: {tcp: )" + std::to_string(port) + "}, labels: {version: " +
           version + "}}\n";
  };
  const std::string config = kGatewayAndRoute + R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo}
spec:
  host: echo
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
)" + entry("echo-v1", "default", one.port(), "v1") + "---\n" +
                             entry("echo-v2", "default", two.port(), "v2") + "---\n" +
                             entry("echo-elsewhere", "other", three.port(), "v2");
  ReadyWeir weir(dir, {writeConfig(dir, config)},
                 {.concurrency = 1, .seed = 15, .ephemeral_gateway_ports = {kPort}});
  expectEightyTwenty(dir, weir);
}

}  // namespace
}  // namespace weir::test
