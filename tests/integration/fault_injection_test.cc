// Faults on one connection stay on that connection. Each test runs one weir with two
// Gateway ports: 9000 routes to subset `faulty` (a FaultUpstream in the test process,
// misbehaving as the test says), 9001 to subset `healthy` (tcp-echo-server --raw).
// While the fault plays out on a 9000 connection, four connections through 9001 each
// carry 4 MiB both ways, and every byte must come back intact. The faulty connection
// ends as docs/behaviour.md says (an upstream reset resets the client, a FIN is a
// half-close, a stalled side stalls the other rather than weir's memory) and is
// counted with Envoy's names.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/byte_stream.h"
#include "tests/support/data_path.h"
#include "tests/support/echo_server.h"
#include "tests/support/fault_upstream.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kFaultyPort = 9000;
constexpr uint16_t kHealthyPort = 9001;
// "Promptly": weir reacts to a reset within one event-loop pass; 2 s leaves room for
// a loaded 2-core machine running the suite with ctest -j2.
constexpr auto kPrompt = seconds(2);
// weir's growth while a side is stalled: --buffer-limit (1 MiB) per direction of the
// stalled connection plus the healthy connections' buffers and allocator slack. A
// weir that kept reading a stalled connection would grow by tens of MiB in a second.
constexpr uint64_t kMaxGrowth = 16ull << 20;

std::string faultyCluster(const std::string& stat) { return clusterStat(9000, "faulty", stat); }
std::string healthyCluster(const std::string& stat) { return clusterStat(9000, "healthy", stat); }
std::string faultyListener(const std::string& stat) {
  return "tcp.tcp-echo-gateway_" + std::to_string(kFaultyPort) + "." + stat;
}

// The Fnv1a64 of stream `seed`'s first `bytes` bytes (fillPatternBytes).
uint64_t patternHash(uint64_t seed, uint64_t bytes) {
  Fnv1a64 hash;
  std::vector<char> chunk(64 * 1024);
  for (uint64_t offset = 0; offset < bytes; offset += chunk.size()) {
    const size_t length = static_cast<size_t>(std::min<uint64_t>(chunk.size(), bytes - offset));
    fillPatternBytes(seed, offset, std::span<char>(chunk.data(), length));
    hash.update(std::span<const char>(chunk.data(), length));
  }
  return hash.value();
}

// Four connections through the healthy route, 4 MiB each way, on a thread of their
// own so that they overlap the fault.
class HealthyTraffic {
 public:
  static constexpr size_t kConnections = 4;
  static constexpr uint64_t kBytes = 4ull << 20;

  HealthyTraffic(uint16_t port, uint64_t seed) {
    result_ = std::async(std::launch::async, [port, seed] {
      Result result;
      std::vector<TcpConnection> connections;
      for (size_t i = 0; i < kConnections; ++i) {
        std::string error;
        auto connection = TcpConnection::connect(port, seconds(5), &error);
        if (!connection) {
          result.error = "healthy connection " + std::to_string(i) + ": " + error;
          return result;
        }
        connections.push_back(std::move(*connection));
        result.plans.push_back(StreamPlan{.seed = seed + i, .bytes = kBytes});
      }
      result.outcomes = exchangeStreams(connections, result.plans, seconds(60));
      return result;
    });
  }

  // Waits for the exchanges and checks every byte came back.
  void expectIntact() {
    Result result = result_.get();
    ASSERT_EQ(result.error, "");
    ASSERT_EQ(result.outcomes.size(), kConnections);
    for (size_t i = 0; i < kConnections; ++i) {
      const StreamOutcome& outcome = result.outcomes[i];
      SCOPED_TRACE("healthy connection " + std::to_string(i) + ": " + outcome.describe());
      EXPECT_EQ(outcome.sent, kBytes);
      EXPECT_EQ(outcome.received, kBytes);
      EXPECT_EQ(outcome.received_hash, outcome.sent_hash);
      EXPECT_FALSE(outcome.first_mismatch.has_value());
      EXPECT_EQ(outcome.read_end, IoStatus::kEof);
    }
  }

