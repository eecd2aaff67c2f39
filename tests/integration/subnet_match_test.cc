// VirtualService match on addresses with the real binary: `sourceSubnet` (the
// client's address) and `destinationSubnets` (the address the client connected
// to), first matching rule wins. Clients and weir use several 127.x addresses;
// all traffic stays on loopback.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/echo_server.h"
#include "tests/support/istio_scenario.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::seconds;

constexpr uint16_t kPort = 9000;

std::string subnetConfig(uint16_t one, uint16_t two, uint16_t three) {
  std::ostringstream yaml;
  yaml << R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  servers:
  - port: {number: 9000, name: tcp, protocol: TCP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - match: [{sourceSubnet: 127.0.0.64/26}]
    route: [{destination: {host: echo, port: {number: 9000}, subset: two}}]
  - match: [{destinationSubnets: [127.0.0.2/32, "::1/128"], port: 9000}]
    route: [{destination: {host: echo, port: {number: 9000}, subset: three}}]
  - route: [{destination: {host: echo, port: {number: 9000}, subset: one}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: echo
  subsets:
  - {name: one, labels: {version: one}}
  - {name: two, labels: {version: two}}
  - {name: three, labels: {version: three}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  endpoints:
  - {address: 127.0.0.1, ports: {tcp: )" << one << R"(}, labels: {version: one}}
  - {address: 127.0.0.1, ports: {tcp: )" << two << R"(}, labels: {version: two}}
  - {address: 127.0.0.1, ports: {tcp: )" << three << R"(}, labels: {version: three}}
)";
  return yaml.str();
}

std::string answerFrom(uint16_t port, const TcpConnection::Addresses& addresses) {
  std::string error;
  auto connection = TcpConnection::connectWith(addresses, port, seconds(5), &error);
  if (!connection) return "connect failed: " + error;
  if (connection->sendAll("hi\n", seconds(5)) != IoStatus::kOk) return "send failed";
  IoStatus status = IoStatus::kOk;
  std::optional<std::string> line = connection->readLine(seconds(5), &status);
  return line ? *line : std::string("no answer: ") + toString(status);
}

TEST(SubnetMatch, SourceThenDestinationThenDefault) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  EchoServer three(dir, "three");
  const std::filesystem::path config = dir.freshSubdir("config") / "istio.yaml";
  replaceFile(config, subnetConfig(one.port(), two.port(), three.port()));
  // No --bind: the Gateway's default 0.0.0.0, so 127.0.0.2 reaches weir too.
  ReadyWeir weir(dir, {config},
                 {.concurrency = 2, .ephemeral_gateway_ports = {kPort}, .bind = ""});
  const uint16_t port = weir.port(kPort);
  // 127.0.0.64/26 is .64 to .127.
  EXPECT_EQ(answerFrom(port, {.destination = "127.0.0.1", .source = "127.0.0.64"}), "two hi");
  EXPECT_EQ(answerFrom(port, {.destination = "127.0.0.1", .source = "127.0.0.127"}), "two hi");
  // The source rule comes first, even towards 127.0.0.2.
  EXPECT_EQ(answerFrom(port, {.destination = "127.0.0.2", .source = "127.0.0.100"}), "two hi");
  EXPECT_EQ(answerFrom(port, {.destination = "127.0.0.2", .source = "127.0.0.128"}), "three hi");
  EXPECT_EQ(answerFrom(port, {.destination = "127.0.0.2", .source = "127.0.0.1"}), "three hi");
  EXPECT_EQ(answerFrom(port, {.destination = "127.0.0.3", .source = "127.0.0.1"}), "one hi");
  EXPECT_EQ(answerFrom(port, {.destination = "127.0.0.1", .source = "127.0.0.63"}), "one hi");
}

}  // namespace
}  // namespace weir::test
