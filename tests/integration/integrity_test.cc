// Every byte that goes into weir comes out unchanged, in order, on the other side:
// streams of reproducible random bytes go through weir to a --raw echo server and
// back, sent and read at the same time, and are checked byte by byte (plus length and
// an FNV-1a 64 hash of both sides).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "tests/support/byte_stream.h"
#include "tests/support/data_path.h"
#include "tests/support/echo_server.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

using std::chrono::seconds;

void expectEchoedExactly(const StreamPlan& plan, const StreamOutcome& outcome) {
  SCOPED_TRACE(outcome.describe());
  EXPECT_EQ(outcome.send_end, IoStatus::kOk);
  EXPECT_EQ(outcome.sent, plan.bytes);
  EXPECT_TRUE(outcome.shut_down_write);
  EXPECT_EQ(outcome.received, plan.bytes);
  EXPECT_FALSE(outcome.first_mismatch.has_value());
  EXPECT_EQ(outcome.received_hash, outcome.sent_hash);
  EXPECT_EQ(outcome.read_end, IoStatus::kEof) << "the echo server's EOF must come through";
}

// Every test runs on each data path: one or two workers, copied or spliced.
class ByteIntegrity : public ::testing::TestWithParam<DataPath> {};

TEST_P(ByteIntegrity, SixtyFourMebibytesOnOneConnection) {
  TempDir dir;
  auto raw = EchoServer::raw(dir);
  auto weir = startTrafficShift(dir, {{"v1", 100, {raw->port()}}}, weirOptionsFor(GetParam()));

  std::string error;
  auto connection = TcpConnection::connect(weir->port(), seconds(5), &error);
  ASSERT_TRUE(connection.has_value()) << error;
  std::vector<TcpConnection> connections;
  connections.push_back(std::move(*connection));
  const std::vector<StreamPlan> plans = {
      StreamPlan{.seed = 0x5eed0064, .bytes = 64ull << 20, .min_chunk = 1, .max_chunk = 65536}};

  std::vector<StreamOutcome> outcomes = exchangeStreams(connections, plans, seconds(90));
  expectEchoedExactly(plans[0], outcomes[0]);
  EXPECT_TRUE(weir->process().running());
  expectBytesMovedAs(GetParam(), *weir);
}

// 200 connections open at once, sizes uniform in 1 B .. 1 MiB, write sizes uniform
// in 1 B .. 64 KiB (a quarter of the connections: 1 B .. 1 KiB, many small writes),
// all driven by one fixed seed.
TEST_P(ByteIntegrity, TwoHundredConcurrentConnectionsOfRandomSizes) {
  TempDir dir;
  auto raw = EchoServer::raw(dir);
  auto weir = startTrafficShift(dir, {{"v1", 100, {raw->port()}}}, weirOptionsFor(GetParam()));

  constexpr size_t kCount = 200;
  std::mt19937_64 random(0x1e6a11);
  std::uniform_int_distribution<uint64_t> size(1, 1 << 20);
  std::uniform_int_distribution<int> quarter(0, 3);
  std::vector<StreamPlan> plans;
  std::vector<TcpConnection> connections;
  for (size_t i = 0; i < kCount; ++i) {
    size_t max_chunk = quarter(random) == 0 ? 1024 : 65536;
    plans.push_back(StreamPlan{.seed = random(), .bytes = size(random), .min_chunk = 1,
                               .max_chunk = max_chunk});
    std::string error;
    auto connection = TcpConnection::connect(weir->port(), seconds(5), &error);
    ASSERT_TRUE(connection.has_value()) << "connection " << i << ": " << error;
    connections.push_back(std::move(*connection));
  }

  std::vector<StreamOutcome> outcomes = exchangeStreams(connections, plans, seconds(120));
  uint64_t total_sent = 0;
  uint64_t total_received = 0;
  size_t exact = 0;
  for (size_t i = 0; i < kCount; ++i) {
    SCOPED_TRACE("connection " + std::to_string(i) + " of " + std::to_string(plans[i].bytes) +
                 " bytes");
    expectEchoedExactly(plans[i], outcomes[i]);
    total_sent += outcomes[i].sent;
    total_received += outcomes[i].received;
    bool ok = outcomes[i].received == plans[i].bytes && !outcomes[i].first_mismatch &&
              outcomes[i].read_end == IoStatus::kEof;
    exact += ok ? 1 : 0;
  }
  EXPECT_EQ(exact, kCount);
  EXPECT_EQ(total_received, total_sent);
  EXPECT_TRUE(weir->process().running());
  expectBytesMovedAs(GetParam(), *weir);
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ByteIntegrity, ::testing::ValuesIn(allDataPaths()),
                         [](const auto& info) { return dataPathName(info.param); });

}  // namespace
}  // namespace weir::test
