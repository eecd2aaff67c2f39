// tests/data/invalid/: one broken configuration per file, and the error each must
// produce (listed in tests/data/invalid/EXPECTED, also used by the CLI tests).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "config/loader.h"
#include "config_test_support.h"
#include "tests/support/test_paths.h"

namespace weir::config {
namespace {

namespace fs = std::filesystem;

const std::string kInvalidDir = std::string(weir::test::kTestDataDir) + "/invalid";

// EXPECTED: "name.yaml:LINE:COL: field: message" per line; '#' starts a comment.
std::map<std::string, std::string> readExpected() {
  std::map<std::string, std::string> expected;
  std::ifstream input(kInvalidDir + "/EXPECTED");
  std::string line;
  while (std::getline(input, line)) {
    if (line.empty() || line.front() == '#') {
      continue;
    }
    const size_t colon = line.find(':');
    expected[line.substr(0, colon)] = line;
  }
  return expected;
}

TEST(InvalidFilesTest, EveryFileIsListedOnceAndThereAreEnough) {
  const std::map<std::string, std::string> expected = readExpected();
  std::set<std::string> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(kInvalidDir)) {
    if (entry.path().extension() == ".yaml") {
      files.insert(entry.path().filename().string());
    }
  }
  std::set<std::string> listed;
  for (const auto& [name, line] : expected) {
    listed.insert(name);
  }
  EXPECT_EQ(files, listed);
  EXPECT_GE(files.size(), 12u);
}

TEST(InvalidFilesTest, EachFileGivesExactlyItsExpectedError) {
  const std::map<std::string, std::string> expected = readExpected();
  ASSERT_FALSE(expected.empty());
  for (const auto& [name, line] : expected) {
    SCOPED_TRACE(name);
    const LoadResult result = load({kInvalidDir + "/" + name});
    EXPECT_FALSE(result.ok());
    ASSERT_EQ(result.errors.size(), 1u) << ::testing::PrintToString(fixture::toStrings(result.errors));
    EXPECT_EQ(result.errors[0].toString(), kInvalidDir + "/" + line);
  }
}

}  // namespace
}  // namespace weir::config
