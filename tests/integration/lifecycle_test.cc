// Issue 3, "Lifecycle": SIGTERM and POST /drain stop accepting, turn /ready to 503 and
// let open connections finish for up to --drain-time, then exit 0; a second SIGTERM,
// SIGINT and POST /quitquitquit end weir at once; --help and --version.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <regex>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;

struct LifecycleFixture {
  TempDir dir;
  EchoServer one{dir, "one"};
  std::filesystem::path config;

  LifecycleFixture() {
    config = istio::walkThrough(kPort, {{"v1", 100, {one.port()}}}).writeSplitIn(dir);
  }

  std::unique_ptr<ReadyWeir> start(std::optional<unsigned> drain_time = std::nullopt) {
    return std::make_unique<ReadyWeir>(
        dir, std::vector<std::filesystem::path>{config},
        ReadyWeirOptions{.concurrency = 2, .ephemeral_gateway_ports = {kPort},
                         .drain_time_seconds = drain_time});
  }
};

// A connection through weir that has had one answered exchange.
std::optional<TcpConnection> openServedConnection(uint16_t port) {
  std::string error;
  std::optional<TcpConnection> connection = TcpConnection::connect(port, seconds(5), &error);
  EXPECT_TRUE(connection.has_value()) << error;
  if (!connection) return std::nullopt;
  EXPECT_EQ(connection->sendAll("before\n", seconds(5)), IoStatus::kOk);
  EXPECT_EQ(connection->readLine(seconds(5)), "one before");
  return connection;
}

