// Connect retries (--max-connect-attempts, Envoy's max_connect_attempts) with the
// real binaries: a failed connect picks again, never the endpoint that just
// failed for this client, and giving up is counted.
#include <gtest/gtest.h>

#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::seconds;

constexpr uint16_t kPort = 9000;
const std::string kCluster = "cluster.outbound|9000|v1|tcp-echo-server.default.svc.cluster.local.";

// Subset v1 with an endpoint per port, in order (round robin takes them in turn).
std::filesystem::path writeScenario(const TempDir& dir, const std::vector<uint16_t>& ports) {
  return istio::walkThrough(kPort, {{"v1", 100, ports}}).writeSplitIn(dir);
}

TEST(ConnectRetries, ASecondAttemptReachesTheLiveEndpoint) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t dead = freeTcpPort();  // nothing listens: connect is refused
  ReadyWeir weir(dir, {writeScenario(dir, {dead, one.port()})},
                 {.concurrency = 1,
                  .ephemeral_gateway_ports = {kPort},
                  .extra_args = {"--max-connect-attempts", "2"}});
  EchoClientRun run = runEchoClient(dir, weir.port(kPort), {.connections = 10, .concurrency = 1});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->errors, 0u) << run.tally->describe();
  EXPECT_EQ(run.tally->count("one"), 10u);
  // Round robin sent every other first attempt to the dead endpoint.
  EXPECT_EQ(weir.stat(kCluster + "upstream_cx_connect_fail"), 5u);
  EXPECT_EQ(weir.stat(kCluster + "upstream_cx_connect_attempts_exceeded"), 0u);
}

TEST(ConnectRetries, WithOneAttemptTheDeadEndpointCostsItsConnections) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t dead = freeTcpPort();
  ReadyWeir weir(dir, {writeScenario(dir, {dead, one.port()})},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  EchoClientRun run = runEchoClient(dir, weir.port(kPort), {.connections = 10, .concurrency = 1});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->count("one"), 5u);
  EXPECT_EQ(run.tally->errors, 5u);
}

TEST(ConnectRetries, GivingUpIsCountedOnceEveryEndpointFailed) {
  TempDir dir;
  const uint16_t dead_a = freeTcpPort();
  const uint16_t dead_b = freeTcpPort();
  ReadyWeir weir(dir, {writeScenario(dir, {dead_a, dead_b})},
                 {.concurrency = 1,
                  .ephemeral_gateway_ports = {kPort},
                  .extra_args = {"--max-connect-attempts", "5"}});
  auto client = TcpConnection::connect(weir.port(kPort), seconds(5));
  ASSERT_TRUE(client.has_value());
  TcpConnection::ReadResult end = client->readUntilEof(seconds(5));
  EXPECT_TRUE(end.data.empty());
  EXPECT_NE(end.end, IoStatus::kTimeout);
  // Each endpoint tried once (a failed one is never picked again for this
  // client), then no endpoint is left: two failures, one give-up.
  EXPECT_EQ(weir.stat(kCluster + "upstream_cx_connect_fail"), 2u);
  EXPECT_EQ(weir.stat(kCluster + "upstream_cx_connect_attempts_exceeded"), 1u);
  EXPECT_EQ(weir.stat(kCluster + "upstream_cx_active"), 0u);
}

TEST(ConnectRetries, AVirtualServiceAnnotationSetsTheAttemptsOfItsRules) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t dead = freeTcpPort();
  // No --max-connect-attempts (1): the annotation alone gives the retries.
  istio::Config config =
      istio::singleCluster({istio::Endpoint::local(dead), istio::Endpoint::local(one.port())});
  config.virtualService().annotation("weir.dev/max-connect-attempts", "2");
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  EchoClientRun run = runEchoClient(dir, weir.port(kPort), {.connections = 10, .concurrency = 1});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->errors, 0u) << run.tally->describe();
  EXPECT_EQ(run.tally->count("one"), 10u);
  EXPECT_EQ(weir.stat("cluster." + istio::kSingleCluster + ".upstream_cx_connect_fail"), 5u);
}

// A retrying connection is still one connection of its cluster: with
// maxConnections 1 its retry in the same cluster is not refused as overflow.
TEST(ConnectRetries, ARetryInTheSameClusterDoesNotCountTheConnectionTwice) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t dead = freeTcpPort();
  istio::Config config = istio::singleCluster(std::vector<uint16_t>{dead, one.port()});
  config.destinationRule().trafficPolicy(
      istio::TrafficPolicy().connectionPool(istio::TcpSettings().maxConnections(1)));
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 1,
                  .ephemeral_gateway_ports = {kPort},
                  .extra_args = {"--max-connect-attempts", "2"}});
  // One client (a second could find the first still counted): round robin
  // sends it to the dead endpoint first, and it retries on the live one.
  EchoClientRun run = runEchoClient(dir, weir.port(kPort), {.connections = 1, .concurrency = 1});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->errors, 0u) << run.tally->describe();
  EXPECT_EQ(run.tally->count("one"), 1u);
  const std::string cluster = "cluster." + istio::kSingleCluster + ".";
  EXPECT_EQ(weir.stat(cluster + "upstream_cx_connect_fail"), 1u);
  EXPECT_EQ(weir.stat(cluster + "upstream_cx_overflow"), 0u);
}

}  // namespace
}  // namespace weir::test