 private:
  struct Result {
    std::string error;
    std::vector<StreamPlan> plans;
    std::vector<StreamOutcome> outcomes;
  };
  std::future<Result> result_;
};

class FaultInjection : public ::testing::Test {
 protected:
  void startWeir(const FaultUpstreamOptions& faulty) {
    healthy_ = EchoServer::raw(dir_);
    faulty_ = std::make_unique<FaultUpstream>(faulty);
    istio::Config scenario = istio::walkThroughObjects();
    scenario.addPortRoute("faulty", kFaultyPort, istio::walkThroughSubset("faulty"))
        .addPortRoute("healthy", kHealthyPort, istio::walkThroughSubset("healthy"));
    scenario.addVersionSubset("faulty", {faulty_->port()})
        .addVersionSubset("healthy", {healthy_->port()});
    const std::filesystem::path config = scenario.writeSplitIn(dir_);
    weir_ = std::make_unique<ReadyWeir>(
        dir_, std::vector<std::filesystem::path>{config},
        ReadyWeirOptions{.concurrency = 2, .ephemeral_gateway_ports = {kFaultyPort, kHealthyPort}});
  }

  TcpConnection connectFaulty() {
    std::string error;
    auto connection = TcpConnection::connect(weir_->port(kFaultyPort), seconds(5), &error);
    if (!connection) throw std::runtime_error("connect to the faulty route: " + error);
    return std::move(*connection);
  }

  HealthyTraffic healthyTraffic(uint64_t seed) {
    return HealthyTraffic(weir_->port(kHealthyPort), seed);
  }

  uint64_t weirResident() { return residentBytes(weir_->process().pid()).value_or(0); }

  // Every client and upstream connection of the faulty route is gone.
  void expectFaultyRouteDrained() {
    auto drained = weir_->waitForStats(
        [](const StatsSnapshot& stats) {
          return stats.number(faultyListener("downstream_cx_active")) == 0u &&
                 stats.number(faultyCluster("upstream_cx_active")) == 0u;
        },
        seconds(5));
    EXPECT_TRUE(drained.has_value()) << "connections to the faulty route still open: listener "
                                     << weir_->stat(faultyListener("downstream_cx_active")).value_or(999)
                                     << ", cluster "
                                     << weir_->stat(faultyCluster("upstream_cx_active")).value_or(999);
  }

  // The healthy route saw no error.
  void expectHealthyRouteClean() {
    EXPECT_EQ(weir_->stat(healthyCluster("upstream_cx_destroy_remote_with_active_rq")), 0u);
    EXPECT_EQ(weir_->stat(healthyCluster("upstream_cx_connect_fail")), 0u);
    EXPECT_EQ(weir_->stat(healthyCluster("upstream_cx_total")), HealthyTraffic::kConnections);
  }

  // Sends stream `seed` until no byte is accepted for `quiet` (or `cap` bytes).
  struct Push {
    uint64_t sent = 0;
    bool stalled = false;
  };
  static Push pushUntilStalled(TcpConnection& connection, uint64_t seed, milliseconds quiet,
                               uint64_t cap = 256ull << 20) {
    Push push;
    std::vector<char> chunk(64 * 1024);
    const auto give_up = Clock::now() + seconds(30);
    while (push.sent < cap && Clock::now() < give_up) {
      fillPatternBytes(seed, push.sent, chunk);
      size_t sent = 0;
      IoStatus status =
          connection.sendSome({chunk.data(), chunk.size()}, sent, Clock::now() + quiet);
      if (status == IoStatus::kTimeout) {
        push.stalled = true;
        break;
      }
      if (status != IoStatus::kOk) break;
      push.sent += sent;
    }
    return push;
  }

