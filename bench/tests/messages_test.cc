// The generator's own message formats: pingpong lines and the sink's count line.
#include <gtest/gtest.h>

#include "bench/loadgen/bulk_mode.h"
#include "bench/loadgen/pingpong_mode.h"

namespace weir::bench {
namespace {

TEST(PingpongMessage, SizeIncludesTheNewlineAndSequenceDiffers) {
  const std::string first = pingpongMessage(1, 64);
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(first.back(), '\n');
  EXPECT_EQ(first.find('\n'), 63u);
  EXPECT_EQ(first.substr(0, 16), "0000000000000001");
  std::string next = first;
  stampPingpongMessage(next, 2);
  EXPECT_NE(next, first);
  EXPECT_EQ(next.size(), 64u);
}

TEST(PingpongMessage, TinySizesKeepTheLastDigits) {
  EXPECT_EQ(pingpongMessage(0xabc, 3), "bc\n");
  EXPECT_EQ(pingpongMessage(7, 2), "7\n");
}

TEST(SinkCount, OnlyDigits) {
  EXPECT_EQ(parseSinkCount("1073741824"), 1073741824u);
  EXPECT_EQ(parseSinkCount("0"), 0u);
  EXPECT_FALSE(parseSinkCount(""));
  EXPECT_FALSE(parseSinkCount("12 bytes"));
  EXPECT_FALSE(parseSinkCount("-1"));
  EXPECT_FALSE(parseSinkCount("one 12"));
}

}  // namespace
}  // namespace weir::bench
