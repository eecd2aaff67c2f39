// VirtualService match on addresses with the real binary: `sourceSubnet` (the
// client's address) and `destinationSubnets` (the address the client connected
// to), first matching rule wins. Clients and weir use several 127.x addresses;
// all traffic stays on loopback.
#include <gtest/gtest.h>

#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::seconds;

constexpr uint16_t kPort = 9000;

istio::Config subnetConfig(uint16_t one, uint16_t two, uint16_t three) {
  istio::Config config = istio::echoObjects();
  config.gateway().server(istio::Server(kPort));
  config.virtualService()
      .tcp(istio::Rule()
               .match(istio::Match().sourceSubnet("127.0.0.64/26"))
               .to(istio::echoSubset("two")))
      .tcp(istio::Rule()
               .match(istio::Match().destinationSubnets({"127.0.0.2/32", "::1/128"}).port(kPort))
               .to(istio::echoSubset("three")))
      .tcp(istio::Rule().to(istio::echoSubset("one")));
  config.addVersionSubset("one", {one})
      .addVersionSubset("two", {two})
      .addVersionSubset("three", {three});
  return config;
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
  const std::filesystem::path config =
      subnetConfig(one.port(), two.port(), three.port()).writeFileIn(dir);
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