  TempDir dir_;
  std::unique_ptr<EchoServer> healthy_;
  std::unique_ptr<FaultUpstream> faulty_;
  std::unique_ptr<ReadyWeir> weir_;
};

// Envoy: an upstream reset mid-stream is upstream_cx_destroy_remote_with_active_rq and
// ends the downstream; Weir resets the client (SO_LINGER 0), docs/behaviour.md.
TEST_F(FaultInjection, UpstreamKilledMidStreamResetsOnlyItsClient) {
  startWeir({.behaviour = UpstreamBehaviour::kEcho});
  TcpConnection client = connectFaulty();
  ASSERT_EQ(client.sendAll("before the kill\n", seconds(5)), IoStatus::kOk);
  ASSERT_EQ(client.readLine(seconds(5)), "before the kill");

  HealthyTraffic healthy = healthyTraffic(0x4ea1);
  // Mid-stream: 512 KiB on its way through weir, echo coming back unread.
  std::vector<char> chunk(512 * 1024);
  fillPatternBytes(0x4ea1f, 0, chunk);
  ASSERT_EQ(client.sendAll({chunk.data(), chunk.size()}, seconds(5)), IoStatus::kOk);
  ASSERT_TRUE(faulty_->waitUntil(
      [](const auto& reports) { return reports.size() == 1 && reports[0].received > 0; },
      seconds(5)));
  ASSERT_EQ(faulty_->killConnections(), 1u);

  const TcpConnection::ReadResult end = client.readUntilEof(seconds(10));
  EXPECT_EQ(end.end, IoStatus::kReset) << toString(end.end) << " after " << end.data.size()
                                       << " bytes";
  EXPECT_LT(end.elapsed, kPrompt);
  EXPECT_LE(end.data.size(), chunk.size());

  healthy.expectIntact();
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_destroy_remote_with_active_rq")), 1u);
  expectFaultyRouteDrained();
  expectHealthyRouteClean();
}

// An upstream that accepts and never reads: the client's sends stall once the
// kernel buffers and weir's --buffer-limit are full, the connection stays open (no
// timeout applies before idleTimeout, 1 h), and weir does not grow. When the
// upstream then dies, the client is reset.
TEST_F(FaultInjection, UpstreamThatNeverReadsStallsOnlyItsClient) {
  startWeir({.behaviour = UpstreamBehaviour::kNeverRead});
  TcpConnection client = connectFaulty();
  ASSERT_TRUE(faulty_->waitUntil([](const auto& reports) { return reports.size() == 1; },
                                 seconds(5)));
  HealthyTraffic healthy = healthyTraffic(0x4ea2);
  const uint64_t before = weirResident();
  const Push push = pushUntilStalled(client, 0x4ea2f, seconds(1));
  const uint64_t during = weirResident();
  EXPECT_TRUE(push.stalled) << "pushed " << push.sent << " bytes into an upstream that never reads";
  EXPECT_LT(during, before + kMaxGrowth) << "weir grew from " << before << " to " << during;
  EXPECT_GE(weir_->stat(faultyListener("downstream_flow_control_paused_reading_total")), 1u);

  // Still open: nothing arrives, and neither EOF nor reset.
  char byte = 0;
  size_t got = 0;
  EXPECT_EQ(client.readSome({&byte, 1}, got, Clock::now() + milliseconds(300)), IoStatus::kTimeout);
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_active")), 1u);
  const std::vector<UpstreamConnectionReport> reports = faulty_->connections();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].received, 0u);
  EXPECT_FALSE(reports[0].closed);

  healthy.expectIntact();

  ASSERT_EQ(faulty_->killConnections(), 1u);
  const TcpConnection::ReadResult end = client.readUntilEof(seconds(5));
  EXPECT_EQ(end.end, IoStatus::kReset) << toString(end.end);
  EXPECT_LT(end.elapsed, kPrompt);
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_destroy_remote_with_active_rq")), 1u);
  expectFaultyRouteDrained();
  expectHealthyRouteClean();
}

