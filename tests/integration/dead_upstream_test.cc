// An upstream that is not there, or dies mid-stream, costs only the connections that
// go to it: they are closed promptly, and weir keeps serving everything else.
#include <gtest/gtest.h>

#include <signal.h>

#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/line_exchange.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kPrompt = seconds(2);

bool closedWithoutAnswer(const LineExchange& exchange) {
  return exchange.connected && exchange.data.empty() &&
         (exchange.end == IoStatus::kEof || exchange.end == IoStatus::kReset) &&
         exchange.elapsed < kPrompt;
}

// v2's only endpoint is a port where nothing listens.
TEST(DeadUpstream, ConnectionsToADeadSubsetCloseAndWeirKeepsServing) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t dead_port = freeTcpPort();
  auto weir = startTrafficShift(dir, {{"v1", 50, {one.port()}}, {"v2", 50, {dead_port}}},
                                {.concurrency = 1, .seed = 5});

  // Each connection either gets v1's answer and EOF, or is closed (EOF or reset)
  // within 2 s with no byte.
  size_t answered = 0;
  size_t closed = 0;
  for (int i = 0; i < 100; ++i) {
    LineExchange exchange = exchangeLine(weir->port(), "hello", seconds(5));
    if (exchange.data == "one hello\n" && exchange.end == IoStatus::kEof) {
      ++answered;
    } else if (closedWithoutAnswer(exchange)) {
      ++closed;
    } else {
      ADD_FAILURE() << "connection " << i << ": " << exchange.describe();
    }
  }
  // 50/50 over 100 connections: both outcomes occur (each misses with p = 2^-100).
  EXPECT_GT(answered, 0u);
  EXPECT_GT(closed, 0u);
  EXPECT_EQ(answered + closed, 100u);
  ASSERT_TRUE(weir->process().running()) << "weir died after upstream connect failures";

  // The same weir, still serving: 100 more through tcp-echo-client, concurrently.
  // Every connection is either an answer from v1 or an error (v2); nothing hangs.
  EchoClientRun run =
      runEchoClient(dir, weir->port(), {.connections = 100, .concurrency = 10});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_FALSE(run.process.timed_out) << run.describe();
  EXPECT_GT(run.tally->count("one"), 0u) << run.describe();
  EXPECT_EQ(run.tally->count("one") + run.tally->errors, 100u) << run.describe();
  EXPECT_EQ(run.tally->totalAnswers(), run.tally->count("one")) << run.describe();
  EXPECT_TRUE(weir->process().running());

  // A fresh weir with weights 100/0: the dead subset is never picked, so all succeed.
  auto healthy = startTrafficShift(dir, {{"v1", 100, {one.port()}}, {"v2", 0, {dead_port}}},
                                   {.concurrency = 2});
  EchoClientRun clean = runEchoClient(dir, healthy->port(), {.connections = 100, .concurrency = 10});
  ASSERT_TRUE(clean.tally.has_value()) << clean.describe();
  EXPECT_TRUE(clean.process.status.exitedWith(0)) << clean.describe();
  EXPECT_EQ(clean.tally->count("one"), 100u) << clean.describe();
  EXPECT_EQ(clean.tally->errors, 0u) << clean.describe();
}

// v1 is a --raw echo (it answers "probe" with "probe"), v2 answers "two probe".
// A connection that landed on v1 is in the middle of its stream when v1 is killed:
// the client sees its connection closed promptly, and weir keeps serving v2.
TEST(DeadUpstream, KilledUpstreamClosesItsConnectionAndWeirServesTheOtherSubset) {
  TempDir dir;
  auto raw = EchoServer::raw(dir);
  EchoServer two(dir, "two");
  auto weir = startTrafficShift(dir, {{"v1", 50, {raw->port()}}, {"v2", 50, {two.port()}}},
                                {.concurrency = 1, .seed = 9});

  std::optional<TcpConnection> on_v1;
  for (int attempt = 0; attempt < 64 && !on_v1; ++attempt) {
    std::string error;
    auto connection = TcpConnection::connect(weir->port(), seconds(5), &error);
    ASSERT_TRUE(connection.has_value()) << error;
    ASSERT_EQ(connection->sendAll("probe\n", seconds(5)), IoStatus::kOk);
    std::optional<std::string> answer = connection->readLine(seconds(5));
    ASSERT_TRUE(answer.has_value()) << "attempt " << attempt << ": no answer";
    if (*answer == "probe") {
      on_v1 = std::move(connection);
    } else {
      ASSERT_EQ(*answer, "two probe");
    }
  }
  // 64 tries at 50%: none on v1 has probability 2^-64.
  ASSERT_TRUE(on_v1.has_value()) << "no connection landed on v1";
  ASSERT_EQ(on_v1->sendAll("mid-stream\n", seconds(5)), IoStatus::kOk);
  ASSERT_EQ(on_v1->readLine(seconds(5)), "mid-stream");

  raw->kill();
  TcpConnection::ReadResult after_kill = on_v1->readUntilEof(seconds(5));
  EXPECT_EQ(after_kill.data, "");
  EXPECT_TRUE(after_kill.end == IoStatus::kEof || after_kill.end == IoStatus::kReset)
      << toString(after_kill.end);
  EXPECT_LT(after_kill.elapsed, kPrompt) << "the client's connection stayed open after v1 died";
  on_v1.reset();

  ASSERT_TRUE(weir->process().running()) << "weir died with its upstream";
  // New connections: v2 answers; those that pick dead v1 are closed promptly.
  size_t answered = 0;
  for (int i = 0; i < 60; ++i) {
    LineExchange exchange = exchangeLine(weir->port(), "hello", seconds(5));
    if (exchange.data == "two hello\n" && exchange.end == IoStatus::kEof) {
      ++answered;
    } else if (!closedWithoutAnswer(exchange)) {
      ADD_FAILURE() << "connection " << i << ": " << exchange.describe();
    }
  }
  EXPECT_GT(answered, 0u) << "weir no longer serves v2";
  EXPECT_TRUE(weir->process().running());
}

}  // namespace
}  // namespace weir::test
