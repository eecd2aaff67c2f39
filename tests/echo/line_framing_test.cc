#include "echo/line_framing.h"

#include <gtest/gtest.h>

#include <string>

namespace weir::echo {
namespace {

constexpr std::size_t kNoBudgetLimit = SIZE_MAX;

TEST(EchoAnswerLines, AnswersEachCompleteLineInOrder) {
  std::string answers;
  LineFraming framing = answerLines("a\nbb\nccc\n", "one", 100, kNoBudgetLimit, answers);
  EXPECT_EQ(answers, "one a\none bb\none ccc\n");
  EXPECT_EQ(framing.consumed, 9u);
  EXPECT_EQ(framing.lines, 3u);
  EXPECT_EQ(framing.stop, LineFraming::Stop::kNeedMoreData);
}

TEST(EchoAnswerLines, LeavesAPartialLineForLater) {
  std::string answers;
  LineFraming framing = answerLines("a\npart", "one", 100, kNoBudgetLimit, answers);
  EXPECT_EQ(answers, "one a\n");
  EXPECT_EQ(framing.consumed, 2u);
  EXPECT_EQ(framing.stop, LineFraming::Stop::kNeedMoreData);

  // The rest of the line arrives: the caller passes what it kept plus the new bytes.
  answers.clear();
  framing = answerLines("partial\n", "one", 100, kNoBudgetLimit, answers);
  EXPECT_EQ(answers, "one partial\n");
  EXPECT_EQ(framing.consumed, 8u);
}

TEST(EchoAnswerLines, NothingToDoWithoutANewline) {
  std::string answers;
  LineFraming framing = answerLines("", "one", 100, kNoBudgetLimit, answers);
  EXPECT_EQ(framing.consumed, 0u);
  EXPECT_EQ(framing.stop, LineFraming::Stop::kNeedMoreData);
  framing = answerLines("no newline yet", "one", 100, kNoBudgetLimit, answers);
  EXPECT_EQ(framing.consumed, 0u);
  EXPECT_EQ(framing.stop, LineFraming::Stop::kNeedMoreData);
  EXPECT_EQ(answers, "");
}

TEST(EchoAnswerLines, KeepsBytesAsTheyAreIncludingCarriageReturnAndEmptyLines) {
  std::string answers;
  answerLines(std::string_view("\n\r\n\0x\n", 6), "p", 100, kNoBudgetLimit, answers);
  EXPECT_EQ(answers, std::string("p \np \r\np \0x\n", 12));
}

TEST(EchoAnswerLines, EmptyPrefixStillAddsTheSpace) {
  // As the Go sample's fmt.Sprintf("%s %s", prefix, line) does.
  std::string answers;
  answerLines("x\n", "", 100, kNoBudgetLimit, answers);
  EXPECT_EQ(answers, " x\n");
}

TEST(EchoAnswerLines, AppendsToWhatTheCallerHas) {
  std::string answers = "earlier ";
  answerLines("x\n", "p", 100, kNoBudgetLimit, answers);
  EXPECT_EQ(answers, "earlier p x\n");
}

TEST(EchoAnswerLines, LineOfExactlyTheLimitIsFine) {
  std::string answers;
  LineFraming framing = answerLines("12345\n", "p", 5, kNoBudgetLimit, answers);
  EXPECT_EQ(framing.stop, LineFraming::Stop::kNeedMoreData);
  EXPECT_EQ(answers, "p 12345\n");
  // An unterminated line of exactly the limit may still get its newline.
  answers.clear();
  framing = answerLines("12345", "p", 5, kNoBudgetLimit, answers);
  EXPECT_EQ(framing.stop, LineFraming::Stop::kNeedMoreData);
}

TEST(EchoAnswerLines, UnterminatedLineOverTheLimitIsTooLong) {
  std::string answers;
  LineFraming framing = answerLines("ok\n123456", "p", 5, kNoBudgetLimit, answers);
  EXPECT_EQ(framing.stop, LineFraming::Stop::kLineTooLong);
  EXPECT_EQ(framing.consumed, 3u);  // the good line before it was answered
  EXPECT_EQ(answers, "p ok\n");
}

TEST(EchoAnswerLines, TerminatedLineOverTheLimitIsTooLongToo) {
  // Whether its newline arrived in the same read must not matter.
  std::string answers;
  LineFraming framing = answerLines("123456\nok\n", "p", 5, kNoBudgetLimit, answers);
  EXPECT_EQ(framing.stop, LineFraming::Stop::kLineTooLong);
  EXPECT_EQ(framing.consumed, 0u);
  EXPECT_EQ(answers, "");
}

TEST(EchoAnswerLines, StopsOnceTheBudgetIsSpent) {
  std::string answers = "queued";
  // Each answer is "p x\n", 4 bytes. A budget of 6 takes two (the second crosses it).
  LineFraming framing = answerLines("x\nx\nx\nx\n", "p", 100, 6, answers);
  EXPECT_EQ(framing.stop, LineFraming::Stop::kAnswerBudgetSpent);
  EXPECT_EQ(framing.lines, 2u);
  EXPECT_EQ(framing.consumed, 4u);
  EXPECT_EQ(answers, "queuedp x\np x\n");
}

TEST(EchoAnswerLines, BudgetExactlySpentByTheLastLineIsNotReportedAsSpent) {
  std::string answers;
  LineFraming framing = answerLines("x\nx\n", "p", 100, 8, answers);
  EXPECT_EQ(framing.stop, LineFraming::Stop::kNeedMoreData);
  EXPECT_EQ(framing.lines, 2u);
}

TEST(EchoAnswerLines, ZeroBudgetAnswersNothing) {
  std::string answers;
  LineFraming framing = answerLines("x\n", "p", 100, 0, answers);
  EXPECT_EQ(framing.stop, LineFraming::Stop::kAnswerBudgetSpent);
  EXPECT_EQ(framing.consumed, 0u);
  EXPECT_EQ(answers, "");
}

TEST(EchoAnswerLines, ManyLinesInChunksGiveTheSameAnswersAsAllAtOnce) {
  std::string stream;
  for (int i = 0; i < 500; ++i) {
    stream += "line " + std::to_string(i) + "\n";
  }
  std::string all_at_once;
  answerLines(stream, "p", 100, kNoBudgetLimit, all_at_once);

  // Feed it the way the server does: keep the unconsumed rest, add 7 bytes at a time.
  std::string pending;
  std::string chunked;
  for (std::size_t offset = 0; offset < stream.size(); offset += 7) {
    pending += stream.substr(offset, 7);
    LineFraming framing = answerLines(pending, "p", 100, kNoBudgetLimit, chunked);
    ASSERT_NE(framing.stop, LineFraming::Stop::kLineTooLong);
    pending.erase(0, framing.consumed);
  }
  EXPECT_EQ(pending, "");
  EXPECT_EQ(chunked, all_at_once);
}

}  // namespace
}  // namespace weir::echo
