// A FIN is forwarded as a half-close, not as a close: the other direction keeps
// flowing until its own FIN.
#include <gtest/gtest.h>

#include "tests/support/byte_stream.h"
#include "tests/support/data_path.h"
#include "tests/support/echo_server.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The echo server answers only what weir forwards, and closes only once weir has
// forwarded the client's FIN (shutdown(SHUT_WR) upstream). The line and the FIN
// leave the client together, so a weir that closed both sides on the client's FIN
// would drop the answer; one that did not forward the FIN would never see EOF.
// Every test runs on each data path: one or two workers, copied or spliced.
class HalfClose : public ::testing::TestWithParam<DataPath> {};

TEST_P(HalfClose, ClientShutdownStillGetsTheAnswerThenEof) {
  TempDir dir;
  EchoServer one(dir, "one");
  auto weir = startTrafficShift(dir, {{"v1", 100, {one.port()}}}, weirOptionsFor(GetParam()));

  std::string error;
  auto connection = TcpConnection::connect(weir->port(), seconds(5), &error);
  ASSERT_TRUE(connection.has_value()) << error;
  ASSERT_EQ(connection->sendAll("hello\n", seconds(5)), IoStatus::kOk);
  ASSERT_TRUE(connection->shutdownWrite());
  TcpConnection::ReadResult answer = connection->readUntilEof(seconds(5));
  EXPECT_EQ(answer.data, "one hello\n");
  EXPECT_EQ(answer.end, IoStatus::kEof) << toString(answer.end);
  EXPECT_LT(answer.elapsed, seconds(2));
  expectBytesMovedAs(GetParam(), *weir);
}

// 1 MiB to a --raw upstream, then the client's FIN: most of the echo is still on its
// way back when the FIN goes out, and all of it must arrive before EOF.
TEST_P(HalfClose, RawUpstreamReturnsTheWholeMebibyteAfterClientShutdown) {
  TempDir dir;
  auto raw = EchoServer::raw(dir);
  auto weir = startTrafficShift(dir, {{"v1", 100, {raw->port()}}}, weirOptionsFor(GetParam()));

  std::string error;
  auto connection = TcpConnection::connect(weir->port(), seconds(5), &error);
  ASSERT_TRUE(connection.has_value()) << error;
  std::vector<TcpConnection> connections;
  connections.push_back(std::move(*connection));
  const std::vector<StreamPlan> plans = {
      StreamPlan{.seed = 0x4a1f, .bytes = 1 << 20, .min_chunk = 65536, .max_chunk = 65536}};
  std::vector<StreamOutcome> outcomes = exchangeStreams(connections, plans, seconds(30));
  const StreamOutcome& outcome = outcomes[0];
  SCOPED_TRACE(outcome.describe());
  EXPECT_TRUE(outcome.shut_down_write);
  EXPECT_EQ(outcome.sent, plans[0].bytes);
  EXPECT_EQ(outcome.received, plans[0].bytes);
  EXPECT_FALSE(outcome.first_mismatch.has_value());
  EXPECT_EQ(outcome.received_hash, outcome.sent_hash);
  EXPECT_EQ(outcome.read_end, IoStatus::kEof);
  expectBytesMovedAs(GetParam(), *weir);
}

// The other direction, with the test itself as the upstream: the upstream says
// "bye" and shuts down its write side; the client gets "bye" then EOF, yet can still
// send, and the upstream receives that, then the client's FIN.
TEST_P(HalfClose, UpstreamShutdownReachesClientWhoCanStillSend) {
  TempDir dir;
  TcpListener upstream_listener;
  auto weir = startTrafficShift(dir, {{"v1", 100, {upstream_listener.port()}}},
                                weirOptionsFor(GetParam()));

  // Only the connection that carries the client's bytes counts (with
  // Readiness::kProbeConnection the probe would also reach this listener).
  std::string error;
  auto client = TcpConnection::connect(weir->port(), seconds(5), &error);
  ASSERT_TRUE(client.has_value()) << error;
  ASSERT_EQ(client->sendAll("first\n", seconds(5)), IoStatus::kOk);

  std::optional<TcpConnection> upstream;
  for (int attempt = 0; attempt < 5 && !upstream; ++attempt) {
    int fd = upstream_listener.accept(seconds(5));
    ASSERT_GE(fd, 0) << "weir never connected upstream";
    TcpConnection candidate = TcpConnection::adopt(fd);
    if (auto line = candidate.readLine(seconds(2)); line && *line == "first") {
      upstream = std::move(candidate);
    }
  }
  ASSERT_TRUE(upstream.has_value()) << "no upstream connection carried the client's bytes";

  ASSERT_EQ(upstream->sendAll("bye\n", seconds(5)), IoStatus::kOk);
  ASSERT_TRUE(upstream->shutdownWrite());
  TcpConnection::ReadResult to_client = client->readUntilEof(seconds(5));
  EXPECT_EQ(to_client.data, "bye\n");
  EXPECT_EQ(to_client.end, IoStatus::kEof) << toString(to_client.end);

  // The client's direction is still open.
  ASSERT_EQ(client->sendAll("still here\n", seconds(5)), IoStatus::kOk);
  EXPECT_EQ(upstream->readLine(seconds(5)), "still here");
  ASSERT_TRUE(client->shutdownWrite());
  TcpConnection::ReadResult to_upstream = upstream->readUntilEof(seconds(5));
  EXPECT_EQ(to_upstream.data, "");
  EXPECT_EQ(to_upstream.end, IoStatus::kEof) << toString(to_upstream.end);
  expectBytesMovedAs(GetParam(), *weir);
}

INSTANTIATE_TEST_SUITE_P(DataPaths, HalfClose, ::testing::ValuesIn(allDataPaths()),
                         [](const auto& info) { return dataPathName(info.param); });

}  // namespace
}  // namespace weir::test
