// DestinationRule outlierDetection with the real binaries: consecutive connect
// failures eject an endpoint for every worker at once, the ejection lasts
// baseEjectionTime × (times ejected), maxEjectionPercent caps how many go, and a
// cluster with nothing left in rotation fails connections (counted) unless
// minHealthPercent says to ignore health.
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

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;
const std::string kStat = "cluster." + istio::kSingleCluster + ".";

std::string address(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

// Ejection after `failures` connect failures in a row, for baseEjectionTime ×
// (times ejected), swept every `interval`, of up to `max_percent` of the endpoints.
istio::OutlierDetection ejection(uint32_t failures, const std::string& interval,
                                 const std::string& base_ejection_time, int max_percent) {
  return istio::OutlierDetection()
      .consecutive5xxErrors(failures)
      .interval(interval)
      .baseEjectionTime(base_ejection_time)
      .maxEjectionPercent(max_percent);
}

// `config` (an istio::singleCluster) with `detection` as its outlierDetection.
istio::Config withOutlierDetection(istio::Config config, const istio::OutlierDetection& detection) {
  config.destinationRule().trafficPolicy(istio::TrafficPolicy().outlierDetection(detection));
  return config;
}

std::filesystem::path writeScenario(const TempDir& dir, const std::vector<uint16_t>& ports,
                                    const istio::OutlierDetection& detection) {
  return withOutlierDetection(istio::singleCluster(ports), detection).writeFileIn(dir);
}

// Sequential connections, one line each, so the order of picks is the workers'.
EchoClientRun connectInTurn(const TempDir& dir, const ReadyWeir& weir, size_t connections) {
  return runEchoClient(dir, weir.port(kPort),
                       {.connections = connections, .concurrency = 1, .per_connection = seconds(5)});
}

TEST(OutlierDetection, ConsecutiveFailuresEjectTheEndpointForEveryWorker) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t dead = freeTcpPort();
  // Two workers: each round-robins on its own, so each sends about every other
  // connection to the dead endpoint. The failure count is shared, so exactly 3
  // failures eject it, however the workers split them (per-worker counts would
  // allow up to 5 before both workers had seen 3).
  ReadyWeir weir(dir, {writeScenario(dir, {dead, one.port()}, ejection(3, "100ms", "60s", 100))},
                 {.concurrency = 2, .ephemeral_gateway_ports = {kPort}});
  EchoClientRun run = connectInTurn(dir, weir, 40);
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->errors, 3u) << run.tally->describe();
  EXPECT_EQ(run.tally->count("one"), 37u);
  EXPECT_EQ(weir.stat(kStat + "upstream_cx_connect_fail"), 3u);
  EXPECT_EQ(weir.stat(kStat + "outlier_detection.ejections_active"), 1u);
  EXPECT_EQ(weir.stat(kStat + "outlier_detection.ejections_enforced_total"), 1u);
  EXPECT_EQ(weir.stat(kStat + "outlier_detection.ejections_enforced_consecutive_5xx"), 1u);
  const auto health = endpointHealth(weir, istio::kSingleCluster);
  EXPECT_EQ(health.at(address(dead)), "FAILED_OUTLIER_CHECK");
  EXPECT_EQ(health.at(address(one.port())), "HEALTHY");
}

TEST(OutlierDetection, WithoutOutlierDetectionEveryPickOfTheDeadEndpointFails) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t dead = freeTcpPort();
  ReadyWeir weir(dir, {istio::singleCluster({dead, one.port()}).writeFileIn(dir)},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  EchoClientRun run = connectInTurn(dir, weir, 20);
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->errors, 10u) << run.tally->describe();
  EXPECT_EQ(weir.stat(kStat + "outlier_detection.ejections_active"), 0u);
}

TEST(OutlierDetection, TheEndpointReturnsAfterItsEjectionTimeAndTheNextEjectionIsLonger) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t dead = freeTcpPort();
  ReadyWeir weir(dir, {writeScenario(dir, {dead, one.port()}, ejection(1, "50ms", "1s", 100))},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  // Round robin: the first connection goes to the dead endpoint and ejects it.
  for (int ejection = 1; ejection <= 2; ++ejection) {
    SCOPED_TRACE("ejection " + std::to_string(ejection));
    // Until it is ejected, connections alternate; one failure is enough.
    const auto before = weir.stat(kStat + "outlier_detection.ejections_enforced_total");
    EchoClientRun run = connectInTurn(dir, weir, 2);
    ASSERT_TRUE(run.tally.has_value()) << run.describe();
    EXPECT_EQ(run.tally->errors, 1u) << run.tally->describe();
    const auto ejected_at = std::chrono::steady_clock::now();
    EXPECT_EQ(weir.stat(kStat + "outlier_detection.ejections_enforced_total"), *before + 1);
    // Ejected: everything goes to `one` meanwhile.
    run = connectInTurn(dir, weir, 6);
    ASSERT_TRUE(run.tally.has_value()) << run.describe();
    EXPECT_EQ(run.tally->count("one"), 6u) << run.tally->describe();

    ASSERT_TRUE(
        waitForEndpointHealth(weir, istio::kSingleCluster, address(dead), "HEALTHY", seconds(8)));
    const auto ejected_for = std::chrono::steady_clock::now() - ejected_at;
    // baseEjectionTime × times ejected; the sweep runs every 50 ms (plus the
    // control loop's 100 ms tick), so the lower bound is exact and the upper has
    // slack for a loaded machine.
    EXPECT_GE(ejected_for, milliseconds(1000 * ejection - 100));
    EXPECT_LT(ejected_for, milliseconds(1000 * ejection + 2500));
  }
}

