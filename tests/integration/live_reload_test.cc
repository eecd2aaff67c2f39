// Issue 3, "Reload": SIGHUP, a file edit and POST /reload all reload; new connections
// follow the new weights at once; established connections, and listeners a reload
// removes, are untouched; a broken edit changes nothing and is reported.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/support/admin_stats.h"
#include "tests/support/byte_stream.h"
#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/json_value.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kMainPort = 9000;   // the Gateway server whose weights shift
constexpr uint16_t kExtraPort = 9001;  // the Gateway server that reloads add and remove
constexpr size_t kConnectionsPerCheck = 200;
const std::vector<std::string> kSignalOnly = {"--no-watch"};

// The configuration files as weir sees them are symlinks, live/NAME -> store/NAME, so
// that one test can also show that edits behind a symlink reload. The tests that want
// only the trigger under test (POST /reload or SIGHUP) to reload start weir with
// --no-watch (kSignalOnly): one reload per trigger, which the generation counter
// then shows exactly.
class SignalOnlyConfig {
 public:
  SignalOnlyConfig(const TempDir& dir, const istio::Config& initial)
      : store_(dir.freshSubdir("store")),
        live_(dir.freshSubdir("live")),
        names_(initial.splitFileNames()) {
    write(initial);
    std::filesystem::create_directories(live_);
    for (const std::string& name : names_) {
      std::filesystem::create_symlink(store_ / name, live_ / name);
    }
  }

  // Every file, a file per kind (the kinds of the initial config).
  void write(const istio::Config& scenario) { scenario.writeSplit(store_); }

  // Replaces one file's content (in the store).
  void writeFile(const std::string& name, const std::string& text) {
    replaceFile(store_ / name, text);
  }

  // What weir is given with -c: the live symlinks.
  std::vector<std::filesystem::path> paths() const {
    std::vector<std::filesystem::path> paths;
    for (const std::string& name : names_) paths.push_back(live_ / name);
    return paths;
  }
  std::filesystem::path livePath(const std::string& name) const { return live_ / name; }

 private:
  std::filesystem::path store_;
  std::filesystem::path live_;
  std::vector<std::string> names_;
};

// Runs tcp-echo-client (-n 200 -c 20) and expects every answer to start with `word`.
::testing::AssertionResult allConnectionsAnsweredBy(const TempDir& dir, uint16_t port,
                                                    const std::string& word) {
  EchoClientRun run = runEchoClient(
      dir, port, {.connections = kConnectionsPerCheck, .concurrency = 20});
  if (!run.tally) return ::testing::AssertionFailure() << run.describe();
  if (run.tally->count(word) != kConnectionsPerCheck || run.tally->errors != 0) {
    return ::testing::AssertionFailure()
           << "expected all " << kConnectionsPerCheck << " answered by " << word << ", got "
           << run.tally->describe();
  }
  return ::testing::AssertionSuccess();
}

// A long-lived connection through weir to a --raw echo server. One thread sends a
// reproducible stream (fillPatternBytes, 16 KiB every 2 ms: continuous, yet leaving the
// CPU to the reloads), another reads the echo and checks every byte against the
// pattern. Both hash what they saw.
class EchoStream {
 public:
  EchoStream(TcpConnection connection, uint64_t seed)
      : connection_(std::move(connection)), seed_(seed) {
    sender_ = std::thread([this] { sendLoop(); });
    receiver_ = std::thread([this] { receiveLoop(); });
  }

  ~EchoStream() {
    stop_sending_ = true;
    abandon_ = true;
    if (sender_.joinable()) sender_.join();
    if (receiver_.joinable()) receiver_.join();
  }

  EchoStream(const EchoStream&) = delete;
  EchoStream& operator=(const EchoStream&) = delete;

  uint64_t received() const { return received_.load(); }

  // Waits (at most `timeout`) until more than `bytes` bytes have come back.
  bool waitForMoreThan(uint64_t bytes, milliseconds timeout) const {
    const auto deadline = Clock::now() + timeout;
    while (received_.load() <= bytes) {
      if (Clock::now() >= deadline || receive_done_.load()) return false;
      std::this_thread::sleep_for(milliseconds(2));
    }
    return true;
  }

