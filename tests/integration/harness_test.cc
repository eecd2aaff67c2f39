// Tests of the harness itself (tests/support/), so that a failing integration test
// points at weir or the echo binaries and not at the helpers. These need only /bin/sh
// and loopback sockets, except the EchoBinaries suite, which checks the echo
// binaries directly (without weir) so that their faults are told apart from weir's.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "tests/support/byte_stream.h"
#include "tests/support/child_process.h"
#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/line_exchange.h"
#include "tests/support/split_statistics.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

bool processExists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

ChildSpec shell(const TempDir& dir, const std::string& script) {
  return ChildSpec{{"/bin/sh", "-c", script}, dir.path() / "logs", "sh", std::nullopt};
}

TEST(HarnessTempDir, IsCreatedAndRemoved) {
  std::filesystem::path kept;
  {
    TempDir dir;
    kept = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(kept));
    writeTextFile(dir.file("a/b.txt"), "content");
    EXPECT_EQ(readTextFile(dir.path() / "a/b.txt"), "content");
    EXPECT_NE(dir.freshSubdir("x"), dir.freshSubdir("x"));
  }
  if (std::getenv("WEIR_KEEP_TEST_DIRS") == nullptr) {
    EXPECT_FALSE(std::filesystem::exists(kept));
  }
}

TEST(HarnessChildProcess, ReportsExitCodeAndCapturesOutput) {
  TempDir dir;
  ProcessResult result =
      runToCompletion(shell(dir, "echo out; echo err >&2; exit 3"), seconds(10));
  EXPECT_FALSE(result.timed_out);
  EXPECT_TRUE(result.status.exitedWith(3)) << result.status;
  EXPECT_EQ(result.stdout_text, "out\n");
  EXPECT_EQ(result.stderr_text, "err\n");
}

