// Active TCP health checks (weir.dev/health-check-* annotations) with the real
// binaries: an endpoint that stops answering its probes leaves rotation before any
// client is sent to it, and comes back once it passes again; send/expect probes
// check what the endpoint answers.
#include <gtest/gtest.h>

#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/endpoint_health.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::seconds;

constexpr uint16_t kPort = 9000;
const std::string kStat = "cluster." + istio::kSingleCluster + ".";

std::string address(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

// Probes every 100 ms; two results in a row change the verdict.
istio::StringMap fastChecks() {
  return {{"weir.dev/health-check-interval", "100ms"},
          {"weir.dev/health-check-timeout", "500ms"},
          {"weir.dev/health-check-healthy-threshold", "2"},
          {"weir.dev/health-check-unhealthy-threshold", "2"}};
}

EchoClientRun connectInTurn(const TempDir& dir, const ReadyWeir& weir, size_t connections) {
  return runEchoClient(dir, weir.port(kPort), {.connections = connections, .concurrency = 1});
}

TEST(HealthChecks, AnEndpointThatStopsLeavesRotationAndReturnsWhenItRecovers) {
  TempDir dir;
  EchoServer one(dir, "one");
  auto two = std::make_unique<EchoServer>(dir, "two");
  const uint16_t two_port = two->port();
  istio::Config config = istio::singleCluster({one.port(), two_port});
  config.serviceEntry().annotations(fastChecks());
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 2, .ephemeral_gateway_ports = {kPort}});
  ASSERT_TRUE(
      waitForEndpointHealth(weir, istio::kSingleCluster, address(two_port), "HEALTHY", seconds(5)));
  EchoClientRun run = connectInTurn(dir, weir, 10);
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  // Each worker round-robins its own share of the 10, so `two` gets at least
  // 4 whatever the split between the two workers.
  EXPECT_GE(run.tally->count("two"), 4u) << run.tally->describe();
  EXPECT_EQ(run.tally->errors, 0u);

  // The workload crashes: the probes notice, no client has to.
  two->kill();
  ASSERT_TRUE(waitForEndpointHealth(weir, istio::kSingleCluster, address(two_port),
                                    "FAILED_ACTIVE_HC", seconds(5)));
  run = connectInTurn(dir, weir, 10);
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->count("one"), 10u) << run.tally->describe();
  EXPECT_EQ(weir.stat(kStat + "upstream_cx_connect_fail"), 0u)
      << "no connection was sent to the endpoint out of rotation";
  EXPECT_EQ(weir.stat(kStat + "health_check.healthy"), 1u);
  const auto failures = weir.stat(kStat + "health_check.failure");
  ASSERT_TRUE(failures.has_value());
  EXPECT_GE(*failures, 2u);

  // It restarts on the same port and passes two probes: back in rotation.
  two = EchoServer::onPort(dir, "two", two_port);
  ASSERT_TRUE(
      waitForEndpointHealth(weir, istio::kSingleCluster, address(two_port), "HEALTHY", seconds(5)));
  run = connectInTurn(dir, weir, 10);
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_GE(run.tally->count("two"), 4u) << run.tally->describe();  // as above
  EXPECT_EQ(run.tally->errors, 0u);
  EXPECT_EQ(weir.stat(kStat + "health_check.healthy"), 2u);
}

TEST(HealthChecks, SendAndExpectCheckTheAnswerNotJustTheConnect) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  // tcp-echo-server answers "PREFIX LINE": only `one` passes a check expecting "one".
  istio::StringMap checks = fastChecks();
  checks["weir.dev/health-check-send"] = "ping\n";
  checks["weir.dev/health-check-expect"] = "one ping";
  istio::Config config = istio::singleCluster({one.port(), two.port()});
  config.destinationRule().annotations(checks);
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  ASSERT_TRUE(waitForEndpointHealth(weir, istio::kSingleCluster, address(two.port()),
                                    "FAILED_ACTIVE_HC", seconds(5)));
  EXPECT_EQ(endpointHealth(weir, istio::kSingleCluster).at(address(one.port())), "HEALTHY");
  EchoClientRun run = connectInTurn(dir, weir, 6);
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->count("one"), 6u) << run.tally->describe();
}

TEST(HealthChecks, WithoutAnnotationsNothingIsProbed) {
  TempDir dir;
  EchoServer one(dir, "one");
  ReadyWeir weir(dir, {istio::singleCluster({one.port()}).writeFileIn(dir)},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  // A probe would be a connection the echo server sees; its stats are weir's, so
  // check weir reports no health-check statistics and the endpoint as healthy.
  EXPECT_FALSE(weir.stat(kStat + "health_check.attempt").has_value());
  EXPECT_EQ(endpointHealth(weir, istio::kSingleCluster).at(address(one.port())), "HEALTHY");
}

}  // namespace
}  // namespace weir::test