// A client that resets while weir has stopped reading it (its upstream never
// reads, so --buffer-limit is full): weir reads nothing from a paused side, so it
// must ask the socket about the hang-up (Relay::run checks SO_ERROR) or the
// connection would stay until idleTimeout. The upstream is reset and freed.
TEST_F(FaultInjection, ClientThatVanishesWhileWeirStopsReadingItFreesTheUpstream) {
  startWeir({.behaviour = UpstreamBehaviour::kNeverRead});
  TcpConnection client = connectFaulty();
  ASSERT_TRUE(faulty_->waitUntil([](const auto& reports) { return reports.size() == 1; },
                                 seconds(5)));
  HealthyTraffic healthy = healthyTraffic(0x4eaa);
  const Push push = pushUntilStalled(client, 0x4eaaf, seconds(1));
  ASSERT_TRUE(push.stalled);
  ASSERT_GE(weir_->stat(faultyListener("downstream_flow_control_paused_reading_total")), 1u);
  healthy.expectIntact();

  client.resetAndClose();
  EXPECT_TRUE(faulty_->waitUntil([](const auto& r) { return r[0].closed; }, kPrompt))
      << "the upstream stayed connected after its client vanished";
  EXPECT_TRUE(faulty_->connections()[0].peer_reset)
      << "weir should reset the upstream after a client reset";
  expectFaultyRouteDrained();
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_destroy_remote_with_active_rq")), 0u);
  expectHealthyRouteClean();
}

// An upstream that reads everything and never answers: every byte reaches it, the
// client gets nothing and stays connected; the client's FIN reaches the upstream,
// whose close then reaches the client as a FIN.
TEST_F(FaultInjection, UpstreamThatNeverAnswersKeepsTheConnectionAndGetsEveryByte) {
  startWeir({.behaviour = UpstreamBehaviour::kNeverAnswer});
  TcpConnection client = connectFaulty();
  HealthyTraffic healthy = healthyTraffic(0x4ea3);
  constexpr uint64_t kBytes = 2ull << 20;
  std::vector<char> data(kBytes);
  fillPatternBytes(0x4ea3f, 0, data);
  ASSERT_EQ(client.sendAll({data.data(), data.size()}, seconds(10)), IoStatus::kOk);
  EXPECT_TRUE(faulty_->waitUntil(
      [](const auto& r) { return r.size() == 1 && r[0].received >= kBytes; }, seconds(10)));
  char byte = 0;
  size_t got = 0;
  EXPECT_EQ(client.readSome({&byte, 1}, got, Clock::now() + milliseconds(500)), IoStatus::kTimeout);
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_active")), 1u);

  healthy.expectIntact();

  ASSERT_TRUE(client.shutdownWrite());
  const TcpConnection::ReadResult end = client.readUntilEof(seconds(5));
  EXPECT_EQ(end.end, IoStatus::kEof) << toString(end.end);
  EXPECT_EQ(end.data, "");
  EXPECT_LT(end.elapsed, kPrompt);
  const std::vector<UpstreamConnectionReport> reports = faulty_->connections();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].received, kBytes);
  EXPECT_EQ(reports[0].received_hash, patternHash(0x4ea3f, kBytes));
  EXPECT_TRUE(reports[0].peer_fin);
  EXPECT_FALSE(reports[0].peer_reset);
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_destroy_remote_with_active_rq")), 0u);
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_rx_bytes_total")), 0u);
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_tx_bytes_total")), kBytes);
  expectFaultyRouteDrained();
  expectHealthyRouteClean();
}