TEST(HarnessChildProcess, RunsInWorkingDirectory) {
  TempDir dir;
  ChildSpec spec = shell(dir, "pwd");
  spec.working_dir = dir.path();
  ProcessResult result = runToCompletion(spec, seconds(10));
  EXPECT_EQ(result.stdout_text, std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST(HarnessChildProcess, ReportsSignalAndTimeout) {
  TempDir dir;
  ChildProcess child(shell(dir, "exec sleep 30"));
  EXPECT_FALSE(child.waitForExit(milliseconds(50)).has_value());
  EXPECT_TRUE(child.signal(SIGKILL));
  std::optional<ExitStatus> status = child.waitForExit(seconds(5));
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->exited);
  EXPECT_EQ(status->signal, SIGKILL);
}

TEST(HarnessChildProcess, UnknownProgramThrows) {
  TempDir dir;
  EXPECT_THROW(ChildProcess(ChildSpec{{"/nonexistent/program"}, dir.path(), "x", std::nullopt}),
               std::runtime_error);
}

TEST(HarnessChildProcess, DestructorStopsAWholeGroupThatIgnoresSigterm) {
  TempDir dir;
  // The shell and its background sleep both ignore SIGTERM; only SIGKILL to the
  // group ends them, and only after the 2 s grace.
  std::optional<ChildProcess> child;
  child.emplace(shell(dir, "trap '' TERM; sleep 30 & echo $!; wait"));
  pid_t pid = child->pid();
  for (int i = 0; i < 1000 && child->stdoutText().empty(); ++i) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_FALSE(child->stdoutText().empty());
  pid_t grandchild = std::atoi(child->stdoutText().c_str());
  ASSERT_GT(grandchild, 0);
  ASSERT_TRUE(processExists(grandchild));

  auto started = Clock::now();
  child.reset();
  auto elapsed = Clock::now() - started;
  EXPECT_LT(elapsed, seconds(5));
  EXPECT_GE(elapsed, milliseconds(1900)) << "SIGKILL must come only after the 2 s grace";
  EXPECT_FALSE(processExists(pid));
  // The orphaned sleep is reaped by init, possibly a moment later; a zombie is dead.
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    std::string stat = readTextFile("/proc/" + std::to_string(grandchild) + "/stat");
    gone = !processExists(grandchild) || stat.empty() || stat.find(") Z") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(gone) << "grandchild " << grandchild << " survived";
}

TEST(HarnessSockets, FreePortRefusesAndListenerAccepts) {
  uint16_t port = freeTcpPort();
  EXPECT_NE(port, 0);
  std::string error;
  EXPECT_FALSE(TcpConnection::connect(port, milliseconds(1000), &error).has_value());
  EXPECT_FALSE(error.empty());

  TcpListener listener;
  std::optional<TcpConnection> client = TcpConnection::connect(listener.port(), seconds(2), &error);
  ASSERT_TRUE(client.has_value()) << error;
  int accepted = listener.accept(seconds(2));
  ASSERT_GE(accepted, 0);
  TcpConnection server = TcpConnection::adopt(accepted);

  // readLine keeps what follows the line for readUntilEof.
  ASSERT_EQ(client->sendAll("one\ntwo\npartial", seconds(2)), IoStatus::kOk);
  ASSERT_TRUE(client->shutdownWrite());
  EXPECT_EQ(server.readLine(seconds(2)), "one");
  EXPECT_EQ(server.readLine(seconds(2)), "two");
  IoStatus status;
  EXPECT_EQ(server.readLine(seconds(2), &status), std::nullopt);
  EXPECT_EQ(status, IoStatus::kEof);
  TcpConnection::ReadResult rest = server.readUntilEof(seconds(2));
  EXPECT_EQ(rest.data, "partial");
  EXPECT_EQ(rest.end, IoStatus::kEof);

  // A half-closed peer can still answer; then a reset is reported as such.
  ASSERT_EQ(server.sendAll("answer\n", seconds(2)), IoStatus::kOk);
  EXPECT_EQ(client->readLine(seconds(2)), "answer");
  EXPECT_EQ(client->readLine(milliseconds(50), &status), std::nullopt);
  EXPECT_EQ(status, IoStatus::kTimeout);
  server.resetAndClose();
  TcpConnection::ReadResult after_reset = client->readUntilEof(seconds(2));
  EXPECT_EQ(after_reset.end, IoStatus::kReset);
}

TEST(HarnessByteStream, PatternIsReproducibleAtAnyOffset) {
  std::string whole(1000, '\0');
  fillPatternBytes(7, 0, whole);
  std::string slice(333, '\0');
  fillPatternBytes(7, 101, slice);
  EXPECT_EQ(slice, whole.substr(101, 333));
  std::string other(1000, '\0');
  fillPatternBytes(8, 0, other);
  EXPECT_NE(other, whole);
}

TEST(HarnessByteStream, Fnv1aKnownValues) {
  Fnv1a64 empty;
  EXPECT_EQ(empty.value(), 0xcbf29ce484222325ULL);
  Fnv1a64 a;
  a.update(std::string_view("a"));
  EXPECT_EQ(a.value(), 0xaf63dc4c8601ec8cULL);
  Fnv1a64 foobar;
  foobar.update(std::string_view("foo"));
  foobar.update(std::string_view("bar"));
  EXPECT_EQ(foobar.value(), 0x85944171f73967e8ULL);
}

// A tiny echo on a TcpListener, in a thread, serving `count` connections one after
// the other (exchangeStreams reads while it sends, so that cannot deadlock).
// Connection 1 gets byte 12345 flipped, connection 2 is cut after 1000 bytes.
void serveEcho(TcpListener& listener, size_t count, bool damage) {
  std::vector<TcpConnection> accepted;
  for (size_t i = 0; i < count; ++i) {
    int fd = listener.accept(seconds(5));
    if (fd < 0) return;
    accepted.push_back(TcpConnection::adopt(fd));
  }
  for (size_t index = 0; index < accepted.size(); ++index) {
    TcpConnection& connection = accepted[index];
    char buffer[8192];
    uint64_t offset = 0;
    const auto deadline = Clock::now() + seconds(20);
    while (true) {
      size_t got = 0;
      if (connection.readSome(buffer, got, deadline) != IoStatus::kOk) break;
      if (damage && index == 1 && offset <= 12345 && 12345 < offset + got) {
        buffer[12345 - offset] ^= 0x20;
      }
      if (damage && index == 2 && offset + got > 1000) {
        got = offset >= 1000 ? 0 : 1000 - offset;
        connection.sendAll(std::string_view(buffer, got), deadline);
        break;
      }
      offset += got;
      if (connection.sendAll(std::string_view(buffer, got), deadline) != IoStatus::kOk) break;
    }
    if (damage && index == 2) {
      connection.close();  // the rest of what the client sends is never read
    } else {
      connection.shutdownWrite();
    }
  }
}

std::vector<StreamOutcome> exchangeWithLocalEcho(const std::vector<StreamPlan>& plans,
                                                 bool damage) {
  TcpListener listener;
  std::vector<TcpConnection> connections;
  for (size_t i = 0; i < plans.size(); ++i) {
    auto connection = TcpConnection::connect(listener.port(), seconds(2));
    if (!connection) throw std::runtime_error("cannot connect to the local echo");
    connections.push_back(std::move(*connection));
  }
  std::thread echo([&] { serveEcho(listener, plans.size(), damage); });
  std::vector<StreamOutcome> outcomes = exchangeStreams(connections, plans, seconds(20));
  echo.join();
  return outcomes;
}

TEST(HarnessByteStream, ExchangeThroughALocalEcho) {
  std::vector<StreamPlan> plans;
  for (uint64_t i = 0; i < 3; ++i) plans.push_back(StreamPlan{100 + i, 200000 * (i + 1), 1, 4096});
  std::vector<StreamOutcome> outcomes = exchangeWithLocalEcho(plans, false);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    SCOPED_TRACE(outcomes[i].describe());
    EXPECT_EQ(outcomes[i].sent, plans[i].bytes);
    EXPECT_TRUE(outcomes[i].shut_down_write);
    EXPECT_EQ(outcomes[i].received, plans[i].bytes);
    EXPECT_EQ(outcomes[i].received_hash, outcomes[i].sent_hash);
    EXPECT_FALSE(outcomes[i].first_mismatch.has_value());
    EXPECT_EQ(outcomes[i].read_end, IoStatus::kEof);
  }
}

