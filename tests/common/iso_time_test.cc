#include "common/iso_time.h"

#include <gtest/gtest.h>

namespace weir {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// 2026-11-25T19:20:17.042Z is 1795634417042 ms after the epoch.
TEST(IsoUtcTime, Iso8601InUtcWithMillisecondsAndZone) {
  EXPECT_EQ(isoUtcTime(system_clock::time_point(milliseconds(1795634417042))),
            "2026-11-25T19:20:17.042Z");
  EXPECT_EQ(isoUtcTime(system_clock::time_point(milliseconds(0))), "1970-01-01T00:00:00.000Z");
}

// Whatever the machine's zone: UTC, not local time.
TEST(IsoUtcTime, IgnoresTheLocalZone) {
  setenv("TZ", "America/New_York", 1);
  tzset();
  const std::string printed = isoUtcTime(system_clock::time_point(milliseconds(1795634417042)));
  unsetenv("TZ");
  tzset();
  EXPECT_EQ(printed, "2026-11-25T19:20:17.042Z");
}

}  // namespace
}  // namespace weir