TEST(OutlierDetection, MaxEjectionPercentKeepsTheRestInRotation) {
  TempDir dir;
  EchoServer one(dir, "one");
  const std::vector<uint16_t> ports = {freeTcpPort(), freeTcpPort(), freeTcpPort(), one.port()};
  ReadyWeir weir(dir, {writeScenario(dir, ports, ejection(1, "100ms", "60s", 50))},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  EchoClientRun run = connectInTurn(dir, weir, 12);
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  // Two of four may go (50%); the third dead endpoint stays in rotation and keeps
  // failing, each failure counted as an overflow.
  EXPECT_EQ(weir.stat(kStat + "outlier_detection.ejections_active"), 2u);
  const auto overflow = weir.stat(kStat + "outlier_detection.ejections_overflow");
  ASSERT_TRUE(overflow.has_value());
  EXPECT_GE(*overflow, 2u);
  EXPECT_EQ(run.tally->errors, 2u + *overflow) << run.tally->describe();
  EXPECT_EQ(run.tally->count("one") + run.tally->errors, 12u);
}

struct NoneLeftCase {
  std::string name;
  int min_health_percent;
};

class OutlierDetectionNoneLeft : public testing::TestWithParam<NoneLeftCase> {};

TEST_P(OutlierDetectionNoneLeft, ConnectionsFailAndAreCountedOrHealthIsIgnored) {
  TempDir dir;
  const uint16_t dead = freeTcpPort();
  const int min_health = GetParam().min_health_percent;
  ReadyWeir weir(
      dir,
      {writeScenario(dir, {dead}, ejection(1, "100ms", "60s", 100).minHealthPercent(min_health))},
      {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  EchoClientRun run = connectInTurn(dir, weir, 4);
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->errors, 4u);
  EXPECT_EQ(weir.stat(kStat + "outlier_detection.ejections_active"), 1u);
  if (min_health == 0) {
    // Istio's default: no panic mode. The first connect fails and ejects the only
    // endpoint; the next three find nothing in rotation (Envoy's UH).
    EXPECT_EQ(weir.stat(kStat + "upstream_cx_connect_fail"), 1u);
    EXPECT_EQ(weir.stat(kStat + "upstream_cx_none_healthy"), 3u);
  } else {
    // 0% in rotation is below minHealthPercent: health is ignored, every
    // connection tries the (dead) endpoint.
    EXPECT_EQ(weir.stat(kStat + "upstream_cx_connect_fail"), 4u);
    EXPECT_EQ(weir.stat(kStat + "upstream_cx_none_healthy"), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(MinHealthPercent, OutlierDetectionNoneLeft,
                         testing::Values(NoneLeftCase{"Default", 0}, NoneLeftCase{"Fifty", 50}),
                         [](const auto& info) { return info.param.name; });

TEST(OutlierDetection, AReloadThatKeepsTheEndpointKeepsItsEjection) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t dead = freeTcpPort();
  const istio::OutlierDetection detection = ejection(1, "100ms", "60s", 100);
  const std::filesystem::path config = writeScenario(dir, {dead, one.port()}, detection);
  ReadyWeir weir(dir, {config}, {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  EchoClientRun run = connectInTurn(dir, weir, 2);
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  ASSERT_EQ(run.tally->errors, 1u);

  // Same endpoints, another weight: still ejected after the reload.
  withOutlierDetection(istio::singleCluster({istio::Endpoint::local(dead),
                                             istio::Endpoint::local(one.port()).weight(2)}),
                       detection)
      .write(config);
  ASSERT_TRUE(weir.post("/reload").ok());
  EXPECT_EQ(endpointHealth(weir, istio::kSingleCluster).at(address(dead)), "FAILED_OUTLIER_CHECK");
  run = connectInTurn(dir, weir, 6);
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->count("one"), 6u) << run.tally->describe();
}

}  // namespace
}  // namespace weir::test