  // Stops sending, half-closes, and waits (at most `timeout`) for the echo to end.
  StreamOutcome finish(milliseconds timeout) {
    stop_sending_ = true;
    if (sender_.joinable()) sender_.join();
    const auto deadline = Clock::now() + timeout;
    while (!receive_done_.load() && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    abandon_ = true;
    if (receiver_.joinable()) receiver_.join();
    std::lock_guard lock(outcome_mutex_);
    return outcome_;
  }

 private:
  static constexpr size_t kChunk = 16 * 1024;

  void sendLoop() {
    std::string chunk(kChunk, '\0');
    Fnv1a64 hash;
    uint64_t sent = 0;
    IoStatus end = IoStatus::kOk;
    while (!stop_sending_.load()) {
      fillPatternBytes(seed_, sent, chunk);
      end = connection_.sendAll(chunk, seconds(10));
      if (end != IoStatus::kOk) break;
      hash.update(chunk);
      sent += chunk.size();
      std::this_thread::sleep_for(milliseconds(2));
    }
    const bool shut = end == IoStatus::kOk && connection_.shutdownWrite();
    std::lock_guard lock(outcome_mutex_);
    outcome_.sent = sent;
    outcome_.sent_hash = hash.value();
    outcome_.send_end = end;
    outcome_.shut_down_write = shut;
  }

  void receiveLoop() {
    const auto start = Clock::now();
    std::vector<char> buffer(64 * 1024);
    std::vector<char> expected(buffer.size());
    Fnv1a64 hash;
    uint64_t received = 0;
    std::optional<uint64_t> mismatch;
    IoStatus end = IoStatus::kTimeout;
    while (!abandon_.load()) {
      size_t got = 0;
      IoStatus status = connection_.readSome(buffer, got, Clock::now() + milliseconds(100));
      if (status == IoStatus::kTimeout) continue;
      if (status != IoStatus::kOk) {
        end = status;
        break;
      }
      std::span<const char> data(buffer.data(), got);
      fillPatternBytes(seed_, received, std::span<char>(expected.data(), got));
      if (!mismatch) {
        for (size_t i = 0; i < got; ++i) {
          if (data[i] != expected[i]) {
            mismatch = received + i;
            break;
          }
        }
      }
      hash.update(data);
      received += got;
      received_.store(received);
    }
    std::lock_guard lock(outcome_mutex_);
    outcome_.received = received;
    outcome_.received_hash = hash.value();
    outcome_.first_mismatch = mismatch;
    outcome_.read_end = end;
    outcome_.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    receive_done_ = true;
  }

  TcpConnection connection_;
  const uint64_t seed_;
  std::atomic<bool> stop_sending_{false};
  std::atomic<bool> abandon_{false};
  std::atomic<bool> receive_done_{false};
  std::atomic<uint64_t> received_{0};
  std::mutex outcome_mutex_;
  StreamOutcome outcome_;
  std::thread sender_;
  std::thread receiver_;
};

// The walk-through's weights for v1 (`one`) and v2 (`two`) on the main Gateway
// server, in one rule that also matches the port of each of `more_servers` (name,
// port), which listen too.
istio::Config weightsScenario(
    int v1_weight, int v2_weight, uint16_t one_port, uint16_t two_port,
    const std::vector<std::pair<std::string, uint16_t>>& more_servers = {}) {
  istio::Config scenario = istio::walkThroughObjects();
  scenario.gateway().server(istio::Server(kMainPort));
  istio::Rule rule = istio::Rule().match(istio::Match().port(kMainPort));
  for (const auto& [name, port] : more_servers) {
    scenario.gateway().server(istio::Server(port, name));
    rule.match(istio::Match().port(port));
  }
  scenario.virtualService().tcp(rule.to(istio::walkThroughSubset("v1"), v1_weight)
                                    .to(istio::walkThroughSubset("v2"), v2_weight));
  scenario.addVersionSubset("v1", {one_port}).addVersionSubset("v2", {two_port});
  return scenario;
}

// The walk-through's weights on the main Gateway server, and — while `with_extra` —
// a second server whose rule sends everything to the raw echo server. Without it, the
// reload removes that server, its rule, the raw subset and the raw endpoint: all that
// the long-lived stream started with.
istio::Config shiftScenario(bool all_to_one, bool with_extra, uint16_t one_port, uint16_t two_port,
                            uint16_t raw_port) {
  istio::Config scenario =
      weightsScenario(all_to_one ? 100 : 0, all_to_one ? 0 : 100, one_port, two_port);
  if (with_extra) {
    scenario.addPortRoute("tcp-extra", kExtraPort, istio::walkThroughSubset("raw"));
    scenario.addVersionSubset("raw", {raw_port});
  }
  return scenario;
}

// One connection to the extra listener: what it sends comes back (the raw echo).
::testing::AssertionResult extraListenerEchoes(uint16_t port, const std::string& payload) {
  std::string error;
  std::optional<TcpConnection> connection = TcpConnection::connect(port, seconds(5), &error);
  if (!connection) return ::testing::AssertionFailure() << "connect: " << error;
  if (connection->sendAll(payload, seconds(5)) != IoStatus::kOk || !connection->shutdownWrite()) {
    return ::testing::AssertionFailure() << "send failed";
  }
  TcpConnection::ReadResult echo = connection->readUntilEof(seconds(5));
  if (echo.data != payload || echo.end != IoStatus::kEof) {
    return ::testing::AssertionFailure() << "got '" << oneLine(echo.data) << "' then "
                                         << toString(echo.end);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult connectionRefused(uint16_t port) {
  std::string error;
  std::optional<TcpConnection> connection = TcpConnection::connect(port, seconds(2), &error);
  if (connection) return ::testing::AssertionFailure() << "port " << port << " accepted";
  if (error.find("refused") == std::string::npos) {
    return ::testing::AssertionFailure() << "not refused but: " << error;
  }
  return ::testing::AssertionSuccess();
}

// The headline test. 100 reloads alternate the weights 100/0 and 0/100 (so
// after reload i every new connection must go to `one` or to `two`) and add or remove
// the extra listener every second reload (so all four combinations occur). Nine in ten
// reloads are POST /reload, the rest SIGHUP. Meanwhile one connection opened on the
// extra listener before the first reload streams without pause; the reloads remove its
// listener, rule, subset and endpoint 25 times, and put them back.
TEST(LiveReload, HundredReloadsShiftNewConnectionsWhileAStreamFlows) {
  constexpr int kReloads = 100;
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  auto raw = EchoServer::raw(dir);
  auto scenarioAt = [&](int reload) {
    return shiftScenario(reload % 2 == 0, (reload / 2) % 2 == 0, one.port(), two.port(),
                         raw->port());
  };
  SignalOnlyConfig config(dir, scenarioAt(0));
  ReadyWeir weir(dir, config.paths(),
                 {.concurrency = 2,
                  .ephemeral_gateway_ports = {kMainPort, kExtraPort},
                  .extra_args = kSignalOnly});
  const uint16_t main_port = weir.port(kMainPort);
  const uint16_t extra_port = weir.port(kExtraPort);

  std::string error;
  std::optional<TcpConnection> stream_connection =
      TcpConnection::connect(extra_port, seconds(5), &error);
  ASSERT_TRUE(stream_connection.has_value()) << error;
  EchoStream stream(std::move(*stream_connection), 0x5eed0003);
  ASSERT_TRUE(stream.waitForMoreThan(0, seconds(5))) << "the stream does not flow";
  ASSERT_TRUE(allConnectionsAnsweredBy(dir, main_port, "one"));

  const auto start = Clock::now();
  milliseconds reload_time{0};
  milliseconds client_time{0};
  int by_signal = 0;
  for (int i = 1; i <= kReloads && !::testing::Test::HasFailure(); ++i) {
    SCOPED_TRACE("reload " + std::to_string(i));
    const bool all_to_one = i % 2 == 0;
    const bool with_extra = (i / 2) % 2 == 0;
    const uint64_t streamed_before = stream.received();
    config.write(scenarioAt(i));

    const auto reload_start = Clock::now();
    if (i % 10 == 5) {
      ++by_signal;
      ASSERT_TRUE(weir.process().signal(SIGHUP));
      ASSERT_TRUE(weir.waitForStats(
          [&](const StatsSnapshot& stats) {
            return stats.number("server.config_generation") == uint64_t(1 + i);
          },
          seconds(5)))
          << "SIGHUP did not reload within 5 s";
    } else {
      HttpResponse reloaded = weir.post("/reload");
      ASSERT_EQ(reloaded.status, 200) << reloaded.describe();
      ASSERT_EQ(reloaded.body, "reloaded\n");
    }
    reload_time += std::chrono::duration_cast<milliseconds>(Clock::now() - reload_start);

    // Exactly one reload per trigger, each one applied.
    std::optional<StatsSnapshot> stats = weir.stats(&error);
    ASSERT_TRUE(stats.has_value()) << error;
    EXPECT_EQ(stats->number("server.config_generation"), uint64_t(1 + i));
    EXPECT_EQ(stats->number("server.config_reload_success"), uint64_t(i));
    EXPECT_EQ(stats->number("server.config_reload_failure"), 0u);

    const auto client_start = Clock::now();
    EXPECT_TRUE(allConnectionsAnsweredBy(dir, main_port, all_to_one ? "one" : "two"))
        << (all_to_one ? "weights 100/0" : "weights 0/100");
    client_time += std::chrono::duration_cast<milliseconds>(Clock::now() - client_start);

    if (with_extra) {
      EXPECT_TRUE(extraListenerEchoes(extra_port, "probe " + std::to_string(i) + "\n"))
          << "the extra listener is in the config but does not serve";
    } else {
      EXPECT_TRUE(connectionRefused(extra_port))
          << "the extra listener was removed but still accepts";
    }
    EXPECT_TRUE(stream.waitForMoreThan(streamed_before, seconds(5)))
        << "the long-lived stream stalled (" << stream.received() << " bytes so far)";
  }
  const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);

  StreamOutcome outcome = stream.finish(seconds(30));
  std::cout << "[live-reload] " << kReloads << " reloads (" << by_signal << " by SIGHUP, "
            << kReloads - by_signal << " by POST /reload), " << kReloads * kConnectionsPerCheck
            << " checked connections in " << elapsed.count() << " ms (reloads "
            << reload_time.count() << " ms, tcp-echo-client runs " << client_time.count()
            << " ms); stream: " << outcome.describe() << "\n";
  EXPECT_EQ(outcome.send_end, IoStatus::kOk) << outcome.describe();
  EXPECT_TRUE(outcome.shut_down_write) << outcome.describe();
  EXPECT_EQ(outcome.read_end, IoStatus::kEof) << outcome.describe();
  EXPECT_EQ(outcome.received, outcome.sent) << outcome.describe();
  EXPECT_EQ(outcome.received_hash, outcome.sent_hash) << outcome.describe();
  EXPECT_FALSE(outcome.first_mismatch.has_value()) << outcome.describe();
  EXPECT_GT(outcome.sent, 0u);
}

// A VirtualService with a negative weight, written together with a Gateway that adds a
// listener: the whole reload is refused (the listener does not open), POST /reload
// answers 400 with the error's file:line:column, the failure counter counts it, and
// the old weights keep serving. The fixed config then applies normally.
TEST(LiveReload, BrokenEditIsRefusedReportedAndChangesNothing) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  // The added server listens on a port of its own (no --port-override), so that the
  // test can see whether it opened.
  const uint16_t added_port = freeTcpPort();
  SignalOnlyConfig config(dir, weightsScenario(100, 0, one.port(), two.port()));
  ReadyWeir weir(dir, config.paths(),
                 {.concurrency = 2, .ephemeral_gateway_ports = {kMainPort}, .extra_args = kSignalOnly});
  const uint16_t main_port = weir.port(kMainPort);
  ASSERT_TRUE(allConnectionsAnsweredBy(dir, main_port, "one"));

  const istio::Config broken =
      weightsScenario(100, -5, one.port(), two.port(), {{"tcp-added", added_port}});
  const std::string broken_virtual_service = broken.yaml(istio::Kind::kVirtualService);
  config.write(broken);
  const TextPosition weight = positionOf(broken_virtual_service, "-5");
  const std::string expected_error = config.livePath("virtual-service.yaml").string() + ":" +
                                     std::to_string(weight.line) + ":" +
                                     std::to_string(weight.column) +
                                     ": spec.tcp[0].route[1].weight: weight -5 < 0";

  HttpResponse refused = weir.post("/reload");
  EXPECT_EQ(refused.status, 400) << refused.describe();
  EXPECT_EQ(refused.body, expected_error + "\n");

  std::string error;
  std::optional<StatsSnapshot> stats = weir.stats(&error);
  ASSERT_TRUE(stats.has_value()) << error;
  EXPECT_EQ(stats->number("server.config_reload_failure"), 1u);
  EXPECT_EQ(stats->number("server.config_reload_success"), 0u);
  EXPECT_EQ(stats->number("server.config_generation"), 1u);
  EXPECT_TRUE(connectionRefused(added_port)) << "a refused reload opened its new listener";
  EXPECT_TRUE(allConnectionsAnsweredBy(dir, main_port, "one"))
      << "a refused reload changed the weights";

  // /config_dump still shows generation 1 with 100/0, and the rejected reload's error.
  HttpResponse dump = weir.get("/config_dump");
  ASSERT_EQ(dump.status, 200) << dump.describe();
  std::optional<JsonValue> document = parseJson(dump.body, &error);
  ASSERT_TRUE(document.has_value()) << error;
  EXPECT_EQ(document->find("generation")->asUnsigned(), 1u);
  const JsonValue* last_reload = document->find("last_reload");
  ASSERT_TRUE(last_reload != nullptr && last_reload->isObject()) << dump.body;
  EXPECT_EQ(last_reload->find("result")->string, "rejected");
  const JsonValue* errors = last_reload->find("errors");
  ASSERT_TRUE(errors != nullptr && errors->isArray()) << dump.body;
  ASSERT_EQ(errors->items.size(), 1u) << dump.body;
  EXPECT_EQ(errors->items[0].string, expected_error);
  const JsonValue* listeners = document->find("listeners");
  ASSERT_TRUE(listeners != nullptr && listeners->isArray());
  EXPECT_EQ(listeners->items.size(), 1u) << dump.body;
  const JsonValue& destinations = *document->find("routes")->items.at(0).find("destinations");
  ASSERT_EQ(destinations.items.size(), 2u) << dump.body;
  EXPECT_EQ(destinations.items[0].find("weight")->asUnsigned(), 100u);
  EXPECT_EQ(destinations.items[1].find("weight")->asUnsigned(), 0u);

  // SIGHUP reads the same broken files: refused as well, counted again.
  ASSERT_TRUE(weir.process().signal(SIGHUP));
  EXPECT_TRUE(weir.waitForStats(
      [](const StatsSnapshot& s) { return s.number("server.config_reload_failure") == 2u; },
      seconds(5)))
      << "SIGHUP with a broken config was not counted as a failed reload";
  EXPECT_EQ(weir.stat("server.config_generation"), 1u);
  EXPECT_TRUE(allConnectionsAnsweredBy(dir, main_port, "one"));
  EXPECT_TRUE(weir.process().running());

  // Fixed: 0/100 and the added listener, applied as a whole.
  config.write(weightsScenario(0, 100, one.port(), two.port(), {{"tcp-added", added_port}}));
  HttpResponse applied = weir.post("/reload");
  EXPECT_EQ(applied.status, 200) << applied.describe();
  EXPECT_EQ(weir.stat("server.config_generation"), 2u);
  EXPECT_EQ(weir.stat("server.config_reload_success"), 1u);
  EXPECT_TRUE(allConnectionsAnsweredBy(dir, main_port, "two"));
  EXPECT_TRUE(allConnectionsAnsweredBy(dir, added_port, "two"));
}

// No SIGHUP, no POST: weir watches the configuration directory. An editor-style save
// (write aside, rename over) shifts the traffic; so does an in-place rewrite; a broken
// save is refused, counted, and the previous weights keep serving.
TEST(LiveReload, FileEditsInTheConfigDirectoryReloadWithoutATrigger) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  auto weights = [&](int v1_weight, int v2_weight) {
    return weightsScenario(v1_weight, v2_weight, one.port(), two.port())
        .yaml(istio::Kind::kVirtualService);
  };
  const std::filesystem::path config =
      weightsScenario(100, 0, one.port(), two.port()).writeSplitIn(dir);
  ReadyWeir weir(dir, {config}, {.concurrency = 2, .ephemeral_gateway_ports = {kMainPort}});
  const uint16_t main_port = weir.port(kMainPort);
  ASSERT_TRUE(allConnectionsAnsweredBy(dir, main_port, "one"));
  auto generationReaches = [&](uint64_t generation) {
    return weir.waitForStats(
        [&](const StatsSnapshot& s) { return s.number("server.config_generation") == generation; },
        seconds(10)).has_value();
  };

