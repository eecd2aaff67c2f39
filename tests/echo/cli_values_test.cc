#include "echo/cli_values.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/usage_error.h"

namespace weir::echo {
namespace {

TEST(EchoParseUnsigned, AcceptsDigitsWithinBounds) {
  EXPECT_EQ(parseUnsigned("0", "x", 0, 10), 0u);
  EXPECT_EQ(parseUnsigned("10", "x", 0, 10), 10u);
  EXPECT_EQ(parseUnsigned("18446744073709551615", "x", 0, UINT64_MAX), UINT64_MAX);
}

TEST(EchoParseUnsigned, RefusesAnythingElse) {
  for (const char* text : {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.5", "abc"}) {
    EXPECT_THROW(parseUnsigned(text, "x", 0, 100), cli::UsageError) << text;
  }
  EXPECT_THROW(parseUnsigned("11", "x", 0, 10), cli::UsageError);
  EXPECT_THROW(parseUnsigned("0", "x", 1, 10), cli::UsageError);
  EXPECT_THROW(parseUnsigned("18446744073709551616", "x", 0, UINT64_MAX), cli::UsageError);
}

TEST(EchoParseUnsigned, MessageNamesTheValueAndTheText) {
  try {
    parseUnsigned("12ab", "--timeout-ms", 1, 100);
    FAIL() << "no exception";
  } catch (const cli::UsageError& error) {
    EXPECT_STREQ(error.what(), "--timeout-ms: expected a number, got '12ab'");
  }
}

TEST(EchoParseConfidence, PercentageOrFraction) {
  EXPECT_DOUBLE_EQ(parseConfidence("99.9%", "--tolerance"), 0.999);
  EXPECT_DOUBLE_EQ(parseConfidence("99%", "--tolerance"), 0.99);
  EXPECT_DOUBLE_EQ(parseConfidence("0.999", "--tolerance"), 0.999);
  EXPECT_DOUBLE_EQ(parseConfidence(".95", "--tolerance"), 0.95);
  EXPECT_DOUBLE_EQ(parseConfidence("50.%", "--tolerance"), 0.5);
  EXPECT_DOUBLE_EQ(parseConfidence("99.99999%", "--tolerance"), 0.9999999);
}

TEST(EchoParseConfidence, RefusesAnythingElse) {
  for (const char* text :
       {"", "%", ".", ".%", "0", "1", "0%", "100%", "1.0", "99.9", "100.5%", "-0.5", "+0.5",
        "1e-3", "nan", "inf", "0.9.9", "99.9%%", "%99", " 0.9", "0.9 ", "0,999", "99.9 %"}) {
    EXPECT_THROW(parseConfidence(text, "--tolerance"), cli::UsageError) << text;
  }
}

TEST(EchoParseConfidence, MessagesSayWhatIsAccepted) {
  auto message = [](const char* text) {
    try {
      parseConfidence(text, "--tolerance");
    } catch (const cli::UsageError& error) {
      return std::string(error.what());
    }
    return std::string("no exception");
  };
  EXPECT_EQ(message("high"), "--tolerance: expected a confidence like 99.9% or 0.999, got 'high'");
  EXPECT_EQ(message("100%"),
            "--tolerance: a percentage must be above 0% and below 100%, got '100%'");
  EXPECT_EQ(message("99.9"),
            "--tolerance: a confidence must be above 0 and below 1 (or a percentage with '%', "
            "like 99.9%), got '99.9'");
}

TEST(EchoParsePortList, SingleAndSeveralPorts) {
  EXPECT_EQ(parsePortList("9000"), std::vector<std::uint16_t>{9000});
  EXPECT_EQ(parsePortList("9000,9001,65535"), (std::vector<std::uint16_t>{9000, 9001, 65535}));
}

TEST(EchoParsePortList, ZeroMeansEphemeralAndMayRepeat) {
  EXPECT_EQ(parsePortList("0,0"), (std::vector<std::uint16_t>{0, 0}));
}

TEST(EchoParsePortList, RefusesBadLists) {
  for (const char* text :
       {"", ",", "9000,", ",9000", "9000,,9001", "65536", "-1", "90 00", "9000,9000", "http"}) {
    EXPECT_THROW(parsePortList(text), cli::UsageError) << text;
  }
}

TEST(EchoParseHostPort, Ipv4LocalhostAndNames) {
  EXPECT_EQ(parseHostPort("127.0.0.1:9000"), (HostPort{"127.0.0.1", 9000}));
  EXPECT_EQ(parseHostPort("localhost:1"), (HostPort{"localhost", 1}));
  EXPECT_EQ(parseHostPort("echo-one:65535"), (HostPort{"echo-one", 65535}));
}

TEST(EchoParseHostPort, Ipv6NeedsBrackets) {
  EXPECT_EQ(parseHostPort("[::1]:9000"), (HostPort{"::1", 9000}));
  EXPECT_EQ(parseHostPort("[fe80::1%lo]:80"), (HostPort{"fe80::1%lo", 80}));
  EXPECT_THROW(parseHostPort("::1:9000"), cli::UsageError);
  EXPECT_THROW(parseHostPort("[127.0.0.1]:9000"), cli::UsageError);
}

TEST(EchoParseHostPort, RefusesMissingParts) {
  for (const char* text :
       {"", "127.0.0.1", "127.0.0.1:", ":9000", "[::1]", "[::1]9000", "[::1:9000", "[]:9000",
        "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:http"}) {
    EXPECT_THROW(parseHostPort(text), cli::UsageError) << text;
  }
}

}  // namespace
}  // namespace weir::echo
