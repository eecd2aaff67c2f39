#include "common/whole_number.h"

#include <gtest/gtest.h>

namespace weir::cli {
namespace {

using Problem = WholeNumber::Problem;

TEST(WholeNumber, DigitsOnly) {
  EXPECT_EQ(readWholeNumber("0").value, 0u);
  EXPECT_EQ(readWholeNumber("18446744073709551615").value, UINT64_MAX);
  for (const char* text : {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.5", "1K"}) {
    EXPECT_EQ(readWholeNumber(text).problem, Problem::kNotANumber) << text;
  }
  EXPECT_EQ(readWholeNumber("18446744073709551616").problem, Problem::kTooLarge);
  // Not digits only, so not a number, however long.
  EXPECT_EQ(readWholeNumber("18446744073709551616x").problem, Problem::kNotANumber);
}

TEST(WholeNumber, ByteCountsTakeBinarySuffixes) {
  EXPECT_EQ(readByteCount("12345").value, 12345u);
  EXPECT_EQ(readByteCount("16K").value, 16u << 10);
  EXPECT_EQ(readByteCount("16M").value, 16u << 20);
  EXPECT_EQ(readByteCount("1G").value, 1ull << 30);
  for (const char* text : {"", "K", "1k", "1T", "1KB", "-1M"}) {
    EXPECT_EQ(readByteCount(text).problem, Problem::kNotANumber) << text;
  }
  EXPECT_EQ(readByteCount("17179869184G").problem, Problem::kTooLarge);  // 2^64
  EXPECT_EQ(readByteCount("17179869183G").value, 17179869183ull << 30);
}

TEST(WholeNumber, InARange) {
  EXPECT_EQ(wholeNumberIn("5", 1, 10), 5u);
  EXPECT_EQ(wholeNumberIn("1", 1, 10), 1u);
  EXPECT_EQ(wholeNumberIn("10", 1, 10), 10u);
  EXPECT_FALSE(wholeNumberIn("0", 1, 10));
  EXPECT_FALSE(wholeNumberIn("11", 1, 10));
  EXPECT_FALSE(wholeNumberIn("x", 1, 10));
  EXPECT_FALSE(wholeNumberIn("18446744073709551616", 0, UINT64_MAX));
}

}  // namespace
}  // namespace weir::cli
