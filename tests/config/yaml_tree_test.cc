#include "config/yaml_tree.h"

#include <gtest/gtest.h>

namespace weir::config {
namespace {

TEST(YamlTreeTest, PositionsAreOneBased) {
  const YamlStream stream = parseYamlStream("a: 1\nlist:\n  - x\n");
  ASSERT_FALSE(stream.error);
  ASSERT_EQ(stream.documents.size(), 1u);
  const YamlNode& root = stream.documents[0];
  ASSERT_TRUE(root.isMap());
  ASSERT_EQ(root.entries.size(), 2u);
  EXPECT_EQ(root.entries[0].key.scalar, "a");
  EXPECT_EQ(root.entries[0].value.position.line, 1);
  EXPECT_EQ(root.entries[0].value.position.column, 4);
  const YamlNode& list = root.entries[1].value;
  ASSERT_TRUE(list.isSequence());
  ASSERT_EQ(list.items.size(), 1u);
  EXPECT_EQ(list.items[0].scalar, "x");
  EXPECT_EQ(list.items[0].position.line, 3);
  EXPECT_EQ(list.items[0].position.column, 5);
}

TEST(YamlTreeTest, RecordsWhetherAScalarWasQuoted) {
  const YamlStream stream = parseYamlStream("a: 80\nb: \"80\"\nc: '80'\n");
  ASSERT_EQ(stream.documents.size(), 1u);
  const YamlNode& root = stream.documents[0];
  EXPECT_FALSE(root.entries[0].value.quoted);
  EXPECT_TRUE(root.entries[1].value.quoted);
  EXPECT_TRUE(root.entries[2].value.quoted);
}

TEST(YamlTreeTest, NullsAreNullNodes) {
  const YamlStream stream = parseYamlStream("a:\nb: ~\nc: null\n");
  ASSERT_EQ(stream.documents.size(), 1u);
  for (const YamlEntry& entry : stream.documents[0].entries) {
    EXPECT_TRUE(entry.value.isNull()) << entry.key.scalar;
  }
}

TEST(YamlTreeTest, SplitsDocumentsAndSkipsEmptyOnes) {
  const YamlStream stream = parseYamlStream("a: 1\n---\n---\n# only a comment\n---\nb: 2\n");
  ASSERT_FALSE(stream.error);
  ASSERT_EQ(stream.documents.size(), 2u);
  EXPECT_EQ(stream.documents[0].entries[0].key.scalar, "a");
  EXPECT_EQ(stream.documents[1].entries[0].key.scalar, "b");
  EXPECT_EQ(stream.documents[1].position.line, 6);
}

TEST(YamlTreeTest, EmptyTextHasNoDocuments) {
  EXPECT_TRUE(parseYamlStream("").documents.empty());
  EXPECT_TRUE(parseYamlStream("# nothing\n").documents.empty());
}

TEST(YamlTreeTest, SyntaxErrorKeepsEarlierDocumentsAndItsPosition) {
  const YamlStream stream = parseYamlStream("a: 1\n---\nb: 2\n  c: 3\n");
  ASSERT_TRUE(stream.error);
  EXPECT_EQ(stream.error->position.line, 4);
  EXPECT_EQ(stream.error->position.column, 4);
  EXPECT_EQ(stream.error->message, "illegal map value");
  ASSERT_EQ(stream.documents.size(), 1u);
  EXPECT_EQ(stream.documents[0].entries[0].key.scalar, "a");
}

TEST(YamlTreeTest, ExpandsAliases) {
  const YamlStream stream = parseYamlStream("a: &labels {version: v1}\nb: *labels\n");
  ASSERT_FALSE(stream.error);
  const YamlNode& b = stream.documents[0].entries[1].value;
  ASSERT_TRUE(b.isMap());
  ASSERT_EQ(b.entries.size(), 1u);
  EXPECT_EQ(b.entries[0].key.scalar, "version");
  EXPECT_EQ(b.entries[0].value.scalar, "v1");
}

TEST(YamlTreeTest, StopsAnAliasBomb) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 8; ++i) {
    const std::string previous = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) {
      text += (j ? ", " : "") + previous;
    }
    text += "]\n";
  }
  const YamlStream stream = parseYamlStream(text);
  ASSERT_TRUE(stream.error);
  EXPECT_NE(stream.error->message.find("too large"), std::string::npos);
}

TEST(YamlTreeTest, DescribesNodesForTypeErrors) {
  const YamlStream stream = parseYamlStream("a: abc\nb: {x: 1}\nc: [1]\nd:\n");
  const auto& entries = stream.documents[0].entries;
  EXPECT_EQ(describeNode(entries[0].value), "\"abc\"");
  EXPECT_EQ(describeNode(entries[1].value), "a map");
  EXPECT_EQ(describeNode(entries[2].value), "a list");
  EXPECT_EQ(describeNode(entries[3].value), "a null value");
}

}  // namespace
}  // namespace weir::config

namespace weir::config {
namespace {

// yaml-cpp 0.7 (Debian 12) reports empty documents forever for a stray ',' at the
// top (found by the config-loader fuzzer); the stream must end with an error.
TEST(YamlStream, StrayCommaIsASyntaxErrorNotAnEndlessStream) {
  for (const std::string text : {",", ",\n", "a: 1\n---\n,"}) {
    const YamlStream stream = parseYamlStream(text);
    ASSERT_TRUE(stream.error.has_value()) << text;
    EXPECT_EQ(stream.error->message, "unexpected character here") << text;
  }
}

}  // namespace
}  // namespace weir::config
