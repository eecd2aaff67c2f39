#include "bench/loadgen/echo_answer.h"

#include <gtest/gtest.h>

namespace weir::bench {
namespace {

TEST(EchoAnswer, PrefixOfAnExactEcho) {
  EXPECT_EQ(answerPrefix("one ping", "ping"), "one");
  EXPECT_EQ(answerPrefix("two ping pong", "ping pong"), "two");
}

TEST(EchoAnswer, AnythingElseIsNoAnswer) {
  EXPECT_FALSE(answerPrefix("ping", "ping"));        // no prefix
  EXPECT_FALSE(answerPrefix(" ping", "ping"));       // empty prefix
  EXPECT_FALSE(answerPrefix("oneping", "ping"));     // no space
  EXPECT_FALSE(answerPrefix("one pong", "ping"));    // wrong echo
  EXPECT_FALSE(answerPrefix("one two ping", "ping"));  // prefix with a space
  EXPECT_FALSE(answerPrefix("", "ping"));
}

}  // namespace
}  // namespace weir::bench
