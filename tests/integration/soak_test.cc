// Soak: weir with 2 workers under a mix of healthy traffic and faults for
// WEIR_SOAK_SECONDS (default 20; `make test-soak` runs 180). Registered on its own,
// with ctest label `soak` (tests/CMakeLists.txt), so the normal run (`ctest -LE soak`)
// leaves it out.
//
// Gateway port 9000 routes to subset `healthy`: tcp-echo-server --raw and an in-test
// FaultUpstream that echoes (round robin between them). Port 9001 routes to subset
// `faulty`: a FaultUpstream whose behaviour changes every 250 ms at random (echo,
// never read, never answer, reset on accept) and which now and then resets every
// connection it has. Client threads, each with its own seeded random source, do at
// random: verified exchanges, exchanges that stall then resume (verified), client
// resets mid-stream, immediate half-closes, and connections to the faulty route that
// end by FIN or RST. Every few seconds the configuration is reloaded (POST /reload).
// The faulty subset's second endpoint refuses connections, so outlier detection
// ejects and returns it throughout.
//
// After a warm-up and at the end, the test waits for every connection to end, then
// compares weir's descriptors and memory: sockets and other descriptors exactly as
// after warm-up, pipes within the splice pool's cap, RSS growth below a stated bound.
#include <dirent.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>
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

constexpr uint16_t kHealthyPort = 9000;
constexpr uint16_t kFaultyPort = 9001;
constexpr unsigned kWorkers = 2;
constexpr unsigned kClientThreads = 6;
constexpr uint64_t kSeed = 0x50a6;
// weir keeps up to 16 pipes per worker for splicing (proxy/listener/worker.cc kPipesKept),
// two descriptors each: pipes may legitimately stay above the warm-up count by that.
constexpr size_t kPipeDescriptorsKept = kWorkers * 16 * 2;
// RSS growth allowed from warm-up to the end: weir keeps up to 1024 finished
// connection objects per worker for reuse and malloc keeps freed buffers in its
// arenas; 32 MiB covers that with room. A leak of one 1 MiB buffer per faulty
// connection (thousands in a soak) would exceed it.
constexpr uint64_t kMaxRssGrowth = 32ull << 20;

seconds soakDuration() {
  const char* text = std::getenv("WEIR_SOAK_SECONDS");
  if (text == nullptr || *text == '\0') return seconds(20);
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < 1) {
    throw std::runtime_error(std::string("WEIR_SOAK_SECONDS must be a positive integer, got ") + text);
  }
  return seconds(value);
}

struct Descriptors {
  size_t sockets = 0;
  size_t pipes = 0;
  size_t other = 0;
  size_t total() const { return sockets + pipes + other; }
};

std::optional<Descriptors> descriptorsOf(int pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* listing = ::opendir(dir.c_str());
  if (listing == nullptr) return std::nullopt;
  Descriptors count;
  for (int i = 0; i < 100000; ++i) {
    const dirent* entry = ::readdir(listing);
    if (entry == nullptr) break;
    if (entry->d_name[0] == '.') continue;
    char target[256] = {};
    const ssize_t length =
        ::readlink((dir + "/" + entry->d_name).c_str(), target, sizeof target - 1);
    const std::string link(target, length > 0 ? static_cast<size_t>(length) : 0);
    if (link.starts_with("socket:")) {
      ++count.sockets;
    } else if (link.starts_with("pipe:")) {
      ++count.pipes;
    } else {
      ++count.other;
    }
  }
  ::closedir(listing);
  return count;
}

std::ostream& operator<<(std::ostream& out, const Descriptors& d) {
  return out << d.total() << " (sockets " << d.sockets << ", pipes " << d.pipes << ", other "
             << d.other << ")";
}

// What the client threads did, and every failure of a healthy exchange.
struct Tally {
  std::atomic<uint64_t> verified{0};       // healthy exchanges that came back intact
  std::atomic<uint64_t> verified_bytes{0};
  std::atomic<uint64_t> stalled_resumed{0};
  std::atomic<uint64_t> client_resets{0};
  std::atomic<uint64_t> half_closes{0};
  std::atomic<uint64_t> faulty{0};
  std::atomic<uint64_t> connect_errors{0};  // to the healthy route
  std::mutex mutex;
  std::vector<std::string> failures;  // guarded; the first 20
  void fail(const std::string& what) {
    std::lock_guard lock(mutex);
    if (failures.size() < 20) failures.push_back(what);
    ++failure_count;
  }
  std::atomic<uint64_t> failure_count{0};
};

class ClientThread {
 public:
  ClientThread(unsigned index, uint16_t healthy_port, uint16_t faulty_port, Tally& tally)
      : index_(index), healthy_port_(healthy_port), faulty_port_(faulty_port), tally_(tally),
        random_(kSeed + index) {}

