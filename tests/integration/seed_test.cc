// --seed N with --concurrency 1 makes the sequence of weighted picks reproducible.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/echo_server.h"
#include "tests/support/line_exchange.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

using std::chrono::seconds;

constexpr size_t kSequenceLength = 200;

// Runs a fresh weir (50/50 between the two servers, --seed `seed`, one worker; ready
// by its ready file, so no probe connection takes a pick) and returns the first word of the answer on each of 200 sequential connections.
std::vector<std::string> answerSequence(const TempDir& dir, const EchoServer& one,
                                        const EchoServer& two, uint64_t seed) {
  auto weir = startTrafficShift(
      dir, {{"v1", 50, {one.port()}}, {"v2", 50, {two.port()}}},
      {.concurrency = 1, .seed = seed});
  std::vector<std::string> sequence;
  for (size_t i = 0; i < kSequenceLength; ++i) {
    LineExchange exchange = exchangeLine(weir->port(), "hello", seconds(5));
    std::string word = exchange.firstWord();
    if (exchange.data != word + " hello\n" || (word != "one" && word != "two")) {
      ADD_FAILURE() << "connection " << i << ": " << exchange.describe();
      word = "?";
    }
    sequence.push_back(word);
  }
  return sequence;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += word == "one" ? '1' : word == "two" ? '2' : '?';
  return text;
}

TEST(SeededPick, SameSeedSameSequenceOtherSeedOtherSequence) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");

  std::vector<std::string> first = answerSequence(dir, one, two, 42);
  std::vector<std::string> second = answerSequence(dir, one, two, 42);
  std::vector<std::string> other = answerSequence(dir, one, two, 43);

  // Both subsets must occur, or the comparison proves nothing.
  EXPECT_NE(std::find(first.begin(), first.end(), "one"), first.end()) << joined(first);
  EXPECT_NE(std::find(first.begin(), first.end(), "two"), first.end()) << joined(first);
  EXPECT_EQ(joined(first), joined(second)) << "seed 42 twice gave different picks";
  // Two independent 50/50 sequences of 200 agree with probability 2^-200.
  EXPECT_NE(joined(first), joined(other)) << "seeds 42 and 43 gave the same picks";
}

}  // namespace
}  // namespace weir::test
