// The walk-through's point: editing the weights changes where *new* connections go,
// at once, while established connections stay on the subset they started with.
// (Beyond the brief's list: DESIGN.md's reload by SIGHUP or by a file edit.)
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "tests/support/echo_server.h"
#include "tests/support/line_exchange.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Writes the config for `routes` elsewhere and renames its virtual-service.yaml over
// the live one: the reader sees the old file or the new one, never half of one.
void replaceVirtualService(const TempDir& dir, const std::filesystem::path& live, uint16_t port,
                           const std::vector<istio::WeightedSubset>& routes) {
  std::filesystem::path staging =
      istio::walkThrough(port, routes).writeSplit(dir.freshSubdir("staging"));
  std::filesystem::rename(staging / "virtual-service.yaml", live / "virtual-service.yaml");
}

// Polls (every 20 ms, at most 10 s) until a new connection is answered by `word`.
bool waitForNewConnectionsTo(uint16_t port, const std::string& word) {
  const auto deadline = Clock::now() + seconds(10);
  while (Clock::now() < deadline) {
    if (exchangeLine(port, "hello", seconds(5)).firstWord() == word) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

bool waitForReloadLogged(const ChildProcess& weir) {
  const auto deadline = Clock::now() + seconds(10);
  while (Clock::now() < deadline) {
    if (weir.stderrText().find("reloaded: configuration generation 2") != std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

void expectShiftKeepsEstablishedConnection(bool send_sighup) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const uint16_t port = freeTcpPort();
  const std::filesystem::path config =
      istio::walkThrough(port, {{"v1", 100, {one.port()}}, {"v2", 0, {two.port()}}})
          .writeSplitIn(dir);
  WeirProcess weir(dir, {config}, port, {.concurrency = 2});

  std::string error;
  auto established = TcpConnection::connect(port, seconds(5), &error);
  ASSERT_TRUE(established.has_value()) << error;
  ASSERT_EQ(established->sendAll("before\n", seconds(5)), IoStatus::kOk);
  ASSERT_EQ(established->readLine(seconds(5)), "one before");

  replaceVirtualService(dir, config, port, {{"v1", 0, {one.port()}}, {"v2", 100, {two.port()}}});
  if (send_sighup) {
    ASSERT_TRUE(weir.process().signal(SIGHUP));
  }
  ASSERT_TRUE(waitForNewConnectionsTo(port, "two"))
      << "new connections still not on v2 10 s after the weights became 0/100";
  // One worker may have the new table before the other: weir logs the reload once
  // every worker routes with it.
  ASSERT_TRUE(waitForReloadLogged(weir.process()))
      << "no \"reloaded: configuration generation 2\" in 10 s";

  // From now on every new connection goes to v2 ...
  for (int i = 0; i < 50; ++i) {
    LineExchange exchange = exchangeLine(port, "hello", seconds(5));
    EXPECT_EQ(exchange.data, "two hello\n") << "connection " << i << ": " << exchange.describe();
  }
  // ... and the connection opened before the shift is still served by v1.
  ASSERT_EQ(established->sendAll("after\n", seconds(5)), IoStatus::kOk);
  EXPECT_EQ(established->readLine(seconds(5)), "one after");
  ASSERT_TRUE(established->shutdownWrite());
  TcpConnection::ReadResult rest = established->readUntilEof(seconds(5));
  EXPECT_EQ(rest.data, "");
  EXPECT_EQ(rest.end, IoStatus::kEof) << toString(rest.end);
  EXPECT_TRUE(weir.process().running());
}

TEST(Reload, SighupShiftsNewConnectionsAndKeepsEstablishedOnes) {
  expectShiftKeepsEstablishedConnection(true);
}

TEST(Reload, EditedFileShiftsNewConnectionsWithoutASignal) {
  expectShiftKeepsEstablishedConnection(false);
}

}  // namespace
}  // namespace weir::test