  void run(Clock::time_point until) {
    for (uint64_t op = 0; op < 1'000'000 && Clock::now() < until; ++op) {
      const unsigned pick = std::uniform_int_distribution<unsigned>(0, 99)(random_);
      const uint64_t seed = (uint64_t{index_} << 40) | op;
      if (pick < 45) {
        exchange(seed);
      } else if (pick < 55) {
        stallThenResume(seed);
      } else if (pick < 65) {
        resetMidStream(seed);
      } else if (pick < 72) {
        halfCloseAtOnce();
      } else {
        faultyRoute(seed);
      }
    }
  }

 private:
  std::optional<TcpConnection> connectHealthy() {
    std::string error;
    auto connection = TcpConnection::connect(healthy_port_, seconds(5), &error);
    if (!connection) {
      ++tally_.connect_errors;
      tally_.fail("connect to the healthy route: " + error);
    }
    return connection;
  }

  uint64_t size(uint64_t low, uint64_t high) {
    return std::uniform_int_distribution<uint64_t>(low, high)(random_);
  }

  // Stream `seed` both ways, verified byte by byte.
  void exchange(uint64_t seed) {
    auto connection = connectHealthy();
    if (!connection) return;
    std::vector<TcpConnection> connections;
    connections.push_back(std::move(*connection));
    const std::vector<StreamPlan> plans = {StreamPlan{.seed = seed, .bytes = size(1, 1 << 20)}};
    const StreamOutcome outcome = exchangeStreams(connections, plans, seconds(30))[0];
    if (outcome.sent == plans[0].bytes && outcome.received == plans[0].bytes &&
        outcome.received_hash == outcome.sent_hash && !outcome.first_mismatch &&
        outcome.read_end == IoStatus::kEof) {
      ++tally_.verified;
      tally_.verified_bytes += plans[0].bytes;
    } else {
      tally_.fail("exchange: " + outcome.describe());
    }
  }

  // Send without reading until the echo backs up (or 2 MiB), pause, then read the
  // echo of everything sent and check it.
  void stallThenResume(uint64_t seed) {
    auto connection = connectHealthy();
    if (!connection) return;
    const uint64_t want = size(64 << 10, 2 << 20);
    std::vector<char> chunk(64 * 1024);
    uint64_t sent = 0;
    Fnv1a64 sent_hash;
    const auto stop_at = Clock::now() + milliseconds(500);
    while (sent < want && Clock::now() < stop_at) {
      const size_t length = static_cast<size_t>(std::min<uint64_t>(chunk.size(), want - sent));
      fillPatternBytes(seed, sent, std::span<char>(chunk.data(), length));
      size_t accepted = 0;
      const IoStatus status =
          connection->sendSome({chunk.data(), length}, accepted, stop_at);
      if (status == IoStatus::kTimeout) break;
      if (status != IoStatus::kOk) {
        tally_.fail(std::string("stall: send ended with ") + toString(status));
        return;
      }
      sent_hash.update(std::span<const char>(chunk.data(), accepted));
      sent += accepted;
    }
    std::this_thread::sleep_for(milliseconds(size(50, 400)));
    if (!connection->shutdownWrite()) {
      tally_.fail("stall: shutdown failed");
      return;
    }
    const TcpConnection::ReadResult echo = connection->readUntilEof(seconds(30), sent + 1);
    Fnv1a64 received_hash;
    received_hash.update(echo.data);
    if (echo.end != IoStatus::kEof || echo.data.size() != sent ||
        received_hash.value() != sent_hash.value()) {
      tally_.fail("stall: sent " + std::to_string(sent) + ", got " +
                  std::to_string(echo.data.size()) + " then " + toString(echo.end));
      return;
    }
    ++tally_.stalled_resumed;
    tally_.verified_bytes += sent;
  }

  void resetMidStream(uint64_t seed) {
    auto connection = connectHealthy();
    if (!connection) return;
    std::vector<char> chunk(static_cast<size_t>(size(1, 256 << 10)));
    fillPatternBytes(seed, 0, chunk);
    (void)connection->sendAll({chunk.data(), chunk.size()}, seconds(2));
    std::this_thread::sleep_for(milliseconds(size(0, 20)));
    connection->resetAndClose();
    ++tally_.client_resets;
  }

  // FIN before any byte: the echo server answers with its FIN, nothing else.
  void halfCloseAtOnce() {
    auto connection = connectHealthy();
    if (!connection) return;
    connection->shutdownWrite();
    const TcpConnection::ReadResult end = connection->readUntilEof(seconds(10));
    if (end.end != IoStatus::kEof || !end.data.empty()) {
      tally_.fail("half-close: got " + std::to_string(end.data.size()) + " bytes then " +
                  toString(end.end));
      return;
    }
    ++tally_.half_closes;
  }

