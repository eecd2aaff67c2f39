// Backpressure: when one side stops reading, weir stops reading the other side
// instead of buffering. The sender stalls after the socket buffers on the way and
// weir's --buffer-limit fill, weir's memory stays flat, the flow-control counters
// say so, and once the reader reads again every byte arrives in order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/admin_stats.h"
#include "tests/support/byte_stream.h"
#include "tests/support/data_path.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The push is capped far above what the buffers on the way hold (kernel socket
// buffers autotune up to tens of MiB on loopback), so only a weir that keeps
// reading without bound gets near it.
constexpr uint64_t kPushCap = 512ull << 20;
// weir's growth while the push is stuck. Its own buffering is bounded by
// --buffer-limit (1 MiB per direction); the rest is allocator slack. A weir that
// buffered what the sender pushed would grow by hundreds of MiB.
constexpr uint64_t kMaxGrowth = 16ull << 20;

struct Push {
  uint64_t sent = 0;
  uint64_t hash = 0;
  bool stalled = false;
};

// Sends stream `seed` until no byte is accepted for a whole second.
Push pushUntilStalled(TcpConnection& connection, uint64_t seed) {
  Push push;
  Fnv1a64 hash;
  std::vector<char> chunk(64 * 1024);
  const auto give_up = Clock::now() + seconds(60);
  while (push.sent < kPushCap && Clock::now() < give_up) {
    fillPatternBytes(seed, push.sent, chunk);
    size_t sent = 0;
    IoStatus status = connection.sendSome({chunk.data(), chunk.size()}, sent,
                                          Clock::now() + seconds(1));
    if (status == IoStatus::kTimeout) {
      push.stalled = true;
      break;
    }
    if (status != IoStatus::kOk) break;
    hash.update({chunk.data(), sent});
    push.sent += sent;
  }
  push.hash = hash.value();
  return push;
}

// Reads until EOF and checks length and hash against what was pushed.
void expectReceivedExactly(TcpConnection& connection, const Push& push) {
  Fnv1a64 hash;
  uint64_t received = 0;
  std::vector<char> chunk(256 * 1024);
  const auto deadline = Clock::now() + seconds(60);
  IoStatus status = IoStatus::kOk;
  while (status == IoStatus::kOk) {
    size_t got = 0;
    status = connection.readSome(chunk, got, deadline);
    hash.update({chunk.data(), got});
    received += got;
  }
  EXPECT_EQ(status, IoStatus::kEof) << toString(status);
  EXPECT_EQ(received, push.sent);
  EXPECT_EQ(hash.value(), push.hash);
}

class Backpressure : public ::testing::TestWithParam<DataPath> {
 protected:
  void SetUp() override {
    weir_ = startTrafficShift(dir_, {{"v1", 100, {upstream_listener_.port()}}},
                              weirOptionsFor(GetParam()));
    std::string error;
    auto client = TcpConnection::connect(weir_->port(), seconds(5), &error);
    ASSERT_TRUE(client.has_value()) << error;
    client_.emplace(std::move(*client));
    int fd = upstream_listener_.accept(seconds(5));
    ASSERT_GE(fd, 0) << "weir never connected upstream";
    upstream_.emplace(TcpConnection::adopt(fd));
    // One exchange, so that both directions are up before memory is measured.
    ASSERT_EQ(client_->sendAll("hello\n", seconds(5)), IoStatus::kOk);
    ASSERT_EQ(upstream_->readLine(seconds(5)), "hello");
    ASSERT_EQ(upstream_->sendAll("hi\n", seconds(5)), IoStatus::kOk);
    ASSERT_EQ(client_->readLine(seconds(5)), "hi");
  }

  uint64_t weirResident() { return residentBytes(weir_->process().pid()).value_or(0); }

  TempDir dir_;
  TcpListener upstream_listener_;
  std::unique_ptr<WeirProcess> weir_;
  std::optional<TcpConnection> client_;
  std::optional<TcpConnection> upstream_;
};

TEST_P(Backpressure, UpstreamThatStopsReadingStallsTheClientNotWeirsMemory) {
  const uint64_t before = weirResident();
  ASSERT_GT(before, 0u);
  const Push push = pushUntilStalled(*client_, 0xb0c1);
  const uint64_t during = weirResident();
  EXPECT_TRUE(push.stalled) << "the client pushed " << push.sent << " bytes without stalling";
  EXPECT_LT(during, before + kMaxGrowth) << "weir grew from " << before << " to " << during;
  EXPECT_GE(weirStat(*weir_, listenerStat(weir_->port(),
                                          "downstream_flow_control_paused_reading_total")),
            1u);

  // The upstream reads again: everything arrives, in order, then the FIN.
  ASSERT_TRUE(client_->shutdownWrite());
  expectReceivedExactly(*upstream_, push);
  EXPECT_GE(weirStat(*weir_, listenerStat(weir_->port(),
                                          "downstream_flow_control_resumed_reading_total")),
            1u);
  expectBytesMovedAs(GetParam(), *weir_);
}

TEST_P(Backpressure, ClientThatStopsReadingStallsTheUpstreamNotWeirsMemory) {
  const uint64_t before = weirResident();
  ASSERT_GT(before, 0u);
  const Push push = pushUntilStalled(*upstream_, 0xb0c2);
  const uint64_t during = weirResident();
  EXPECT_TRUE(push.stalled) << "the upstream pushed " << push.sent << " bytes without stalling";
  EXPECT_LT(during, before + kMaxGrowth) << "weir grew from " << before << " to " << during;
  EXPECT_GE(weirStat(*weir_, clusterStat(weir_->port(), "v1",
                                         "upstream_flow_control_paused_reading_total")),
            1u);

  ASSERT_TRUE(upstream_->shutdownWrite());
  expectReceivedExactly(*client_, push);
  EXPECT_GE(weirStat(*weir_, clusterStat(weir_->port(), "v1",
                                         "upstream_flow_control_resumed_reading_total")),
            1u);
  expectBytesMovedAs(GetParam(), *weir_);
}

INSTANTIATE_TEST_SUITE_P(DataPaths, Backpressure, ::testing::ValuesIn(allDataPaths()),
                         [](const auto& info) { return dataPathName(info.param); });

}  // namespace
}  // namespace weir::test