// An upstream that resets right after accept. The kernel completes the handshake
// before accept(), so weir's connect has usually succeeded when the RST comes (an
// upstream reset: client reset, upstream_cx_destroy_remote_with_active_rq); if the
// RST is already there when weir looks at its connect, it is a connect failure
// (client FIN, upstream_cx_connect_fail). Either way: no byte, closed promptly, and
// exactly one of the two counted per connection, consistent with what the client saw.
TEST_F(FaultInjection, UpstreamThatResetsOnConnectClosesItsClientPromptly) {
  startWeir({.behaviour = UpstreamBehaviour::kResetOnAccept});
  HealthyTraffic healthy = healthyTraffic(0x4ea4);
  constexpr int kAttempts = 5;
  int resets = 0;
  int fins = 0;
  for (int i = 0; i < kAttempts; ++i) {
    // Nothing sent: weir closing a socket with unread client bytes would make the
    // kernel send an RST even on the FIN path, blurring the two outcomes.
    // weir may reset the client before its connect() has even reported success:
    // that is the reset outcome, seen early.
    std::string error;
    auto client = TcpConnection::connect(weir_->port(kFaultyPort), seconds(5), &error);
    if (!client) {
      EXPECT_NE(error.find("reset"), std::string::npos) << i << ": " << error;
      ++resets;
      continue;
    }
    const TcpConnection::ReadResult end = client->readUntilEof(seconds(5));
    EXPECT_EQ(end.data, "") << i;
    EXPECT_LT(end.elapsed, kPrompt) << i;
    if (end.end == IoStatus::kReset) {
      ++resets;
    } else if (end.end == IoStatus::kEof) {
      ++fins;
    } else {
      ADD_FAILURE() << "connection " << i << " ended with " << toString(end.end);
    }
  }
  healthy.expectIntact();
  EXPECT_EQ(faulty_->accepted(), static_cast<size_t>(kAttempts));
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_destroy_remote_with_active_rq")),
            static_cast<uint64_t>(resets));
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_connect_fail")), static_cast<uint64_t>(fins));
  expectFaultyRouteDrained();
  expectHealthyRouteClean();
}

// An upstream that accepts 1 s late: the kernel answered weir's SYN from the backlog,
// so weir is connected and forwards into the upstream's receive buffer; once
// accepted, everything is echoed intact. Nothing is a failure.
TEST_F(FaultInjection, SlowToAcceptUpstreamDelaysButDeliversEveryByte) {
  constexpr auto kDelay = milliseconds(1000);
  startWeir({.behaviour = UpstreamBehaviour::kEcho, .accept_delay = kDelay});
  HealthyTraffic healthy = healthyTraffic(0x4ea5);
  std::vector<TcpConnection> connections;
  connections.push_back(connectFaulty());
  const std::vector<StreamPlan> plans = {StreamPlan{.seed = 0x4ea5f, .bytes = 1 << 20}};
  const std::vector<StreamOutcome> outcomes = exchangeStreams(connections, plans, seconds(30));
  const StreamOutcome& outcome = outcomes[0];
  SCOPED_TRACE(outcome.describe());
  EXPECT_EQ(outcome.received, plans[0].bytes);
  EXPECT_EQ(outcome.received_hash, outcome.sent_hash);
  EXPECT_FALSE(outcome.first_mismatch.has_value());
  EXPECT_EQ(outcome.read_end, IoStatus::kEof);
  // The server holds back its accept for kDelay, so no echo can come sooner.
  EXPECT_GE(outcome.elapsed, kDelay);
  healthy.expectIntact();
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_connect_fail")), 0u);
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_connect_timeout")), 0u);
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_total")), 1u);
  expectFaultyRouteDrained();
  expectHealthyRouteClean();
}

