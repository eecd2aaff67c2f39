// SIGTERM and SIGINT stop weir with exit status 0, promptly.
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// weir serves some connections (all finished), then gets `signo`: it must exit 0
// within 3 s, and its port must stop accepting.
void expectCleanExitOn(int signo, unsigned concurrency) {
  TempDir dir;
  EchoServer one(dir, "one");
  auto weir = startTrafficShift(dir, {{"v1", 100, {one.port()}}}, {.concurrency = concurrency});
  EchoClientRun run = runEchoClient(dir, weir->port(), {.connections = 50, .concurrency = 10});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->count("one"), 50u) << run.describe();

  const auto sent = Clock::now();
  ASSERT_TRUE(weir->process().signal(signo));
  std::optional<ExitStatus> status = weir->process().waitForExit(seconds(3));
  ASSERT_TRUE(status.has_value()) << "weir still runs 3 s after signal " << signo;
  EXPECT_TRUE(status->exitedWith(0)) << *status;
  EXPECT_LT(Clock::now() - sent, seconds(3));
  EXPECT_FALSE(TcpConnection::connect(weir->port(), milliseconds(500)).has_value())
      << "the port still accepts after weir exited";
}

TEST(Shutdown, SigtermExitsZeroPromptly) { expectCleanExitOn(SIGTERM, 1); }

TEST(Shutdown, SigtermExitsZeroPromptlyWithTwoWorkers) { expectCleanExitOn(SIGTERM, 2); }

TEST(Shutdown, SigintExitsZeroPromptly) { expectCleanExitOn(SIGINT, 2); }

// Right after start, before any traffic but the readiness probe.
TEST(Shutdown, SigtermRightAfterStart) {
  TempDir dir;
  EchoServer one(dir, "one");
  auto weir = startTrafficShift(dir, {{"v1", 100, {one.port()}}}, {.concurrency = 2});
  ASSERT_TRUE(weir->process().signal(SIGTERM));
  std::optional<ExitStatus> status = weir->process().waitForExit(seconds(3));
  ASSERT_TRUE(status.has_value()) << "weir still runs 3 s after SIGTERM";
  EXPECT_TRUE(status->exitedWith(0)) << *status;
}

// DESIGN.md: "SIGTERM drains: stop accepting, let open connections finish up to a
// drain timeout" (30 s by default). An open connection keeps working after SIGTERM,
// new ones are refused, and weir exits 0 as soon as the last connection is done.
TEST(Shutdown, SigtermDrainsAnOpenConnectionThenExitsZero) {
  TempDir dir;
  EchoServer one(dir, "one");
  auto weir = startTrafficShift(dir, {{"v1", 100, {one.port()}}}, {.concurrency = 2});
  std::string error;
  auto open = TcpConnection::connect(weir->port(), seconds(5), &error);
  ASSERT_TRUE(open.has_value()) << error;
  ASSERT_EQ(open->sendAll("before\n", seconds(5)), IoStatus::kOk);
  ASSERT_EQ(open->readLine(seconds(5)), "one before");

  ASSERT_TRUE(weir->process().signal(SIGTERM));
  // Stops accepting: poll (every 20 ms, at most 3 s) until a connect is refused.
  bool refused = false;
  const auto deadline = Clock::now() + seconds(3);
  while (!refused && Clock::now() < deadline) {
    refused = !TcpConnection::connect(weir->port(), milliseconds(500)).has_value();
    if (!refused) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(refused) << "weir still accepts 3 s after SIGTERM";
  EXPECT_TRUE(weir->process().running()) << "weir exited with a connection still open";

  // The open connection is still served ...
  ASSERT_EQ(open->sendAll("during\n", seconds(5)), IoStatus::kOk);
  EXPECT_EQ(open->readLine(seconds(5)), "one during");
  // ... and once it ends, weir exits 0 without waiting for the drain timeout.
  ASSERT_TRUE(open->shutdownWrite());
  TcpConnection::ReadResult rest = open->readUntilEof(seconds(5));
  EXPECT_EQ(rest.end, IoStatus::kEof) << toString(rest.end);
  open.reset();
  std::optional<ExitStatus> status = weir->process().waitForExit(seconds(3));
  ASSERT_TRUE(status.has_value()) << "weir still runs 3 s after its last connection closed";
  EXPECT_TRUE(status->exitedWith(0)) << *status;
}

}  // namespace
}  // namespace weir::test