  // Write aside and rename over: 0/100.
  replaceFile(config / "virtual-service.yaml", weights(0, 100));
  ASSERT_TRUE(generationReaches(2)) << "no reload within 10 s of a renamed-over file";
  EXPECT_TRUE(allConnectionsAnsweredBy(dir, main_port, "two"));

  // Rewritten in place (truncate and write): back to 100/0.
  writeTextFile(config / "virtual-service.yaml", weights(100, 0));
  ASSERT_TRUE(generationReaches(3)) << "no reload within 10 s of an in-place rewrite";
  EXPECT_TRUE(allConnectionsAnsweredBy(dir, main_port, "one"));
  EXPECT_EQ(weir.stat("server.config_reload_success"), 2u);

  // A broken save: refused, counted, nothing changes.
  replaceFile(config / "virtual-service.yaml", weights(0, -1));
  EXPECT_TRUE(weir.waitForStats(
      [](const StatsSnapshot& s) { return s.number("server.config_reload_failure") == 1u; },
      seconds(10)))
      << "a broken save was not counted as a failed reload";
  EXPECT_EQ(weir.stat("server.config_generation"), 3u);
  EXPECT_TRUE(allConnectionsAnsweredBy(dir, main_port, "one"));
  HttpResponse dump = weir.get("/config_dump");
  std::string error;
  std::optional<JsonValue> document = parseJson(dump.body, &error);
  ASSERT_TRUE(document.has_value()) << error;
  const JsonValue* last_reload = document->find("last_reload");
  ASSERT_TRUE(last_reload != nullptr && last_reload->isObject()) << dump.body;
  EXPECT_EQ(last_reload->find("result")->string, "rejected");
  ASSERT_EQ(last_reload->find("errors")->items.size(), 1u) << dump.body;
  EXPECT_NE(last_reload->find("errors")->items[0].string.find(
                "virtual-service.yaml:"),
            std::string::npos)
      << dump.body;
}

