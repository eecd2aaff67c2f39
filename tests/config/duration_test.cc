#include "config/duration.h"

#include <gtest/gtest.h>

#include <limits>

namespace weir::config {
namespace {

using std::chrono::milliseconds;

TEST(GoDurationTest, ParsesSingleUnits) {
  EXPECT_EQ(parseGoDuration("30ms"), milliseconds(30));
  EXPECT_EQ(parseGoDuration("10s"), milliseconds(10'000));
  EXPECT_EQ(parseGoDuration("5m"), milliseconds(300'000));
  EXPECT_EQ(parseGoDuration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(parseGoDuration("1000000ns"), milliseconds(1));
  EXPECT_EQ(parseGoDuration("2000us"), milliseconds(2));
  EXPECT_EQ(parseGoDuration("2000\xC2\xB5s"), milliseconds(2));  // µs, micro sign
  EXPECT_EQ(parseGoDuration("2000\xCE\xBCs"), milliseconds(2));  // μs, Greek mu
}

TEST(GoDurationTest, ParsesSequencesAndFractions) {
  EXPECT_EQ(parseGoDuration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(parseGoDuration("1m30s500ms"), milliseconds(90'500));
  EXPECT_EQ(parseGoDuration("1.5s"), milliseconds(1'500));
  EXPECT_EQ(parseGoDuration(".5s"), milliseconds(500));
  EXPECT_EQ(parseGoDuration("1.s"), milliseconds(1'000));
  EXPECT_EQ(parseGoDuration("0.25h"), milliseconds(900'000));
  EXPECT_EQ(parseGoDuration("+10s"), milliseconds(10'000));
}

TEST(GoDurationTest, RejectsMalformedText) {
  EXPECT_EQ(parseGoDuration(""), std::nullopt);
  EXPECT_EQ(parseGoDuration("10"), std::nullopt);
  EXPECT_EQ(parseGoDuration("1d"), std::nullopt);
  EXPECT_EQ(parseGoDuration("s"), std::nullopt);
  EXPECT_EQ(parseGoDuration(".s"), std::nullopt);
  EXPECT_EQ(parseGoDuration("10 s"), std::nullopt);
  EXPECT_EQ(parseGoDuration("1h30"), std::nullopt);
  EXPECT_EQ(parseGoDuration("ten seconds"), std::nullopt);
  EXPECT_EQ(parseGoDuration("10S"), std::nullopt);
}

TEST(GoDurationTest, RequiresAtLeastOneWholeMillisecond) {
  EXPECT_EQ(parseGoDuration("0"), std::nullopt);
  EXPECT_EQ(parseGoDuration("0s"), std::nullopt);
  EXPECT_EQ(parseGoDuration("999us"), std::nullopt);
  EXPECT_EQ(parseGoDuration("1ms"), milliseconds(1));
  EXPECT_EQ(parseGoDuration("1500us"), std::nullopt);  // Istio: ms precision only
  EXPECT_EQ(parseGoDuration("-10s"), std::nullopt);
}

TEST(GoDurationTest, RejectsOverflow) {
  EXPECT_EQ(parseGoDuration("9999999999999999999h"), std::nullopt);
  EXPECT_EQ(parseGoDuration("3000000h"), std::nullopt);  // > 292 years of nanoseconds
  EXPECT_EQ(parseGoDuration("2000000h"), milliseconds(7'200'000'000'000));
}

TEST(GoDurationTest, ExactParsingKeepsWhatIstioWouldThenReject) {
  using std::chrono::nanoseconds;
  EXPECT_EQ(parseGoDurationExact("0"), nanoseconds(0));
  EXPECT_EQ(parseGoDurationExact("0s"), nanoseconds(0));
  EXPECT_EQ(parseGoDurationExact("500us"), nanoseconds(500'000));
  EXPECT_EQ(parseGoDurationExact("-1.5s"), nanoseconds(-1'500'000'000));
  EXPECT_EQ(parseGoDurationExact("1h30m"), nanoseconds(5'400'000'000'000));
  EXPECT_EQ(parseGoDurationExact("1d"), std::nullopt);
  EXPECT_EQ(parseGoDurationExact("10"), std::nullopt);
  EXPECT_EQ(parseGoDurationExact("-"), std::nullopt);
  EXPECT_EQ(parseGoDurationExact("2562047h47m16.854775807s"),
            nanoseconds(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(parseGoDurationExact("2562047h47m16.854775808s"), std::nullopt);
  EXPECT_EQ(parseGoDurationExact("-2562047h47m16.854775808s"),
            nanoseconds(std::numeric_limits<int64_t>::min()));
}

TEST(GoDurationTest, IstiosChecksInItsWords) {
  using std::chrono::nanoseconds;
  EXPECT_EQ(istioDurationError(nanoseconds(1'000'000)), std::nullopt);
  EXPECT_EQ(istioDurationError(std::chrono::hours(2)), std::nullopt);
  EXPECT_EQ(istioDurationError(nanoseconds(999'999)), "duration must be greater than 1ms");
  EXPECT_EQ(istioDurationError(nanoseconds(0)), "duration must be greater than 1ms");
  EXPECT_EQ(istioDurationError(nanoseconds(-5'000'000)), "duration must be greater than 1ms");
  EXPECT_EQ(istioDurationError(nanoseconds(1'500'000)),
            "only durations to ms precision are supported");
}

}  // namespace
}  // namespace weir::config