// The checks of the integrity tests can fail: a flipped byte and a cut stream show.
TEST(HarnessByteStream, DetectsAFlippedByteAndACutStream) {
  std::vector<StreamPlan> plans;
  for (uint64_t i = 0; i < 3; ++i) plans.push_back(StreamPlan{200 + i, 100000, 1, 4096});
  std::vector<StreamOutcome> outcomes = exchangeWithLocalEcho(plans, true);
  EXPECT_FALSE(outcomes[0].first_mismatch.has_value()) << outcomes[0].describe();
  EXPECT_EQ(outcomes[0].received_hash, outcomes[0].sent_hash);

  EXPECT_EQ(outcomes[1].first_mismatch, std::optional<uint64_t>(12345)) << outcomes[1].describe();
  EXPECT_EQ(outcomes[1].received, plans[1].bytes);
  EXPECT_NE(outcomes[1].received_hash, outcomes[1].sent_hash);

  EXPECT_LE(outcomes[2].received, 1000u) << outcomes[2].describe();
  EXPECT_FALSE(outcomes[2].first_mismatch.has_value()) << outcomes[2].describe();
}

TEST(HarnessClientTally, ParsesReport) {
  std::string error;
  auto tally = parseClientTally(
      "one 801 (80.1%)\ntwo 197 (19.7%)\nerrors 2\n  connect refused 1\n  connection reset 1\n",
      &error);
  ASSERT_TRUE(tally.has_value()) << error;
  EXPECT_EQ(tally->count("one"), 801u);
  EXPECT_EQ(tally->count("two"), 197u);
  EXPECT_EQ(tally->count("three"), 0u);
  EXPECT_EQ(tally->totalAnswers(), 998u);
  EXPECT_EQ(tally->errors, 2u);
  EXPECT_EQ(tally->error_kinds.at("connect refused"), 1u);

  auto clean = parseClientTally("one 10 (100.0%)\nerrors 0\n", &error);
  ASSERT_TRUE(clean.has_value()) << error;
  EXPECT_EQ(clean->errors, 0u);

  EXPECT_FALSE(parseClientTally("", &error).has_value());
  EXPECT_FALSE(parseClientTally("one 10 (100.0%)\n", &error).has_value());
  EXPECT_FALSE(parseClientTally("one ten (100.0%)\nerrors 0\n", &error).has_value());
  EXPECT_FALSE(parseClientTally("errors 2\n  connect refused 1\n", &error).has_value());
}

TEST(HarnessEchoServer, ParsesListeningLine) {
  EXPECT_EQ(parseListeningPort("listening on 127.0.0.1:4242, prefix: one\n"), 4242);
  EXPECT_EQ(parseListeningPort("listening on [::]:9001, prefix: two\n"), 9001);
  EXPECT_EQ(parseListeningPort("listening on 127.0.0.1:4242"), std::nullopt);  // incomplete
  EXPECT_EQ(parseListeningPort("starting\n"), std::nullopt);
}

TEST(HarnessStatistics, BinomialHalfWidth) {
  // p=0.8, n=10000: sd = sqrt(10000·0.8·0.2) = 40, 3.29·40 = 131.6 → 132.
  EXPECT_EQ(binomialHalfWidth(10000, 0.8, kZ999), 132u);
  EXPECT_EQ(binomialHalfWidth(10000, 0.5, kZ999), 165u);  // sd 50
}

