#include "common/option_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/usage_error.h"

namespace weir::cli {
namespace {

constexpr OptionStyle kPosix{.missing_value = "{}: missing value",
                             .unexpected_value = "{}: takes no value"};
constexpr OptionStyle kNoDoubleDash{.missing_value = "option {} needs a value",
                                    .unexpected_value = "option {} takes no value",
                                    .double_dash_ends_options = false};

// "option NAME=VALUE" or "positional ARG" per argument; each option takes a value
// when its name starts with "--v".
std::vector<std::string> walk(std::vector<std::string_view> args, const OptionStyle& style) {
  std::vector<std::string> seen;
  OptionReader reader(args, style);
  while (reader.next()) {
    if (!reader.isOption()) {
      seen.push_back("positional " + std::string(reader.argument()));
    } else if (reader.name().starts_with("--v")) {
      seen.push_back("option " + std::string(reader.name()) + "=" + std::string(reader.value()));
    } else {
      seen.push_back("option " + std::string(reader.name()));
    }
  }
  return seen;
}

std::string errorOf(std::vector<std::string_view> args, const OptionStyle& style) {
  try {
    walk(args, style);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "no error";
}

TEST(OptionReader, OptionsAndPositionalsInAnyOrder) {
  EXPECT_EQ(walk({"a", "-x", "--value", "1", "b", "--value=2", "--flag"}, kPosix),
            (std::vector<std::string>{"positional a", "option -x", "option --value=1",
                                      "positional b", "option --value=2", "option --flag"}));
}

TEST(OptionReader, AValueIsTheNextArgumentWhateverItLooksLike) {
  EXPECT_EQ(walk({"--value", "-x"}, kPosix), (std::vector<std::string>{"option --value=-x"}));
  EXPECT_EQ(walk({"--value="}, kPosix), (std::vector<std::string>{"option --value="}));
  EXPECT_EQ(walk({"--value=a=b"}, kPosix), (std::vector<std::string>{"option --value=a=b"}));
}

TEST(OptionReader, OnlyLongOptionsCarryAnInlineValue) {
  EXPECT_EQ(walk({"-n=5"}, kPosix), (std::vector<std::string>{"option -n=5"}));
  const std::vector<std::string_view> args = {"--flag=1"};
  OptionReader reader(args, kPosix);
  ASSERT_TRUE(reader.next());
  EXPECT_TRUE(reader.hasInlineValue());
  EXPECT_EQ(reader.name(), "--flag");
  EXPECT_EQ(reader.argument(), "--flag=1");
}

TEST(OptionReader, ADashAloneIsPositional) {
  EXPECT_EQ(walk({"-", ""}, kPosix),
            (std::vector<std::string>{"positional -", "positional "}));
}

TEST(OptionReader, DoubleDashEndsTheOptionsWhenTheStyleSaysSo) {
  EXPECT_EQ(walk({"--", "-x", "--"}, kPosix),
            (std::vector<std::string>{"positional -x", "positional --"}));
  EXPECT_EQ(walk({"--", "-x"}, kNoDoubleDash),
            (std::vector<std::string>{"option --", "option -x"}));
}

TEST(OptionReader, ErrorsInTheProgramsWords) {
  EXPECT_EQ(errorOf({"--value"}, kPosix), "--value: missing value");
  EXPECT_EQ(errorOf({"--value"}, kNoDoubleDash), "option --value needs a value");
  const std::vector<std::string_view> args = {"--flag=1"};
  OptionReader reader(args, kPosix);
  ASSERT_TRUE(reader.next());
  try {
    reader.expectNoValue();
    FAIL() << "no exception";
  } catch (const UsageError& error) {
    EXPECT_STREQ(error.what(), "--flag: takes no value");
  }
}

}  // namespace
}  // namespace weir::cli
