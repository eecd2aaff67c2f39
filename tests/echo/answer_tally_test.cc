#include "echo/answer_tally.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace weir::echo {
namespace {

TEST(EchoFirstWord, SkipsLeadingWhitespaceAndStopsAtTheNext) {
  EXPECT_EQ(firstWord("one hello"), "one");
  EXPECT_EQ(firstWord("  \ttwo\tWed Nov 25"), "two");
  EXPECT_EQ(firstWord("alone"), "alone");
  EXPECT_EQ(firstWord("one\r"), "one");
  EXPECT_EQ(firstWord(""), "");
  EXPECT_EQ(firstWord(" \t\r"), "");
}

TEST(EchoFormatPercent, OneDecimalRoundedHalfUp) {
  EXPECT_EQ(formatPercent(801, 1000), "80.1%");
  EXPECT_EQ(formatPercent(1, 3), "33.3%");
  EXPECT_EQ(formatPercent(2, 3), "66.7%");
  EXPECT_EQ(formatPercent(1, 16), "6.3%");    // 6.25
  EXPECT_EQ(formatPercent(1, 2000), "0.1%");  // 0.05
  EXPECT_EQ(formatPercent(1, 2001), "0.0%");
  EXPECT_EQ(formatPercent(0, 10), "0.0%");
  EXPECT_EQ(formatPercent(10, 10), "100.0%");
  EXPECT_EQ(formatPercent(0, 0), "0.0%");
  EXPECT_EQ(formatPercent(9999, 10000), "100.0%");  // 99.99
}

TEST(EchoSortByCountThenName, LargestFirstTiesByName) {
  std::map<std::string, std::size_t> counts{{"two", 5}, {"one", 9}, {"b", 5}, {"a", 1}};
  std::vector<NameCount> expected{{"one", 9}, {"b", 5}, {"two", 5}, {"a", 1}};
  EXPECT_EQ(sortByCountThenName(counts), expected);
  EXPECT_TRUE(sortByCountThenName({}).empty());
}

TEST(EchoDescribeSocketError, NamesTheCommonKinds) {
  EXPECT_EQ(describeSocketError(false, ECONNREFUSED), "connect refused");
  EXPECT_EQ(describeSocketError(true, ECONNRESET), "connection reset");
  EXPECT_EQ(describeSocketError(true, EPIPE), "connection reset");
  EXPECT_EQ(describeSocketError(false, ENETUNREACH).rfind("connect failed: ", 0), 0u);
  EXPECT_EQ(describeSocketError(true, EIO).rfind("socket error: ", 0), 0u);
  EXPECT_EQ(describeSocketError(false, 0), "connect failed: unknown error");
}

TEST(EchoAnswerTally, ReportsTheIstioSplit) {
  AnswerTally tally;
  for (int i = 0; i < 801; ++i) {
    tally.addAnswer("one Wed Nov 25 19:29:55 UTC 2026");
  }
  for (int i = 0; i < 199; ++i) {
    tally.addAnswer("two Wed Nov 25 19:29:55 UTC 2026");
  }
  EXPECT_EQ(tally.answers(), 1000u);
  EXPECT_EQ(tally.errors(), 0u);
  EXPECT_EQ(tally.report(),
            "one 801 (80.1%)\n"
            "two 199 (19.9%)\n"
            "errors 0\n");
}

TEST(EchoAnswerTally, PercentagesAreOfAnswersNotOfAttempts) {
  AnswerTally tally;
  tally.addAnswer("two x");
  tally.addAnswer("one x");
  tally.addAnswer("one x");
  tally.addError("timeout");
  tally.addError("connect refused");
  tally.addError("connect refused");
  tally.addError("closed without answer");
  EXPECT_EQ(tally.errors(), 4u);
  EXPECT_EQ(tally.report(),
            "one 2 (66.7%)\n"
            "two 1 (33.3%)\n"
            "errors 4\n"
            "  connect refused 2\n"
            "  closed without answer 1\n"
            "  timeout 1\n");
}

TEST(EchoAnswerTally, OnlyErrors) {
  AnswerTally tally;
  tally.addError("connect refused");
  EXPECT_EQ(tally.report(), "errors 1\n  connect refused 1\n");
}

TEST(EchoAnswerTally, AnAnswerWithoutAWordIsCountedAsEmpty) {
  AnswerTally tally;
  tally.addAnswer("");
  tally.addAnswer("   ");
  EXPECT_EQ(tally.report(), "(empty) 2 (100.0%)\nerrors 0\n");
}

}  // namespace
}  // namespace weir::echo