  // Whatever the faulty upstream does now: send a little, wait a little, leave by
  // FIN or RST. Only boundedness is checked here; the end state is checked at the end.
  void faultyRoute(uint64_t seed) {
    std::string error;
    auto connection = TcpConnection::connect(faulty_port_, seconds(5), &error);
    ++tally_.faulty;
    if (!connection) return;
    std::vector<char> chunk(static_cast<size_t>(size(1, 64 << 10)));
    fillPatternBytes(seed, 0, chunk);
    (void)connection->sendAll({chunk.data(), chunk.size()}, milliseconds(300));
    (void)connection->readUntilEof(milliseconds(size(10, 300)), chunk.size());
    if (size(0, 1) == 0) {
      connection->resetAndClose();
    } else {
      connection->close();
    }
  }

  unsigned index_;
  uint16_t healthy_port_;
  uint16_t faulty_port_;
  Tally& tally_;
  std::mt19937_64 random_;
};

class Soak : public ::testing::Test {
 protected:
  void SetUp() override {
    healthy_echo_ = EchoServer::raw(dir_);
    healthy_fault_upstream_ = std::make_unique<FaultUpstream>();
    faulty_ = std::make_unique<FaultUpstream>();
    istio::Config scenario = istio::walkThroughObjects();
    scenario.addPortRoute("healthy", kHealthyPort, istio::walkThroughSubset("healthy"))
        .addPortRoute("faulty", kFaultyPort, istio::walkThroughSubset("faulty"));
    scenario.addVersionSubset("healthy", {healthy_echo_->port(), healthy_fault_upstream_->port()});
    // The faulty subset also has an endpoint where nothing listens, so connect
    // failures eject it (outlier detection) and sweeps return it, again and again,
    // from both workers, across reloads.
    scenario.destinationRule().subset(istio::Subset::byVersion("faulty").trafficPolicy(
        istio::TrafficPolicy().outlierDetection(istio::OutlierDetection()
                                                    .consecutive5xxErrors(2)
                                                    .interval("50ms")
                                                    .baseEjectionTime("100ms")
                                                    .maxEjectionPercent(50))));
    scenario.serviceEntry()
        .endpoint(istio::Endpoint::local(faulty_->port()).version("faulty"))
        .endpoint(istio::Endpoint::local(freeTcpPort()).version("faulty"));
    const std::filesystem::path config = scenario.writeSplitIn(dir_);
    // --splice-after 64 KiB (the default) so both the copied and the spliced paths run.
    weir_ = std::make_unique<ReadyWeir>(
        dir_, std::vector<std::filesystem::path>{config},
        ReadyWeirOptions{.concurrency = kWorkers,
                         .ephemeral_gateway_ports = {kHealthyPort, kFaultyPort},
                         .log_level = "warn",
                         .extra_args = {"--no-watch"}});
  }

  // Traffic and faults for `duration`; reloads every `reload_every` (if set).
  void runPhase(seconds duration, std::optional<seconds> reload_every) {
    const auto until = Clock::now() + duration;
    std::vector<std::thread> threads;
    std::vector<std::unique_ptr<ClientThread>> clients;
    for (unsigned i = 0; i < kClientThreads; ++i) {
      clients.push_back(std::make_unique<ClientThread>(
          i + 100 * phase_, weir_->port(kHealthyPort), weir_->port(kFaultyPort), tally_));
      threads.emplace_back([client = clients.back().get(), until] { client->run(until); });
    }
    std::mt19937_64 random(kSeed ^ 0xfa17 ^ phase_);
    const UpstreamBehaviour behaviours[] = {
        UpstreamBehaviour::kEcho, UpstreamBehaviour::kNeverRead, UpstreamBehaviour::kNeverAnswer,
        UpstreamBehaviour::kResetOnAccept};
    auto next_reload = Clock::now() + reload_every.value_or(seconds(0));
    while (Clock::now() < until) {  // a round per 250 ms
      std::this_thread::sleep_for(milliseconds(250));
      faulty_->setBehaviour(behaviours[random() % 4]);
      if (random() % 8 == 0) faulty_->killConnections();
      if (reload_every && Clock::now() >= next_reload) {
        const HttpResponse reply = weir_->post("/reload");
        EXPECT_EQ(reply.status, 200) << reply.describe();
        ++reloads_;
        next_reload += *reload_every;
      }
      EXPECT_TRUE(weir_->process().running()) << "weir died during the soak";
      if (!weir_->process().running()) break;
    }
    for (std::thread& thread : threads) thread.join();
    ++phase_;
  }