// The client half-closes at once; the upstream's direction carries on: all 8 MiB it
// streams arrive after the client's FIN, then the upstream's FIN.
TEST_F(FaultInjection, ClientHalfCloseLetsTheUpstreamFinishItsStream) {
  constexpr uint64_t kBytes = 8ull << 20;
  startWeir({.behaviour = UpstreamBehaviour::kStream, .stream_bytes = kBytes});
  TcpConnection client = connectFaulty();
  HealthyTraffic healthy = healthyTraffic(0x4ea6);
  ASSERT_TRUE(client.shutdownWrite());
  ASSERT_TRUE(faulty_->waitUntil([](const auto& r) { return r.size() == 1 && r[0].peer_fin; },
                                 seconds(5)))
      << "the client's FIN did not reach the upstream";
  uint64_t position = 0;
  const PatternRead read = readPattern(client, position, kBytes + 1, Clock::now() + seconds(30));
  EXPECT_EQ(read.end, IoStatus::kEof) << toString(read.end);
  EXPECT_EQ(read.got, kBytes);
  EXPECT_TRUE(read.intact);
  healthy.expectIntact();
  const std::vector<UpstreamConnectionReport> reports = faulty_->connections();
  EXPECT_EQ(reports[0].sent, kBytes);
  EXPECT_FALSE(reports[0].peer_reset);
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_destroy_remote_with_active_rq")), 0u);
  expectFaultyRouteDrained();
  expectHealthyRouteClean();
}

// The client resets mid-stream: weir resets the upstream (docs/behaviour.md: errors
// and resets on one side reset the other) and frees both; it is not an upstream
// failure.
TEST_F(FaultInjection, ClientResetMidStreamResetsTheUpstream) {
  startWeir({.behaviour = UpstreamBehaviour::kEcho});
  TcpConnection client = connectFaulty();
  HealthyTraffic healthy = healthyTraffic(0x4ea7);
  std::vector<char> chunk(1 << 20);
  fillPatternBytes(0x4ea7f, 0, chunk);
  ASSERT_EQ(client.sendAll({chunk.data(), chunk.size()}, seconds(5)), IoStatus::kOk);
  ASSERT_TRUE(faulty_->waitUntil(
      [](const auto& r) { return r.size() == 1 && r[0].sent > 0; }, seconds(5)));
  client.resetAndClose();
  EXPECT_TRUE(faulty_->waitUntil([](const auto& r) { return r[0].closed; }, kPrompt))
      << "the upstream stayed connected after its client reset";
  EXPECT_TRUE(faulty_->connections()[0].peer_reset);
  healthy.expectIntact();
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_destroy_remote_with_active_rq")), 0u);
  expectFaultyRouteDrained();
  expectHealthyRouteClean();
}

// The client stops reading a 64 MiB stream: the upstream's sends stall (weir stops
// reading it), weir does not grow, the connection stays; when the client reads
// again, every byte arrives in order.
TEST_F(FaultInjection, ClientThatStallsStallsTheUpstreamThenGetsEverything) {
  constexpr uint64_t kBytes = 64ull << 20;
  startWeir({.behaviour = UpstreamBehaviour::kStream, .stream_bytes = kBytes});
  TcpConnection client = connectFaulty();
  ASSERT_TRUE(faulty_->waitUntil([](const auto& r) { return r.size() == 1 && r[0].sent > 0; },
                                 seconds(5)));
  const uint64_t before = weirResident();
  HealthyTraffic healthy = healthyTraffic(0x4ea8);
  // Stalled: the upstream's count stops moving for 500 ms, well short of the stream.
  uint64_t last = 0;
  bool stalled = false;
  for (int i = 0; i < 40 && !stalled; ++i) {  // at most 20 s
    std::this_thread::sleep_for(milliseconds(500));
    const uint64_t sent = faulty_->connections()[0].sent;
    stalled = sent == last && sent < kBytes;
    last = sent;
  }
  EXPECT_TRUE(stalled) << "the upstream sent " << last << " bytes to a client that reads nothing";
  const uint64_t during = weirResident();
  EXPECT_LT(during, before + kMaxGrowth) << "weir grew from " << before << " to " << during;
  EXPECT_GE(weir_->stat(faultyCluster("upstream_flow_control_paused_reading_total")), 1u);
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_active")), 1u);
  healthy.expectIntact();

  uint64_t position = 0;
  const PatternRead read = readPattern(client, position, kBytes + 1, Clock::now() + seconds(30));
  EXPECT_EQ(read.end, IoStatus::kEof) << toString(read.end);
  EXPECT_EQ(read.got, kBytes);
  EXPECT_TRUE(read.intact);
  EXPECT_GE(weir_->stat(faultyCluster("upstream_flow_control_resumed_reading_total")), 1u);
  // Only the upstream's direction has ended; the client's FIN ends the connection.
  ASSERT_TRUE(client.shutdownWrite());
  EXPECT_TRUE(faulty_->waitUntil([](const auto& r) { return r[0].closed; }, kPrompt));
  expectFaultyRouteDrained();
  expectHealthyRouteClean();
}

