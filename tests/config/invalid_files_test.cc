// The golden corpus in tests/data/:
// - invalid/: broken configurations, and every error each must produce (listed in
//   tests/data/invalid/EXPECTED, also used by the CLI tests);
// - valid/: configurations that must load, and every warning each must produce
//   (tests/data/valid/EXPECTED).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/loader.h"
#include "config_test_support.h"
#include "tests/support/test_paths.h"

namespace weir::config {
namespace {

namespace fs = std::filesystem;

const std::string kDataDir = weir::test::kTestDataDir;
const std::string kInvalidDir = kDataDir + "/invalid";
const std::string kValidDir = kDataDir + "/valid";

// EXPECTED: "name.yaml:LINE:COL: field: message" per line, all of a file's
// messages in the order they are reported; a line with only "name.yaml" lists a
// file with no message. '#' starts a comment.
std::map<std::string, std::vector<std::string>> readExpected(const std::string& dir) {
  std::map<std::string, std::vector<std::string>> expected;
  std::ifstream input(dir + "/EXPECTED");
  std::string line;
  while (std::getline(input, line)) {
    if (line.empty() || line.front() == '#') {
      continue;
    }
    const size_t colon = line.find(':');
    std::vector<std::string>& messages = expected[line.substr(0, colon)];
    if (colon != std::string::npos) {
      messages.push_back(dir + "/" + line);
    }
  }
  return expected;
}

std::set<std::string> yamlFilesIn(const std::string& dir) {
  std::set<std::string> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".yaml") {
      files.insert(entry.path().filename().string());
    }
  }
  return files;
}

std::set<std::string> keysOf(const std::map<std::string, std::vector<std::string>>& map) {
  std::set<std::string> keys;
  for (const auto& [key, unused] : map) {
    keys.insert(key);
  }
  return keys;
}

TEST(InvalidFilesTest, EveryFileIsListedAndThereAreEnough) {
  EXPECT_EQ(yamlFilesIn(kInvalidDir), keysOf(readExpected(kInvalidDir)));
  EXPECT_EQ(yamlFilesIn(kValidDir), keysOf(readExpected(kValidDir)));
  EXPECT_GE(yamlFilesIn(kInvalidDir).size(), 12u);

  size_t config_files = 0;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(kDataDir)) {
    const std::string extension = entry.path().extension().string();
    config_files += extension == ".yaml" || extension == ".yml" ? 1 : 0;
  }
  EXPECT_GE(config_files, 40u);
}

TEST(InvalidFilesTest, EachFileGivesExactlyItsExpectedErrors) {
  const std::map<std::string, std::vector<std::string>> expected = readExpected(kInvalidDir);
  ASSERT_FALSE(expected.empty());
  for (const auto& [name, messages] : expected) {
    SCOPED_TRACE(name);
    const LoadResult result = load({kInvalidDir + "/" + name});
    EXPECT_FALSE(result.ok());
    EXPECT_FALSE(messages.empty()) << "an invalid file needs its error in EXPECTED";
    EXPECT_EQ(fixture::toStrings(result.errors), messages);
  }
}

TEST(ValidFilesTest, EachFileLoadsWithExactlyItsExpectedWarnings) {
  const std::map<std::string, std::vector<std::string>> expected = readExpected(kValidDir);
  ASSERT_FALSE(expected.empty());
  for (const auto& [name, messages] : expected) {
    SCOPED_TRACE(name);
    const LoadResult result = load({kValidDir + "/" + name});
    EXPECT_TRUE(result.ok()) << ::testing::PrintToString(fixture::toStrings(result.errors));
    EXPECT_EQ(fixture::toStrings(result.warnings), messages);
  }
}

// weir --strict (LoadOptions::strict_references): the dangling references among
// those warnings are errors, the rest stay warnings.
TEST(ValidFilesTest, DanglingReferencesAreErrorsWhenStrict) {
  const std::map<std::string, std::vector<std::string>> expected = readExpected(kValidDir);
  const std::map<std::string, std::vector<size_t>> references = {
      {"no-service-entry.yaml", {0}}, {"unknown-gateway.yaml", {1}}, {"unknown-subset.yaml", {0}}};
  for (const auto& [name, indices] : references) {
    SCOPED_TRACE(name);
    const std::vector<std::string>& warnings = expected.at(name);
    std::vector<std::string> errors;
    std::vector<std::string> still_warnings = warnings;
    for (auto index = indices.rbegin(); index != indices.rend(); ++index) {
      errors.insert(errors.begin(), warnings.at(*index));
      still_warnings.erase(still_warnings.begin() + static_cast<std::ptrdiff_t>(*index));
    }
    const LoadResult result =
        load({kValidDir + "/" + name}, LoadOptions{.strict_references = true});
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(fixture::toStrings(result.errors), errors);
    EXPECT_EQ(fixture::toStrings(result.warnings), still_warnings);
  }
  // Skipping a server is not a reference: it stays a warning.
  EXPECT_TRUE(load({kValidDir + "/duplicate-listener-port.yaml"},
                   LoadOptions{.strict_references = true})
                  .ok());
}

}  // namespace
}  // namespace weir::config
