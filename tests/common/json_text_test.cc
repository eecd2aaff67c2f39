#include "common/json_text.h"

#include <string>

#include <gtest/gtest.h>

namespace weir {
namespace {

TEST(JsonString, QuotesAndEscapesQuotesAndBackslashes) {
  EXPECT_EQ(jsonString(""), R"("")");
  EXPECT_EQ(jsonString("outbound|9000|v1|tcp-echo"), R"("outbound|9000|v1|tcp-echo")");
  EXPECT_EQ(jsonString(R"(say "hi" \o/)"), R"("say \"hi\" \\o/")");
  EXPECT_EQ(jsonString(R"(say "hi" \o/)", JsonText::kAnyBytes), R"("say \"hi\" \\o/")");
}

TEST(JsonString, Utf8TextKeepsItsBytesAndEscapesControlCharacters) {
  EXPECT_EQ(jsonString("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(jsonString(std::string("\x01\x1f\0", 3)), R"("\u0001\u001f\u0000")");
  EXPECT_EQ(jsonString("caf\xc3\xa9 \x7f"), "\"caf\xc3\xa9 \x7f\"");
}

TEST(JsonString, AnyBytesComeOutAsAscii) {
  EXPECT_EQ(jsonString("a\nb\rc\td", JsonText::kAnyBytes), R"("a\u000ab\u000dc\u0009d")");
  EXPECT_EQ(jsonString(std::string("\x01\x1f\0", 3), JsonText::kAnyBytes),
            R"("\u0001\u001f\u0000")");
  EXPECT_EQ(jsonString("caf\xc3\xa9 \x7f\xff", JsonText::kAnyBytes),
            "\"caf\\u00c3\\u00a9 \x7f\\u00ff\"");
}

}  // namespace
}  // namespace weir
