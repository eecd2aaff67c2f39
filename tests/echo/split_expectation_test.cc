#include "echo/split_expectation.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/usage_error.h"

namespace weir::echo {
namespace {

using Counts = std::map<std::string, std::size_t>;

TEST(EchoParseSplitExpectation, WordsAndRelativeWeightsInOrder) {
  EXPECT_EQ(parseSplitExpectation("one=80,two=20").words,
            (std::vector<ExpectedWord>{{"one", 80}, {"two", 20}}));
  EXPECT_EQ(parseSplitExpectation("two=1,one=4").words,
            (std::vector<ExpectedWord>{{"two", 1}, {"one", 4}}));
  EXPECT_EQ(parseSplitExpectation("one=100").words, (std::vector<ExpectedWord>{{"one", 100}}));
  SplitExpectation with_zero = parseSplitExpectation("one=1,two=0,three=2");
  EXPECT_EQ(with_zero.words,
            (std::vector<ExpectedWord>{{"one", 1}, {"two", 0}, {"three", 2}}));
  EXPECT_EQ(with_zero.totalWeight(), 3u);
}

TEST(EchoParseSplitExpectation, RefusesBadLists) {
  for (const char* text : {"", ",", "one=80,", ",one=80", "one=80,,two=20", "one", "one=",
                           "=80", "one=-5", "one=+5", "one=1.5", "one=x", "one=80,two=20,one=1",
                           "one=0", "one=0,two=0", "one two=1", " one=1", "one=1000000001"}) {
    EXPECT_THROW(parseSplitExpectation(text), cli::UsageError) << text;
  }
}

TEST(EchoParseSplitExpectation, MessagesNameTheProblem) {
  auto message = [](const char* text) {
    try {
      parseSplitExpectation(text);
    } catch (const cli::UsageError& error) {
      return std::string(error.what());
    }
    return std::string("no exception");
  };
  EXPECT_EQ(message("one=80,one=20"), "--expect 'one=80,one=20': word 'one' listed twice");
  EXPECT_EQ(message("one=-5"), "--expect weight of 'one': expected a number, got '-5'");
  EXPECT_EQ(message("=5"), "--expect '=5': empty word in '=5'");
  EXPECT_EQ(message("one=1,,two=1"), "--expect 'one=1,,two=1': empty entry");
  EXPECT_EQ(message("one=0,two=0"),
            "--expect 'one=0,two=0': every weight is 0; at least one must be positive");
}

TEST(EchoCheckSplit, EightyTwentyWithinAndTheReport) {
  SplitVerdict verdict =
      checkSplit(parseSplitExpectation("one=80,two=20"), Counts{{"one", 801}, {"two", 199}}, 0.999);
  EXPECT_TRUE(verdict.ok);
  EXPECT_EQ(verdict.answers, 1000u);
  EXPECT_EQ(verdict.corrected_words, 2u);
  EXPECT_DOUBLE_EQ(verdict.word_confidence, 0.9995);
  ASSERT_EQ(verdict.words.size(), 2u);
  EXPECT_EQ(verdict.words[0].interval, (CountInterval{756, 844}));
  EXPECT_EQ(verdict.words[1].interval, (CountInterval{156, 244}));
  EXPECT_EQ(formatSplitVerdict(verdict),
            "expect: Bonferroni correction for 2 words: 99.95% per word for 99.9% overall\n"
            "expect one 80.0%: observed 801 of 1000 (80.1%), 99.95% interval [756, 844] ok\n"
            "expect two 20.0%: observed 199 of 1000 (19.9%), 99.95% interval [156, 244] ok\n"
            "split ok\n");
}

TEST(EchoCheckSplit, WeightsAreRelative) {
  Counts counts{{"one", 790}, {"two", 210}};
  SplitVerdict fifths = checkSplit(parseSplitExpectation("one=4,two=1"), counts, 0.999);
  SplitVerdict percent = checkSplit(parseSplitExpectation("one=80,two=20"), counts, 0.999);
  EXPECT_TRUE(fifths.ok);
  EXPECT_EQ(fifths.words[0].interval, (CountInterval{756, 844}));
  EXPECT_EQ(formatSplitVerdict(fifths), formatSplitVerdict(percent));
}

TEST(EchoCheckSplit, ExactlyOnTheBoundaryIsWithin) {
  SplitExpectation expectation = parseSplitExpectation("one=80,two=20");
  EXPECT_TRUE(checkSplit(expectation, Counts{{"one", 756}, {"two", 244}}, 0.999).ok);
  EXPECT_TRUE(checkSplit(expectation, Counts{{"one", 844}, {"two", 156}}, 0.999).ok);

  SplitVerdict below = checkSplit(expectation, Counts{{"one", 755}, {"two", 245}}, 0.999);
  EXPECT_FALSE(below.ok);
  EXPECT_FALSE(below.words[0].ok);
  EXPECT_FALSE(below.words[1].ok);
  EXPECT_EQ(formatSplitVerdict(below),
            "expect: Bonferroni correction for 2 words: 99.95% per word for 99.9% overall\n"
            "expect one 80.0%: observed 755 of 1000 (75.5%), 99.95% interval [756, 844] OUTSIDE\n"
            "expect two 20.0%: observed 245 of 1000 (24.5%), 99.95% interval [156, 244] OUTSIDE\n"
            "split outside the expected interval\n");
}

TEST(EchoCheckSplit, BonferroniWithThreeWords) {
  // Per word 1 − 0.001/3; z = 3.5879. Bounds from Python's NormalDist:
  // 500 ± 56.73, 300 ± 51.99, 200 ± 45.38.
  SplitVerdict verdict = checkSplit(parseSplitExpectation("one=50,two=30,three=20"),
                                    Counts{{"one", 556}, {"two", 249}, {"three", 195}}, 0.999);
  EXPECT_TRUE(verdict.ok);
  EXPECT_EQ(verdict.corrected_words, 3u);
  EXPECT_DOUBLE_EQ(verdict.word_confidence, 1 - 0.001 / 3);
  EXPECT_EQ(formatSplitVerdict(verdict),
            "expect: Bonferroni correction for 3 words: 99.9667% per word for 99.9% overall\n"
            "expect one 50.0%: observed 556 of 1000 (55.6%), 99.9667% interval [444, 556] ok\n"
            "expect two 30.0%: observed 249 of 1000 (24.9%), 99.9667% interval [249, 351] ok\n"
            "expect three 20.0%: observed 195 of 1000 (19.5%), 99.9667% interval [155, 245] ok\n"
            "split ok\n");
  // One more answer for "one" and one fewer for "two" leaves both intervals.
  SplitVerdict outside = checkSplit(parseSplitExpectation("one=50,two=30,three=20"),
                                    Counts{{"one", 557}, {"two", 248}, {"three", 195}}, 0.999);
  EXPECT_FALSE(outside.ok);
  EXPECT_FALSE(outside.words[0].ok);
  EXPECT_FALSE(outside.words[1].ok);
  EXPECT_TRUE(outside.words[2].ok);
}

TEST(EchoCheckSplit, OneWordMustGetEveryAnswerAndNeedsNoCorrection) {
  SplitExpectation expectation = parseSplitExpectation("one=100");
  SplitVerdict all = checkSplit(expectation, Counts{{"one", 1000}}, 0.999);
  EXPECT_TRUE(all.ok);
  EXPECT_EQ(all.corrected_words, 0u);
  EXPECT_EQ(formatSplitVerdict(all),
            "expect one 100.0%: observed 1000 of 1000 (100.0%), exact interval [1000, 1000] ok\n"
            "split ok\n");

  SplitVerdict one_off = checkSplit(expectation, Counts{{"one", 999}, {"two", 1}}, 0.999);
  EXPECT_FALSE(one_off.ok);
  EXPECT_EQ(formatSplitVerdict(one_off),
            "expect one 100.0%: observed 999 of 1000 (99.9%), exact interval [1000, 1000] "
            "OUTSIDE\n"
            "unexpected two: observed 1 of 1000 (0.1%), exact interval [0, 0] OUTSIDE\n"
            "split outside the expected interval\n");
}

TEST(EchoCheckSplit, WeightZeroMustGetNoAnswer) {
  SplitExpectation expectation = parseSplitExpectation("one=80,two=20,old=0");
  SplitVerdict none = checkSplit(expectation, Counts{{"one", 800}, {"two", 200}}, 0.999);
  EXPECT_TRUE(none.ok);
  EXPECT_EQ(none.corrected_words, 2u);  // "old" takes no share of the confidence
  EXPECT_EQ(none.words[2], (WordVerdict{.word = "old",
                                         .listed = true,
                                         .weight = 0,
                                         .observed = 0,
                                         .exact = true,
                                         .interval = {0, 0},
                                         .ok = true}));
  SplitVerdict one =
      checkSplit(expectation, Counts{{"one", 800}, {"two", 199}, {"old", 1}}, 0.999);
  EXPECT_FALSE(one.ok);
  EXPECT_FALSE(one.words[2].ok);
  EXPECT_TRUE(one.words[0].ok);
  EXPECT_TRUE(one.words[1].ok);
}

TEST(EchoCheckSplit, UnlistedWordsFollowMostAnswersFirst) {
  SplitVerdict verdict =
      checkSplit(parseSplitExpectation("one=1"),
                 Counts{{"one", 10}, {"b", 2}, {"(empty)", 3}, {"a", 2}}, 0.999);
  EXPECT_FALSE(verdict.ok);
  ASSERT_EQ(verdict.words.size(), 4u);
  EXPECT_EQ(verdict.answers, 17u);
  EXPECT_EQ(verdict.words[1].word, "(empty)");
  EXPECT_EQ(verdict.words[2].word, "a");
  EXPECT_EQ(verdict.words[3].word, "b");
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_FALSE(verdict.words[i].listed);
    EXPECT_FALSE(verdict.words[i].ok);
  }
}

TEST(EchoCheckSplit, SmallNStillGetsAnIntervalClampedToN) {
  SplitVerdict verdict =
      checkSplit(parseSplitExpectation("one=1,two=1"), Counts{{"one", 10}}, 0.999);
  // 5 ± 3.48·1.58 (99.95% per word) reaches past both ends.
  EXPECT_TRUE(verdict.ok);
  EXPECT_EQ(verdict.words[0].interval, (CountInterval{0, 10}));
  EXPECT_EQ(verdict.words[1].interval, (CountInterval{0, 10}));
  EXPECT_EQ(formatSplitVerdict(verdict),
            "expect: Bonferroni correction for 2 words: 99.95% per word for 99.9% overall\n"
            "expect one 50.0%: observed 10 of 10 (100.0%), 99.95% interval [0, 10] ok\n"
            "expect two 50.0%: observed 0 of 10 (0.0%), 99.95% interval [0, 10] ok\n"
            "split ok\n");
}

TEST(EchoCheckSplit, NoAnswersAtAll) {
  // Every connection failed: nothing contradicts the split; the exit status says 1.
  SplitVerdict verdict = checkSplit(parseSplitExpectation("one=80,two=20"), Counts{}, 0.999);
  EXPECT_TRUE(verdict.ok);
  EXPECT_EQ(verdict.answers, 0u);
  EXPECT_EQ(verdict.words[0].interval, (CountInterval{0, 0}));
}

}  // namespace
}  // namespace weir::echo