TEST(HarnessConfig, WritesTheWalkThroughShape) {
  TempDir dir;
  auto config = istio::walkThrough(12345, {{"v1", 80, {20001}}, {"v2", 20, {20002, 20003}}})
                    .writeSplit(dir.path() / "config");
  std::string vs = readTextFile(config / "virtual-service.yaml");
  EXPECT_NE(vs.find("- port: 12345\n"), std::string::npos) << vs;
  EXPECT_NE(vs.find("subset: v2\n      weight: 20\n"), std::string::npos) << vs;
  std::string se = readTextFile(config / "service-entry.yaml");
  EXPECT_NE(se.find("tcp: 20003\n    labels:\n      version: v2\n"), std::string::npos) << se;
  EXPECT_NE(readTextFile(config / "gateway.yaml").find("number: 12345\n"), std::string::npos);
  EXPECT_NE(readTextFile(config / "destination-rule.yaml").find("- name: v2\n"),
            std::string::npos);
}

// Both ways of waiting for weir work, and the ready file tells the admin port.
TEST(HarnessWeir, ReadyFileAndProbeReadiness) {
  TempDir dir;
  EchoServer one(dir, "one");
  auto by_file = startTrafficShift(dir, {{"v1", 100, {one.port()}}});
  ASSERT_TRUE(by_file->adminPort().has_value());
  EXPECT_TRUE(TcpConnection::connect(*by_file->adminPort(), seconds(2)).has_value());
  EXPECT_EQ(exchangeLine(by_file->port(), "hi", seconds(5)).data, "one hi\n");

  auto by_probe = startTrafficShift(dir, {{"v1", 100, {one.port()}}},
                                    {.readiness = Readiness::kProbeConnection});
  EXPECT_FALSE(by_probe->adminPort().has_value());
  EXPECT_EQ(exchangeLine(by_probe->port(), "hi", seconds(5)).data, "one hi\n");
}

// weir that cannot start (here: a config with an error) fails fast with its stderr.
TEST(HarnessWeir, StartFailureThrowsWithStderr) {
  TempDir dir;
  std::filesystem::path config = dir.freshSubdir("config");
  writeTextFile(config / "broken.yaml", "kind: [Gateway\n");
  const auto started = Clock::now();
  try {
    WeirProcess weir(dir, {config}, freeTcpPort());
    ADD_FAILURE() << "weir started with a broken config";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("exited"), std::string::npos) << error.what();
  }
  EXPECT_LT(Clock::now() - started, seconds(5));
}

// The echo binaries on their own, without weir: if these fail, so will everything
// that goes through weir, and the fault is in echo/.
TEST(EchoBinaries, ServerAnswersWithPrefixAndClosesAfterEof) {
  TempDir dir;
  EchoServer server(dir, "one");
  LineExchange exchange = exchangeLine(server.port(), "hello", seconds(5));
  EXPECT_EQ(exchange.data, "one hello\n") << exchange.describe();
  EXPECT_EQ(exchange.end, IoStatus::kEof) << exchange.describe();
}

TEST(EchoBinaries, RawServerEchoesBytes) {
  TempDir dir;
  auto server = EchoServer::raw(dir);
  std::vector<TcpConnection> connections;
  auto connection = TcpConnection::connect(server->port(), seconds(2));
  ASSERT_TRUE(connection.has_value());
  connections.push_back(std::move(*connection));
  std::vector<StreamPlan> plans = {StreamPlan{1, 4 * 1024 * 1024, 1, 65536}};
  std::vector<StreamOutcome> outcomes = exchangeStreams(connections, plans, seconds(30));
  SCOPED_TRACE(outcomes[0].describe());
  EXPECT_EQ(outcomes[0].received, plans[0].bytes);
  EXPECT_FALSE(outcomes[0].first_mismatch.has_value());
  EXPECT_EQ(outcomes[0].read_end, IoStatus::kEof);
}

TEST(EchoBinaries, ClientTalliesAnswers) {
  TempDir dir;
  EchoServer server(dir, "one");
  EchoClientRun run = runEchoClient(dir, server.port(), {.connections = 200, .concurrency = 20});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_TRUE(run.process.status.exitedWith(0)) << run.describe();
  EXPECT_EQ(run.tally->count("one"), 200u) << run.describe();
  EXPECT_EQ(run.tally->totalAnswers(), 200u) << run.describe();
  EXPECT_EQ(run.tally->errors, 0u) << run.describe();
}

TEST(EchoBinaries, ClientCountsRefusedConnectionsAsErrors) {
  TempDir dir;
  EchoClientRun run = runEchoClient(dir, freeTcpPort(), {.connections = 5, .concurrency = 1});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_TRUE(run.process.status.exitedWith(1)) << run.describe();
  EXPECT_EQ(run.tally->errors, 5u) << run.describe();
  EXPECT_EQ(run.tally->totalAnswers(), 0u) << run.describe();
}

}  // namespace
}  // namespace weir::test