// Polls (every 20 ms, at most 5 s) until a connect to `port` is refused.
bool becomesRefusing(uint16_t port) {
  const auto deadline = Clock::now() + seconds(5);
  while (Clock::now() < deadline) {
    std::string error;
    if (!TcpConnection::connect(port, milliseconds(500), &error) &&
        error.find("refused") != std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

// The drain sequence both triggers share: while one connection is open, weir refuses
// new ones, /ready answers 503, the stats say draining, and the open connection is
// still served; once it ends, weir exits 0 well before the drain time.
void expectDrainLetsTheOpenConnectionFinish(ReadyWeir& weir, TcpConnection& open,
                                            const std::function<void()>& start_drain) {
  const uint16_t port = weir.port(kPort);
  start_drain();
  EXPECT_TRUE(becomesRefusing(port)) << "new connections still accepted 5 s into the drain";
  HttpResponse ready = weir.get("/ready");
  EXPECT_EQ(ready.status, 503) << ready.describe();
  EXPECT_EQ(ready.body, "DRAINING\n");
  EXPECT_EQ(weir.stat("server.draining"), 1u);
  EXPECT_TRUE(weir.process().running()) << "weir exited with a connection still open";

  ASSERT_EQ(open.sendAll("during\n", seconds(5)), IoStatus::kOk);
  EXPECT_EQ(open.readLine(seconds(5)), "one during");
  ASSERT_TRUE(open.shutdownWrite());
  TcpConnection::ReadResult rest = open.readUntilEof(seconds(5));
  EXPECT_EQ(rest.data, "");
  EXPECT_EQ(rest.end, IoStatus::kEof) << toString(rest.end);
  open.close();

  const auto closed = Clock::now();
  std::optional<ExitStatus> status = weir.process().waitForExit(seconds(5));
  ASSERT_TRUE(status.has_value()) << "weir still runs 5 s after its last connection closed";
  EXPECT_TRUE(status->exitedWith(0)) << *status;
  EXPECT_LT(Clock::now() - closed, seconds(5));
}

TEST(Lifecycle, SigtermDrainsOpenConnectionsThenExitsZero) {
  LifecycleFixture fixture;
  auto weir = fixture.start();
  std::optional<TcpConnection> open = openServedConnection(weir->port(kPort));
  ASSERT_TRUE(open.has_value());
  expectDrainLetsTheOpenConnectionFinish(*weir, *open, [&] {
    ASSERT_TRUE(weir->process().signal(SIGTERM));
  });
}

TEST(Lifecycle, PostDrainDrainsLikeSigterm) {
  LifecycleFixture fixture;
  auto weir = fixture.start();
  std::optional<TcpConnection> open = openServedConnection(weir->port(kPort));
  ASSERT_TRUE(open.has_value());
  expectDrainLetsTheOpenConnectionFinish(*weir, *open, [&] {
    HttpResponse drain = weir->post("/drain");
    EXPECT_EQ(drain.status, 200) << drain.describe();
  });
}

// --drain-time 1 and a connection that stays idle: after about a second weir closes it
// and exits 0.
TEST(Lifecycle, DrainTimeClosesConnectionsThatDoNotFinish) {
  LifecycleFixture fixture;
  auto weir = fixture.start(1);
  std::optional<TcpConnection> open = openServedConnection(weir->port(kPort));
  ASSERT_TRUE(open.has_value());

  const auto signalled = Clock::now();
  ASSERT_TRUE(weir->process().signal(SIGTERM));
  TcpConnection::ReadResult end = open->readUntilEof(seconds(10));
  const auto closed_after = std::chrono::duration_cast<milliseconds>(Clock::now() - signalled);
  EXPECT_TRUE(end.end == IoStatus::kEof || end.end == IoStatus::kReset)
      << "the connection was not closed within 10 s: " << toString(end.end);
  EXPECT_EQ(end.data, "");
  std::optional<ExitStatus> status = weir->process().waitForExit(seconds(10));
  const auto exited_after = std::chrono::duration_cast<milliseconds>(Clock::now() - signalled);
  ASSERT_TRUE(status.has_value()) << "weir still runs 10 s after SIGTERM with --drain-time 1";
  EXPECT_TRUE(status->exitedWith(0)) << *status;
  // The drain timer ticks every 100 ms; allow scheduling slack above, none below.
  EXPECT_GE(closed_after, milliseconds(900)) << "closed before the drain time was up";
  EXPECT_LT(exited_after, seconds(5));
  std::cout << "[lifecycle] --drain-time 1: connection closed after " << closed_after.count()
            << " ms, weir exited after " << exited_after.count() << " ms\n";
}

// A second SIGTERM during a drain (default drain time 30 s) ends weir at once.
TEST(Lifecycle, SecondSigtermExitsAtOnce) {
  LifecycleFixture fixture;
  auto weir = fixture.start();
  std::optional<TcpConnection> open = openServedConnection(weir->port(kPort));
  ASSERT_TRUE(open.has_value());
  ASSERT_TRUE(weir->process().signal(SIGTERM));
  ASSERT_TRUE(becomesRefusing(weir->port(kPort))) << "the first SIGTERM did not start a drain";
  ASSERT_TRUE(weir->process().running());

  const auto second = Clock::now();
  ASSERT_TRUE(weir->process().signal(SIGTERM));
  std::optional<ExitStatus> status = weir->process().waitForExit(seconds(3));
  ASSERT_TRUE(status.has_value()) << "weir still runs 3 s after a second SIGTERM";
  EXPECT_TRUE(status->exitedWith(0)) << *status;
  EXPECT_LT(Clock::now() - second, seconds(3));
  TcpConnection::ReadResult end = open->readUntilEof(seconds(5));
  EXPECT_TRUE(end.end == IoStatus::kEof || end.end == IoStatus::kReset) << toString(end.end);
}

// SIGINT does not drain: weir exits 0 at once, even with a connection open.
TEST(Lifecycle, SigintExitsAtOnceWithAnOpenConnection) {
  LifecycleFixture fixture;
  auto weir = fixture.start();
  std::optional<TcpConnection> open = openServedConnection(weir->port(kPort));
  ASSERT_TRUE(open.has_value());
  const auto sent = Clock::now();
  ASSERT_TRUE(weir->process().signal(SIGINT));
  std::optional<ExitStatus> status = weir->process().waitForExit(seconds(3));
  ASSERT_TRUE(status.has_value()) << "weir still runs 3 s after SIGINT";
  EXPECT_TRUE(status->exitedWith(0)) << *status;
  EXPECT_LT(Clock::now() - sent, seconds(3));
}

// POST /quitquitquit ends weir at once (exit 0), open connections or not.
TEST(Lifecycle, PostQuitQuitQuitExitsZero) {
  LifecycleFixture fixture;
  auto weir = fixture.start();
  std::optional<TcpConnection> open = openServedConnection(weir->port(kPort));
  ASSERT_TRUE(open.has_value());
  HttpResponse quit = weir->post("/quitquitquit");
  EXPECT_EQ(quit.status, 200) << quit.describe();
  std::optional<ExitStatus> status = weir->process().waitForExit(seconds(3));
  ASSERT_TRUE(status.has_value()) << "weir still runs 3 s after POST /quitquitquit";
  EXPECT_TRUE(status->exitedWith(0)) << *status;
  EXPECT_FALSE(TcpConnection::connect(weir->port(kPort), milliseconds(500)).has_value());
  TcpConnection::ReadResult end = open->readUntilEof(seconds(5));
  EXPECT_TRUE(end.end == IoStatus::kEof || end.end == IoStatus::kReset) << toString(end.end);
}

// Like Envoy, weir answers POST /quitquitquit (200 "OK") before it exits.
TEST(Lifecycle, PostQuitQuitQuitAnswersBeforeExiting) {
  LifecycleFixture fixture;
  auto weir = fixture.start();
  HttpResponse quit = weir->post("/quitquitquit");
  EXPECT_EQ(quit.status, 200) << quit.describe();
  EXPECT_EQ(quit.body, "OK\n");
  std::optional<ExitStatus> status = weir->process().waitForExit(seconds(3));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->exitedWith(0)) << *status;
}

ProcessResult runWeir(const TempDir& dir, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), kWeirBinary);
  return runToCompletion(ChildSpec{arguments, dir.path() / "logs", "weir-cli", std::nullopt},
                         seconds(10));
}