  // Ends what the faulty upstream holds open (a never-read upstream keeps a
  // connection whose client left with a FIN forever, as Envoy would), then waits
  // until weir has no connection left.
  bool drain() {
    faulty_->setBehaviour(UpstreamBehaviour::kEcho);
    const auto deadline = Clock::now() + seconds(20);
    while (Clock::now() < deadline) {
      faulty_->killConnections();
      auto drained = weir_->waitForStats(
          [](const StatsSnapshot& stats) {
            return stats.number("tcp.tcp-echo-gateway_9000.downstream_cx_active") == 0u &&
                   stats.number("tcp.tcp-echo-gateway_9001.downstream_cx_active") == 0u &&
                   stats.number(clusterStat(9000, "healthy", "upstream_cx_active")) == 0u &&
                   stats.number(clusterStat(9000, "faulty", "upstream_cx_active")) == 0u;
          },
          seconds(1));
      if (drained) {
        // Closed sockets leave weir's descriptor table in the same loop pass; give
        // the pipes a moment to go back to the pool as well.
        std::this_thread::sleep_for(milliseconds(200));
        return true;
      }
    }
    return false;
  }

  TempDir dir_;
  std::unique_ptr<EchoServer> healthy_echo_;
  std::unique_ptr<FaultUpstream> healthy_fault_upstream_;
  std::unique_ptr<FaultUpstream> faulty_;
  std::unique_ptr<ReadyWeir> weir_;
  Tally tally_;
  unsigned phase_ = 0;
  unsigned reloads_ = 0;
};

TEST_F(Soak, HealthyTrafficStaysIntactAndWeirReturnsToItsBaselineAmidFaults) {
  const seconds duration = soakDuration();
  const int pid = weir_->process().pid();
  std::cout << "[soak] " << duration.count() << " s, " << kClientThreads << " client threads, "
            << kWorkers << " workers, seed " << kSeed << "\n";

  // Warm-up: every kind of operation once or more, so that pools and arenas fill.
  runPhase(seconds(3), std::nullopt);
  ASSERT_TRUE(drain()) << "connections still open after the warm-up";
  const std::optional<Descriptors> base_fds = descriptorsOf(pid);
  const std::optional<uint64_t> base_rss = residentBytes(pid);
  ASSERT_TRUE(base_fds && base_rss);

  runPhase(duration, seconds(std::max<long>(2, duration.count() / 6)));
  const bool drained = drain();
  const std::optional<Descriptors> end_fds = descriptorsOf(pid);
  const std::optional<uint64_t> end_rss = residentBytes(pid);
  ASSERT_TRUE(end_fds && end_rss) << "weir exited";

  std::cout << "[soak] verified exchanges " << tally_.verified << ", stalled-and-resumed "
            << tally_.stalled_resumed << ", " << tally_.verified_bytes << " bytes verified; "
            << "client resets " << tally_.client_resets << ", half-closes " << tally_.half_closes
            << ", faulty-route connections " << tally_.faulty << "; reloads " << reloads_
            << "; faulty upstream accepted " << faulty_->accepted() << "\n"
            << "[soak] descriptors after warm-up " << *base_fds << ", at the end " << *end_fds
            << "; RSS after warm-up " << *base_rss << " B, at the end " << *end_rss << " B (growth "
            << static_cast<int64_t>(*end_rss - *base_rss) << " B)\n";

  EXPECT_TRUE(drained) << "connections still open 20 s after the soak";
  EXPECT_EQ(tally_.failure_count, 0u);
  for (const std::string& failure : tally_.failures) ADD_FAILURE() << failure;
  EXPECT_GT(tally_.verified, 0u);
  EXPECT_GT(tally_.stalled_resumed, 0u);
  EXPECT_GT(tally_.client_resets, 0u);
  EXPECT_GT(tally_.faulty, 0u);
  EXPECT_GT(weir_->stat(clusterStat(9000, "faulty", "outlier_detection.ejections_enforced_total")),
            0u);
  EXPECT_EQ(end_fds->sockets, base_fds->sockets);
  EXPECT_EQ(end_fds->other, base_fds->other);
  EXPECT_LE(end_fds->pipes, base_fds->pipes + kPipeDescriptorsKept);
  EXPECT_LT(*end_rss, *base_rss + kMaxRssGrowth);
  EXPECT_EQ(weir_->stat("tcp.tcp-echo-gateway_9000.downstream_cx_active"), 0u);
  EXPECT_EQ(weir_->stat("tcp.tcp-echo-gateway_9001.downstream_cx_active"), 0u);
  // The healthy subset's upstreams never failed a connection on their own.
  EXPECT_EQ(weir_->stat(clusterStat(9000, "healthy", "upstream_cx_connect_fail")), 0u);
  EXPECT_TRUE(weir_->process().running());
}

}  // namespace
}  // namespace weir::test