// A client that stalls and then vanishes (close() with unread bytes: the kernel sends
// an RST) while weir has stopped reading the upstream for it: weir must notice, free
// the upstream (it sees the connection end) and count nothing against the upstream.
TEST_F(FaultInjection, ClientThatVanishesWhileStalledFreesTheUpstream) {
  constexpr uint64_t kBytes = 64ull << 20;
  startWeir({.behaviour = UpstreamBehaviour::kStream, .stream_bytes = kBytes});
  TcpConnection client = connectFaulty();
  HealthyTraffic healthy = healthyTraffic(0x4ea9);
  ASSERT_TRUE(weir_->waitForStats(
      [](const StatsSnapshot& stats) {
        return stats.number(faultyCluster("upstream_flow_control_paused_reading_total")) >= 1u;
      },
      seconds(10)))
      << "weir never paused the upstream of a client that reads nothing";
  client.close();
  EXPECT_TRUE(faulty_->waitUntil([](const auto& r) { return r[0].closed; }, kPrompt))
      << "the upstream stayed connected after its client vanished";
  EXPECT_TRUE(faulty_->connections()[0].peer_reset);
  EXPECT_LT(faulty_->connections()[0].sent, kBytes);
  healthy.expectIntact();
  EXPECT_EQ(weir_->stat(faultyCluster("upstream_cx_destroy_remote_with_active_rq")), 0u);
  expectFaultyRouteDrained();
  expectHealthyRouteClean();
}

// The same the other way round: the upstream dies while weir has stopped reading
// it for a client that reads nothing. The client is reset at once and the reset is
// counted, as Envoy closes the downstream on an upstream's remote close.
TEST_F(FaultInjection, UpstreamKilledWhileItsClientStallsResetsTheClient) {
  constexpr uint64_t kBytes = 64ull << 20;
  startWeir({.behaviour = UpstreamBehaviour::kStream, .stream_bytes = kBytes});
  TcpConnection client = connectFaulty();
  HealthyTraffic healthy = healthyTraffic(0x4eab);
  ASSERT_TRUE(weir_->waitForStats(
      [](const StatsSnapshot& stats) {
        return stats.number(faultyCluster("upstream_flow_control_paused_reading_total")) >= 1u;
      },
      seconds(10)));
  ASSERT_EQ(faulty_->killConnections(), 1u);
  healthy.expectIntact();
  EXPECT_TRUE(weir_->waitForStats(
      [](const StatsSnapshot& stats) {
        return stats.number(faultyCluster("upstream_cx_destroy_remote_with_active_rq")) == 1u &&
               stats.number(faultyListener("downstream_cx_active")) == 0u;
      },
      kPrompt))
      << "weir kept the client of a dead upstream while the client was not reading";
  uint64_t position = 0;
  const PatternRead read = readPattern(client, position, kBytes, Clock::now() + seconds(10));
  EXPECT_EQ(read.end, IoStatus::kReset) << toString(read.end);
  EXPECT_TRUE(read.intact);
  EXPECT_LT(read.got, kBytes);
  expectFaultyRouteDrained();
  expectHealthyRouteClean();
}

}  // namespace
}  // namespace weir::test
