// A slow reader costs weir at most its --buffer-limit, not what the upstream wants to
// send. The upstream (a FaultUpstream streaming 1 GiB) is as fast as loopback; the
// client reads about 1 MiB/s. weir's resident memory is sampled every 100 ms while
// that goes on, then the client reads the rest as fast as it can and every one of the
// 1 GiB bytes must arrive, in order.
//
// Reading all 1 GiB at 1 MiB/s would take 17 minutes. The memory bound shows within
// seconds: the buffers on the way (kernel socket buffers, weir's 1 MiB) fill in well
// under a second at loopback speed, after which a weir that kept reading would grow
// by the upstream's rate (hundreds of MiB/s). So the slow phase lasts 8 s, then the
// client drains the rest at full speed, which checks that nothing was lost while
// weir was holding back.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "tests/support/admin_stats.h"
#include "tests/support/data_path.h"
#include "tests/support/fault_upstream.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint64_t kStreamBytes = 1ull << 30;
constexpr uint64_t kReadRate = 1ull << 20;  // bytes per second in the slow phase
constexpr auto kSlowPhase = seconds(8);
constexpr auto kSampleEvery = milliseconds(100);
// What weir may hold for one connection: --buffer-limit (1 MiB, the default) toward
// each side. With splicing the bytes wait in kernel pipes, which are not part of
// RSS; with copying they are heap. Allowance on top: 6 MiB for the read buffer weir
// copies through, malloc's per-thread arenas and page rounding. Measured on Debian
// 12, 2 cores: 2.8 MiB growth copied, under 0.1 MiB spliced (the test prints it).
// A weir that ignored the limit would exceed the bound within the first sample.
constexpr uint64_t kBufferLimit = 1ull << 20;
constexpr uint64_t kAllowance = 6ull << 20;
constexpr uint64_t kMaxGrowth = 2 * kBufferLimit + kAllowance;
// While the client reads 8 MiB, the upstream can have sent at most that plus what
// the buffers on the way hold (socket buffers autotune to a few MiB each on
// loopback, four of them, plus weir's 1 MiB). 64 MiB is far above that and far below
// the hundreds of MiB an unbounded weir would take in 8 s.
constexpr uint64_t kMaxSentDuringSlowPhase = 64ull << 20;

class SlowReader : public ::testing::TestWithParam<DataPath> {};

TEST_P(SlowReader, MemoryStaysWithinTheBufferLimitAndAllOfTheGibibyteArrives) {
  TempDir dir;
  FaultUpstream upstream({.behaviour = UpstreamBehaviour::kStream, .stream_bytes = kStreamBytes});
  auto weir = startTrafficShift(dir, {{"v1", 100, {upstream.port()}}}, weirOptionsFor(GetParam()));
  const int pid = weir->process().pid();
  const uint64_t baseline = residentBytes(pid).value_or(0);
  ASSERT_GT(baseline, 0u);

  std::string error;
  auto client = TcpConnection::connect(weir->port(), seconds(5), &error);
  ASSERT_TRUE(client.has_value()) << error;

  // Slow phase: read up to elapsed × kReadRate, sampling weir's RSS every 100 ms.
  uint64_t position = 0;
  bool intact = true;
  uint64_t peak = baseline;
  size_t samples = 0;
  const auto start = Clock::now();
  for (auto next = start; next < start + kSlowPhase; next += kSampleEvery) {  // 80 rounds
    std::this_thread::sleep_until(next);
    const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    const uint64_t target = kReadRate * static_cast<uint64_t>(elapsed.count()) / 1000;
    if (target > position) {
      PatternRead read = readPattern(*client, position, target - position,
                                     Clock::now() + milliseconds(50));
      intact = intact && read.intact;
      ASSERT_TRUE(read.end == IoStatus::kOk || read.end == IoStatus::kTimeout)
          << toString(read.end) << " at " << position;
    }
    const std::optional<uint64_t> resident = residentBytes(pid);
    ASSERT_TRUE(resident.has_value()) << "weir exited";
    peak = std::max(peak, *resident);
    ++samples;
  }
  const uint64_t sent_during_slow_phase = upstream.connections().at(0).sent;
  std::cout << "[slow-reader] " << dataPathName(GetParam()) << ": RSS baseline " << baseline
            << " B, peak " << peak << " B (growth " << (peak - baseline) << " B, bound "
            << kMaxGrowth << " B) over " << samples << " samples; client read " << position
            << " B, upstream sent " << sent_during_slow_phase << " B\n";
  EXPECT_GE(samples, 60u) << "the sampler fell behind";
  EXPECT_LT(peak - baseline, kMaxGrowth);
  EXPECT_LT(sent_during_slow_phase, kMaxSentDuringSlowPhase);
  EXPECT_GE(position, 6ull << 20) << "the client read slower than planned";
  EXPECT_GE(weirStat(*weir, clusterStat(weir->port(), "v1",
                                        "upstream_flow_control_paused_reading_total")),
            1u);

  // Fast phase: the rest, as fast as possible.
  const PatternRead rest =
      readPattern(*client, position, kStreamBytes + 1 - position, Clock::now() + seconds(60));
  EXPECT_EQ(rest.end, IoStatus::kEof) << toString(rest.end);
  EXPECT_EQ(position, kStreamBytes);
  EXPECT_TRUE(intact && rest.intact) << "a byte differs from the upstream's stream";
  EXPECT_EQ(upstream.connections().at(0).sent, kStreamBytes);
  EXPECT_EQ(weirStat(*weir, clusterStat(weir->port(), "v1", "upstream_cx_rx_bytes_total")),
            kStreamBytes);
  expectBytesMovedAs(GetParam(), *weir);
}

INSTANTIATE_TEST_SUITE_P(DataPaths, SlowReader,
                         ::testing::Values(DataPath{1, false}, DataPath{1, true}),
                         [](const auto& info) { return dataPathName(info.param); });

}  // namespace
}  // namespace weir::test