// -c naming single files: weir watches each file (in its directory) and reloads when an
// editor renames a new version over it.
TEST(LiveReload, RenamedOverConfigFileReloadsWithoutATrigger) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const istio::Config scenario = weightsScenario(100, 0, one.port(), two.port());
  const std::filesystem::path config = scenario.writeSplitIn(dir);
  std::vector<std::filesystem::path> files;
  for (const std::string& name : scenario.splitFileNames()) files.push_back(config / name);
  ReadyWeir weir(dir, files, {.concurrency = 2, .ephemeral_gateway_ports = {kMainPort}});
  const uint16_t main_port = weir.port(kMainPort);
  ASSERT_TRUE(allConnectionsAnsweredBy(dir, main_port, "one"));

  replaceFile(config / "virtual-service.yaml",
              weightsScenario(0, 100, one.port(), two.port()).yaml(istio::Kind::kVirtualService));
  EXPECT_TRUE(weir.waitForStats(
      [](const StatsSnapshot& s) { return s.number("server.config_generation") == 2u; },
      seconds(10)))
      << "no reload within 10 s of a renamed-over file";
  EXPECT_TRUE(allConnectionsAnsweredBy(dir, main_port, "two"));
}

// All or nothing: a reload whose new Gateway server cannot listen (its port is taken)
// is refused as a whole — the weights written with it do not apply either.
TEST(LiveReload, ReloadThatCannotOpenAListenerChangesNothing) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  TcpListener occupant;  // holds a port without SO_REUSEPORT: weir cannot bind it
  SignalOnlyConfig config(dir, weightsScenario(100, 0, one.port(), two.port()));
  ReadyWeir weir(dir, config.paths(),
                 {.concurrency = 2, .ephemeral_gateway_ports = {kMainPort}, .extra_args = kSignalOnly});
  const uint16_t main_port = weir.port(kMainPort);

  config.write(weightsScenario(0, 100, one.port(), two.port(), {{"tcp-busy", occupant.port()}}));
  HttpResponse refused = weir.post("/reload");
  EXPECT_EQ(refused.status, 400) << refused.describe();
  EXPECT_NE(refused.body.find(std::to_string(occupant.port())), std::string::npos)
      << "the error should name the busy port: " << refused.body;
  EXPECT_EQ(weir.stat("server.config_reload_failure"), 1u);
  EXPECT_EQ(weir.stat("server.config_generation"), 1u);
  EXPECT_TRUE(allConnectionsAnsweredBy(dir, main_port, "one"))
      << "the weights of a refused reload were applied";
}

// Issue 3: "a change to any loaded config file ... on disk" reloads, also when the
// config file is a symlink (how Kubernetes mounts a ConfigMap; dotfile managers;
// `ln -s`) and the edit lands on its target in another directory.
TEST(LiveReload, EditBehindASymlinkedConfigFileReloads) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  SignalOnlyConfig config(dir, weightsScenario(100, 0, one.port(), two.port()));
  ReadyWeir weir(dir, config.paths(), {.concurrency = 2, .ephemeral_gateway_ports = {kMainPort}});
  config.write(weightsScenario(0, 100, one.port(), two.port()));
  EXPECT_TRUE(weir.waitForStats(
      [](const StatsSnapshot& s) { return s.number("server.config_generation") == 2u; },
      seconds(5)))
      << "an edit behind a symlinked config file did not reload within 5 s";
  EXPECT_TRUE(allConnectionsAnsweredBy(dir, weir.port(kMainPort), "two"));
}

}  // namespace
}  // namespace weir::test
