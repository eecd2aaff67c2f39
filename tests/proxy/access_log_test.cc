#include "proxy/stats/access_log.h"

#include <gtest/gtest.h>

namespace weir::proxy {
namespace {

TEST(AccessLog, IstioShapedTextLine) {
  ConnectionRecord record;
  // 2026-11-25T19:20:17.042Z
  record.start = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795634417042));
  record.duration = std::chrono::milliseconds(1001);
  record.downstream_remote = "127.0.0.1:40000";
  record.downstream_local = "127.0.0.1:9000";
  record.upstream_local = "127.0.0.1:51234";
  record.upstream_host = "127.0.0.1:9001";
  record.upstream_cluster = "outbound|9000|v1|tcp-echo-server.default.svc.cluster.local";
  record.route = "default/tcp-echo/tcp[0]";
  record.bytes_received = 29;
  record.bytes_sent = 33;
  record.reason = EndReason::kDownstreamClosed;
  EXPECT_EQ(formatAccessLogText(record),
            "[2026-11-25T19:20:17.042Z] \"- - -\" 0 - - downstream_closed \"-\" 29 33 1001 - "
            "\"-\" \"-\" \"-\" \"-\" \"127.0.0.1:9001\" "
            "outbound|9000|v1|tcp-echo-server.default.svc.cluster.local 127.0.0.1:51234 "
            "127.0.0.1:9000 127.0.0.1:40000 - default/tcp-echo/tcp[0]");
}

TEST(AccessLog, FailureFlagsFollowEnvoy) {
  EXPECT_STREQ(envoyResponseFlag(EndReason::kUpstreamConnectFailed), "UF");
  EXPECT_STREQ(envoyResponseFlag(EndReason::kUpstreamConnectTimeout), "UF");
  EXPECT_STREQ(envoyResponseFlag(EndReason::kNoRoute), "NR");
  EXPECT_STREQ(envoyResponseFlag(EndReason::kNoHealthyUpstream), "UH");
  EXPECT_STREQ(envoyResponseFlag(EndReason::kDownstreamClosed), "-");
  EXPECT_STREQ(toString(EndReason::kUpstreamReset), "upstream_reset");
}

TEST(AccessLog, WeirsOwnConnectFailuresAreFlaggedLfNotUf) {
  EXPECT_STREQ(envoyResponseFlag(EndReason::kLocalConnectFailure), "LF");
  EXPECT_STREQ(envoyResponseFlag(EndReason::kConnectTimerLate), "LF");
  EXPECT_STREQ(toString(EndReason::kLocalConnectFailure), "local_connect_failure");
  EXPECT_STREQ(toString(EndReason::kConnectTimerLate), "connect_timer_late");
}

}  // namespace
}  // namespace weir::proxy
