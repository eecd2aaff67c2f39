// Issue 14: a reset that arrives together with the last bytes. One side sends bytes
// and resets at once (SO_LINGER 0), so weir often finds the bytes and the reset in
// one wake-up of its edge-triggered loop. The other side must get every byte and
// then a reset (docs/behaviour.md: errors and resets on one side reset the other),
// promptly, and weir must count the reset as a reset on the side it came from. Each
// scenario runs many connections at once on every data path (one or two workers,
// copied or spliced): before the fix, a copied connection whose reset came with its
// last bytes hung until idleTimeout (1 h).
//
// WEIR_RESET_WITH_DATA_CONNECTIONS sets the connections per run (default 200), for
// the acceptance check of 1,000.
#include <gtest/gtest.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/byte_stream.h"
#include "tests/support/data_path.h"
#include "tests/support/fault_upstream.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/json_value.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;
constexpr uint64_t kPayload = 50'000;  // the scenario
constexpr uint64_t kClientSeed = 0x14;
constexpr size_t kConcurrentClients = 20;
// The reset must follow the last byte within this long; a hung connection would
// wait for idleTimeout (1 h).
constexpr auto kResetWithin = seconds(1);
// Every client gives up after this long, whatever happens.
constexpr auto kClientLimit = seconds(10);
// The fault upstream's listen backlog (the kernel caps it at net.core.somaxconn).
constexpr int kBacklog = 4096;
// How many failed connections a failure message describes.
constexpr size_t kDescribed = 5;

size_t connectionsPerRun() {
  constexpr size_t kDefault = 200;
  const char* text = std::getenv("WEIR_RESET_WITH_DATA_CONNECTIONS");
  if (text == nullptr) return kDefault;
  const long value = std::strtol(text, nullptr, 10);
  return value > 0 && value <= 100'000 ? static_cast<size_t>(value) : kDefault;
}

std::string clusterCounter(const std::string& stat) { return clusterStat(kPort, "faulty", stat); }
std::string listenerCounter(const std::string& stat) { return listenerStat(kPort, stat); }

// Runs client(i) for i in [0, count), kConcurrentClients at a time.
void runClients(size_t count, const std::function<void(size_t)>& client) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min(count, kConcurrentClients); ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < count; i = next++) client(i);
    });
  }
  for (std::thread& thread : threads) thread.join();
}

// What one client of an upstream that answers and resets saw.
struct ReadOutcome {
  std::string error;  // connecting or sending failed
  uint64_t got = 0;
  bool intact = true;  // every byte was StreamPattern's byte at its offset
  IoStatus end = IoStatus::kTimeout;  // kTimeout: no byte and no end in time
  milliseconds after_last_byte{0};    // from the last byte to the end

  bool good() const {
    return error.empty() && got == kPayload && intact && end == IoStatus::kReset;
  }
  std::string describe() const {
    if (!error.empty()) return error;
    std::ostringstream out;
    out << got << " bytes" << (intact ? "" : " (wrong bytes)") << ", then " << toString(end)
        << " after " << after_last_byte.count() << " ms";
    return out.str();
  }
};

std::string describeClient(size_t index, const ReadOutcome& outcome) {
  return "client " + std::to_string(index) + ": " + outcome.describe();
}

// Sends "hello\n" to `port` and reads the answer to its end: until the peer resets or
// closes, or nothing arrives for kResetWithin after a byte (the first byte may take
// up to kClientLimit on a loaded machine).
ReadOutcome helloThenReadToTheEnd(uint16_t port) {
  ReadOutcome outcome;
  std::string error;
  std::optional<TcpConnection> connection = TcpConnection::connect(port, seconds(5), &error);
  if (!connection) {
    outcome.error = "connect: " + error;
    return outcome;
  }
  if (IoStatus sent = connection->sendAll("hello\n", seconds(5)); sent != IoStatus::kOk) {
    outcome.error = std::string("send: ") + toString(sent);
    return outcome;
  }
  const auto give_up = Clock::now() + kClientLimit;
  auto last_byte = Clock::now();
  std::vector<char> buffer(64 * 1024);
  while (true) {
    size_t got = 0;
    const auto deadline = outcome.got == 0 ? give_up : std::min(last_byte + kResetWithin, give_up);
    outcome.end = connection->readSome(buffer, got, deadline);
    if (outcome.end != IoStatus::kOk || got == 0) break;
    if (outcome.intact && !StreamPattern::instance().matches(outcome.got, {buffer.data(), got})) {
      outcome.intact = false;
    }
    outcome.got += got;
    last_byte = Clock::now();
  }
  if (outcome.end == IoStatus::kOk) outcome.end = IoStatus::kEof;
  outcome.after_last_byte =
      std::chrono::duration_cast<milliseconds>(Clock::now() - last_byte);
  return outcome;
}