TEST(Lifecycle, HelpDocumentsEveryFlag) {
  TempDir dir;
  ProcessResult help = runWeir(dir, {"--help"});
  ASSERT_TRUE(help.status.exitedWith(0)) << help.status << help.stderr_text;
  for (const std::string flag :
       {"-c", "--config", "--validate", "--bind", "--port-override", "--ready-file",
        "--concurrency", "--seed", "--buffer-limit", "--log-level", "--admin", "--access-log",
        "--access-log-format", "--drain-time", "-h", "--help", "--version"}) {
    // As an option at the start of its help entry, not just somewhere in the prose.
    const std::regex entry("(^|\\n) +(-[a-z], )?" + flag + "[ ,\\n]");
    EXPECT_TRUE(std::regex_search(help.stdout_text, entry)) << flag << " is not documented";
  }
  for (const std::string word : {"SIGHUP", "SIGTERM", "SIGINT", "/reload", "/drain",
                                 "/quitquitquit", "/stats/prometheus", "/clusters",
                                 "/config_dump", "/ready", "/reset_counters"}) {
    EXPECT_NE(help.stdout_text.find(word), std::string::npos) << word << " is not mentioned";
  }
  ProcessResult short_help = runWeir(dir, {"-h"});
  EXPECT_TRUE(short_help.status.exitedWith(0));
  EXPECT_EQ(short_help.stdout_text, help.stdout_text);
}

TEST(Lifecycle, VersionPrintsAVersionAndTheCommit) {
  TempDir dir;
  ProcessResult version = runWeir(dir, {"--version"});
  ASSERT_TRUE(version.status.exitedWith(0)) << version.status << version.stderr_text;
  EXPECT_TRUE(std::regex_match(
      version.stdout_text,
      std::regex("weir \\d+\\.\\d+\\.\\d+ \\(commit ([0-9a-f]{7,40}|unknown)\\)\\n")))
      << "'" << version.stdout_text << "'";
}

// The start-up summary names each listener with its bound port, each rule, its weights
// and the endpoint count of each destination.
TEST(Lifecycle, StartUpSummaryListsListenersRulesWeightsAndEndpoints) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const std::filesystem::path config =
      istio::walkThrough(kPort, {{"v1", 80, {one.port(), two.port()}}, {"v2", 20, {two.port()}}})
          .writeSplitIn(dir);
  ReadyWeir weir(dir, {config}, {.ephemeral_gateway_ports = {kPort}});
  const std::string log = weir.process().stderrText();
  EXPECT_NE(log.find("127.0.0.1:" + std::to_string(weir.port(kPort))), std::string::npos) << log;
  EXPECT_NE(log.find("default/tcp-echo/tcp[0]"), std::string::npos) << log;
  const std::regex v1("outbound\\|9000\\|v1\\|\\S+ weight 80/100 \\(2 endpoint");
  const std::regex v2("outbound\\|9000\\|v2\\|\\S+ weight 20/100 \\(1 endpoint");
  EXPECT_TRUE(std::regex_search(log, v1)) << log;
  EXPECT_TRUE(std::regex_search(log, v2)) << log;
}

}  // namespace
}  // namespace weir::test
