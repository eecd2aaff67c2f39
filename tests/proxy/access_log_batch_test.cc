// AccessLogBatch: lines reach the logger in batches (one message of '\n'-separated
// lines), exactly as formatAccessLog* writes them, when the batch is full, when its
// timer fires, or when it is flushed or destroyed; and reusing a record leaves no
// trace of its previous connection.
#include "proxy/stats/access_log_batch.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <string>
#include <vector>

#include "common/libevent_handles.h"

namespace weir::proxy {
namespace {

ConnectionRecord recordNumber(uint64_t n) {
  ConnectionRecord record;
  record.start = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795634417042));
  record.duration = std::chrono::milliseconds(n);
  record.downstream_remote = "127.0.0.1:" + std::to_string(40000 + n);
  record.downstream_local = "127.0.0.1:9000";
  record.upstream_local = "127.0.0.1:51234";
  record.upstream_host = "127.0.0.1:9001";
  record.upstream_cluster = "outbound|9000|v1|tcp-echo-server.default.svc.cluster.local";
  record.route = "default/tcp-echo/tcp[0]";
  record.listener = "default/gateway/tcp";
  record.destination_host = "tcp-echo-server.default.svc.cluster.local";
  record.destination_subset = "v1";
  record.upstream_connect_ms = static_cast<int64_t>(n % 3);
  record.bytes_received = n;
  record.bytes_sent = 2 * n;
  return record;
}

class AccessLogBatchTest : public ::testing::Test {
 protected:
  // The messages the logger received, each as the lines it holds.
  std::vector<std::vector<std::string>> messages() {
    std::vector<std::vector<std::string>> out;
    for (std::string message : sink_->last_formatted()) {
      if (!message.empty() && message.back() == '\n') message.pop_back();  // the sink's eol
      std::vector<std::string> lines;
      size_t start = 0;
      while (true) {
        const size_t end = message.find('\n', start);
        if (end == std::string::npos) {
          lines.push_back(message.substr(start));
          break;
        }
        lines.push_back(message.substr(start, end - start));
        start = end + 1;
      }
      out.push_back(lines);
    }
    return out;
  }

  EventBasePtr base_{event_base_new()};
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_ =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
  std::shared_ptr<spdlog::logger> logger_ = [this] {
    auto logger = std::make_shared<spdlog::logger>("access-batch-test", sink_);
    logger->set_pattern("%v", spdlog::pattern_time_type::utc);
    return logger;
  }();
};

TEST_F(AccessLogBatchTest, LinesWaitForTheTimerThenGoAsOneMessage) {
  AccessLogBatch batch(logger_, /*json=*/false, base_.get());
  batch.add(recordNumber(1));
  batch.add(recordNumber(2));
  batch.add(recordNumber(3));
  EXPECT_TRUE(messages().empty()) << "written before the batch was due";
  // The flush timer (kFlushAfter) is the only event: one loop pass waits for it.
  ASSERT_EQ(event_base_loop(base_.get(), EVLOOP_ONCE), 0);
  const auto got = messages();
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].size(), 3u);
  for (uint64_t n = 1; n <= 3; ++n) EXPECT_EQ(got[0][n - 1], formatAccessLogText(recordNumber(n)));
  EXPECT_EQ(batch.pendingBytes(), 0u);
}

TEST_F(AccessLogBatchTest, AFullBatchGoesAtOnceAndNoLineIsLostOrSplit) {
  size_t added = 0;
  {
    AccessLogBatch batch(logger_, /*json=*/true, base_.get());
    const size_t line_bytes = formatAccessLogJson(recordNumber(1)).size();
    const size_t lines = 3 * AccessLogBatch::kFlushBytes / line_bytes;
    for (; added < lines; ++added) batch.add(recordNumber(added));
    EXPECT_GE(messages().size(), 2u) << "full batches must not wait for the timer";
    batch.add(recordNumber(added++));
    EXPECT_GT(batch.pendingBytes(), 0u);
  }  // the destructor flushes the rest
  std::vector<std::string> all;
  for (auto& message : messages()) {
    for (std::string& line : message) all.push_back(line);
  }
  ASSERT_EQ(all.size(), added);
  for (size_t n = 0; n < added; ++n) EXPECT_EQ(all[n], formatAccessLogJson(recordNumber(n)));
}

TEST_F(AccessLogBatchTest, FlushWritesAtOnceAndDisarmsTheTimer) {
  AccessLogBatch batch(logger_, /*json=*/false, base_.get());
  batch.add(recordNumber(7));
  batch.flush();
  EXPECT_EQ(messages().size(), 1u);
  batch.flush();  // nothing left: no empty message
  EXPECT_EQ(messages().size(), 1u);
  // No timer left armed: the loop has no events and returns at once.
  EXPECT_EQ(event_base_loop(base_.get(), EVLOOP_NONBLOCK), 1);
}

TEST(ConnectionRecordReuse, AReusedRecordIsAFreshOne) {
  ConnectionRecord fresh;
  ConnectionRecord reused = recordNumber(5);
  reused.reason = EndReason::kUpstreamReset;
  reused.reuse();
  EXPECT_EQ(formatAccessLogJson(reused), formatAccessLogJson(fresh));
  EXPECT_EQ(formatAccessLogText(reused), formatAccessLogText(fresh));
}

}  // namespace
}  // namespace weir::proxy