// Sends kPayload bytes of stream kClientSeed to `port` and resets as soon as the
// kernel has transmitted them all (a reset discards what is still unsent), without
// waiting for their acknowledgement: the reset follows the bytes closely. Returns ""
// or what went wrong.
std::string sendThenReset(uint16_t port) {
  std::string error;
  std::optional<TcpConnection> connection = TcpConnection::connect(port, seconds(5), &error);
  if (!connection) return "connect: " + error;
  std::vector<char> payload(kPayload);
  fillPatternBytes(kClientSeed, 0, payload);
  if (IoStatus sent = connection->sendAll({payload.data(), payload.size()}, seconds(5));
      sent != IoStatus::kOk) {
    return std::string("send: ") + toString(sent);
  }
  const auto give_up = Clock::now() + seconds(5);
  int unsent = 0;
  while (ioctl(connection->fd(), SIOCOUTQNSD, &unsent) == 0 && unsent > 0 &&
         Clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  if (unsent != 0) return std::to_string(unsent) + " bytes never transmitted";
  connection->resetAndClose();
  return "";
}

uint64_t clientPayloadHash() {
  std::vector<char> payload(kPayload);
  fillPatternBytes(kClientSeed, 0, payload);
  Fnv1a64 hash;
  hash.update(payload);
  return hash.value();
}

// "N of M failed; the first: ..." for the connections at `failed`.
std::string summarise(const std::vector<std::string>& failed, size_t total) {
  std::ostringstream out;
  out << failed.size() << " of " << total << " connections failed";
  for (size_t i = 0; i < std::min(failed.size(), kDescribed); ++i) out << "\n  " << failed[i];
  return out.str();
}

// What the access log says about one connection.
struct LoggedConnection {
  std::string response_flags;
  std::string termination;  // connection_termination_details
  std::optional<uint64_t> bytes_received;
  std::optional<uint64_t> bytes_sent;
};

std::string stringField(const JsonValue& line, const std::string& key) {
  const JsonValue* field = line.find(key);
  return field != nullptr && field->isString() ? field->string : "<absent>";
}

std::optional<uint64_t> unsignedField(const JsonValue& line, const std::string& key) {
  const JsonValue* field = line.find(key);
  return field != nullptr ? field->asUnsigned() : std::nullopt;
}

// The access log's lines; waits (bounded) until `count` are there, since a background
// thread writes them. A line that is not JSON counts as a line with no fields.
std::vector<LoggedConnection> accessLog(const std::filesystem::path& log, size_t count) {
  const auto give_up = Clock::now() + seconds(10);
  std::vector<LoggedConnection> connections;
  while (true) {
    connections.clear();
    std::istringstream in(readTextFile(log));
    for (std::string text; std::getline(in, text);) {
      LoggedConnection& logged = connections.emplace_back();
      if (std::optional<JsonValue> line = parseJson(text)) {
        logged = {stringField(*line, "response_flags"),
                  stringField(*line, "connection_termination_details"),
                  unsignedField(*line, "bytes_received"), unsignedField(*line, "bytes_sent")};
      }
    }
    if (connections.size() >= count || Clock::now() >= give_up) return connections;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

// How many logged connections `matches`.
size_t countLogged(const std::vector<LoggedConnection>& connections,
                   const std::function<bool(const LoggedConnection&)>& matches) {
  return static_cast<size_t>(std::count_if(connections.begin(), connections.end(), matches));
}

class ResetWithData : public ::testing::TestWithParam<DataPath> {
 protected:
  // weir on this test's data path, with one listener routing everything to a
  // FaultUpstream that behaves as `behaviour`, and a JSON access log.
  void startWeir(UpstreamBehaviour behaviour) {
    // A backlog for every connection of the run: weir may be done with connections
    // before this upstream's thread accepts them, and a full backlog would drop SYNs
    // (a 1 s retransmission that is not weir's doing).
    upstream_ = std::make_unique<FaultUpstream>(FaultUpstreamOptions{
        .behaviour = behaviour, .backlog = kBacklog, .stream_bytes = kPayload});
    const std::filesystem::path config =
        istio::walkThrough(kPort, {{"faulty", 100, {upstream_->port()}}}).writeSplitIn(dir_);
    access_log_ = dir_.file("access.json.log");
    weir_ = std::make_unique<ReadyWeir>(
        dir_, std::vector<std::filesystem::path>{config},
        ReadyWeirOptions{.concurrency = GetParam().concurrency,
                         .ephemeral_gateway_ports = {kPort},
                         .access_log = access_log_.string(),
                         .access_log_format = "json",
                         .extra_args = weirOptionsFor(GetParam()).extra_args});
  }

  // No connection is left open on either side, at the latest after `within`.
  void expectGaugesBackToZero(milliseconds within) {
    const auto closed = [](const StatsSnapshot& stats) {
      return stats.number(listenerCounter("downstream_cx_active")) == 0u &&
             stats.number(clusterCounter("upstream_cx_active")) == 0u;
    };
    const bool drained = weir_->waitForStats(closed, within).has_value();
    EXPECT_TRUE(drained) << "still open: downstream_cx_active "
                         << weir_->stat(listenerCounter("downstream_cx_active")).value_or(999)
                         << ", upstream_cx_active "
                         << weir_->stat(clusterCounter("upstream_cx_active")).value_or(999);
  }

  void expectBytesMovedAsThePathSays() {
    const std::optional<uint64_t> spliced =
        weir_->stat(clusterCounter("upstream_cx_spliced_bytes_total"));
    ASSERT_TRUE(spliced.has_value());
    if (GetParam().splice) {
      EXPECT_GT(*spliced, 0u) << "the spliced path was not taken";
    } else {
      EXPECT_EQ(*spliced, 0u) << "bytes were spliced although --splice-after never";
    }
  }

  TempDir dir_;
  std::unique_ptr<FaultUpstream> upstream_;
  std::filesystem::path access_log_;
  std::unique_ptr<ReadyWeir> weir_;
};

// The scenario: the upstream reads the client's line, sends 50,000 bytes and
// resets. Every client gets the 50,000 bytes and then a reset (ECONNRESET), within
// kResetWithin of the last byte; weir counts an upstream reset (Envoy's
// upstream_cx_destroy_remote_with_active_rq, access-log flag UC), not an idle timeout.
TEST_P(ResetWithData, UpstreamResetRightAfterItsDataReachesEveryClient) {
  startWeir(UpstreamBehaviour::kAnswerThenReset);
  const size_t count = connectionsPerRun();
  std::vector<ReadOutcome> outcomes(count);
  const uint16_t port = weir_->port(kPort);
  runClients(count, [&](size_t i) { outcomes[i] = helloThenReadToTheEnd(port); });

  std::vector<std::string> failed;
  for (size_t i = 0; i < count; ++i) {
    if (!outcomes[i].good()) failed.push_back(describeClient(i, outcomes[i]));
  }
  EXPECT_TRUE(failed.empty()) << summarise(failed, count);
  EXPECT_EQ(upstream_->accepted(), count);

  // Every client has had its reset, and weir sends it as it closes: nothing is open.
  expectGaugesBackToZero(kResetWithin);
  EXPECT_EQ(weir_->stat(clusterCounter("upstream_cx_destroy_remote_with_active_rq")), count);
  EXPECT_EQ(weir_->stat(clusterCounter("upstream_cx_idle_timeout")), 0u);
  EXPECT_EQ(weir_->stat(clusterCounter("upstream_cx_connect_fail")), 0u);
  EXPECT_EQ(weir_->stat(clusterCounter("upstream_cx_total")), count);
  EXPECT_EQ(weir_->stat(clusterCounter("upstream_cx_rx_bytes_total")), count * kPayload);
  EXPECT_EQ(weir_->stat(listenerCounter("downstream_cx_tx_bytes_total")), count * kPayload);
  expectBytesMovedAsThePathSays();

  const std::vector<LoggedConnection> logged = accessLog(access_log_, count);
  EXPECT_EQ(logged.size(), count);
  EXPECT_EQ(countLogged(logged, [](const auto& c) { return c.response_flags == "UC"; }), count);
  EXPECT_EQ(countLogged(logged, [](const auto& c) { return c.termination == "upstream_reset"; }),
            count);
  EXPECT_EQ(countLogged(logged, [](const auto& c) { return c.bytes_sent == kPayload; }), count);
}

// The mirror: each client sends 50,000 bytes and resets (once its kernel has them all
// acknowledged). The upstream gets every byte and then a reset, promptly; weir counts
// a client reset (termination downstream_reset), not an upstream one.
TEST_P(ResetWithData, ClientResetRightAfterItsDataReachesTheUpstream) {
  startWeir(UpstreamBehaviour::kNeverAnswer);
  const size_t count = connectionsPerRun();
  std::vector<std::string> errors(count);
  const uint16_t port = weir_->port(kPort);
  runClients(count, [&](size_t i) { errors[i] = sendThenReset(port); });
  std::vector<std::string> failed;
  for (size_t i = 0; i < count; ++i) {
    if (!errors[i].empty()) failed.push_back("client " + std::to_string(i) + ": " + errors[i]);
  }
  ASSERT_TRUE(failed.empty()) << summarise(failed, count);

  // The last client has reset: within kResetWithin weir has closed every connection.
  expectGaugesBackToZero(kResetWithin);
  // The upstream (a thread of this test, on a loaded machine) may take longer to read
  // what weir gave its kernel, so it gets a generous bound.
  const bool all_closed = upstream_->waitUntil(
      [count](const std::vector<UpstreamConnectionReport>& reports) {
        return reports.size() == count &&
               std::all_of(reports.begin(), reports.end(), [](const auto& r) { return r.closed; });
      },
      seconds(5));
  const std::vector<UpstreamConnectionReport> reports = upstream_->connections();
  EXPECT_TRUE(all_closed) << "upstream connections: " << reports.size() << " of " << count
                          << ", still open " << upstream_->open();
  const uint64_t hash = clientPayloadHash();
  for (size_t i = 0; i < reports.size(); ++i) {
    const UpstreamConnectionReport& report = reports[i];
    if (report.received != kPayload || report.received_hash != hash || !report.peer_reset) {
      std::ostringstream out;
      const bool wrong_bytes = report.received == kPayload && report.received_hash != hash;
      out << "upstream connection " << i << ": received " << report.received
          << (wrong_bytes ? " (wrong bytes)" : "")
          << ", then " << (report.peer_reset ? "reset" : report.peer_fin ? "FIN" : "nothing")
          << (report.closed ? "" : ", still open");
      failed.push_back(out.str());
    }
  }
  EXPECT_TRUE(failed.empty()) << summarise(failed, count);

  EXPECT_EQ(weir_->stat(clusterCounter("upstream_cx_destroy_remote_with_active_rq")), 0u);
  EXPECT_EQ(weir_->stat(clusterCounter("upstream_cx_idle_timeout")), 0u);
  EXPECT_EQ(weir_->stat(clusterCounter("upstream_cx_total")), count);
  EXPECT_EQ(weir_->stat(listenerCounter("downstream_cx_rx_bytes_total")), count * kPayload);
  EXPECT_EQ(weir_->stat(clusterCounter("upstream_cx_tx_bytes_total")), count * kPayload);
  expectBytesMovedAsThePathSays();

  const std::vector<LoggedConnection> logged = accessLog(access_log_, count);
  EXPECT_EQ(logged.size(), count);
  EXPECT_EQ(countLogged(logged, [](const auto& c) { return c.termination == "downstream_reset"; }),
            count);
  EXPECT_EQ(countLogged(logged, [](const auto& c) { return c.bytes_received == kPayload; }), count);
}

INSTANTIATE_TEST_SUITE_P(EveryDataPath, ResetWithData, ::testing::ValuesIn(allDataPaths()),
                         [](const auto& info) { return dataPathName(info.param); });

// Controls for the two scenarios without weir: the fault upstream and the clients
// themselves deliver every byte and then the reset, so what the tests above see
// through weir is weir's doing.
TEST(ResetWithDataDirect, UpstreamResetReachesClientsWithEveryByte) {
  FaultUpstream upstream({.behaviour = UpstreamBehaviour::kAnswerThenReset,
                          .backlog = kBacklog,
                          .stream_bytes = kPayload});
  const size_t count = connectionsPerRun();
  std::vector<ReadOutcome> outcomes(count);
  runClients(count, [&](size_t i) { outcomes[i] = helloThenReadToTheEnd(upstream.port()); });
  std::vector<std::string> failed;
  for (size_t i = 0; i < count; ++i) {
    if (!outcomes[i].good()) failed.push_back(describeClient(i, outcomes[i]));
  }
  EXPECT_TRUE(failed.empty()) << summarise(failed, count);
}

TEST(ResetWithDataDirect, ClientResetReachesTheUpstreamWithEveryByte) {
  FaultUpstream upstream({.behaviour = UpstreamBehaviour::kNeverAnswer, .backlog = kBacklog});
  const size_t count = connectionsPerRun();
  std::vector<std::string> errors(count);
  runClients(count, [&](size_t i) { errors[i] = sendThenReset(upstream.port()); });
  for (size_t i = 0; i < count; ++i) ASSERT_EQ(errors[i], "") << "client " << i;
  ASSERT_TRUE(upstream.waitUntil(
      [count](const std::vector<UpstreamConnectionReport>& reports) {
        return reports.size() == count &&
               std::all_of(reports.begin(), reports.end(), [](const auto& r) { return r.closed; });
      },
      seconds(5)));
  const uint64_t hash = clientPayloadHash();
  for (const UpstreamConnectionReport& report : upstream.connections()) {
    EXPECT_EQ(report.received, kPayload);
    EXPECT_EQ(report.received_hash, hash);
    EXPECT_TRUE(report.peer_reset);
  }
}

}  // namespace
}  // namespace weir::test
