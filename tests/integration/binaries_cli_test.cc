// Issue 17: the three binaries alike: --version prints "NAME VERSION (commit
// ABCDEF)", and a bad option is reported in one style, exit status 2.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::test {
namespace {

using std::chrono::seconds;

struct Binary {
  std::string name;
  std::string path;
};

const std::vector<Binary>& binaries() {
  static const std::vector<Binary> all = {{"weir", kWeirBinary},
                                          {"tcp-echo-server", kEchoServerBinary},
                                          {"tcp-echo-client", kEchoClientBinary}};
  return all;
}

ProcessResult run(const TempDir& dir, const Binary& binary, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), binary.path);
  return runToCompletion(ChildSpec{arguments, dir.path() / "logs", binary.name, std::nullopt},
                         seconds(10));
}

TEST(Binaries, VersionNamesTheVersionAndTheCommit) {
  TempDir dir;
  for (const Binary& binary : binaries()) {
    const ProcessResult result = run(dir, binary, {"--version"});
    EXPECT_TRUE(result.status.exitedWith(0)) << binary.name << ": " << result.status.describe();
    EXPECT_TRUE(std::regex_match(
        result.stdout_text,
        std::regex(binary.name +
                   " \\d+\\.\\d+\\.\\d+ \\(commit ([0-9a-f]{7,40}|unknown)\\)\\n")))
        << "'" << result.stdout_text << "'";
  }
}

TEST(Binaries, ABadOptionIsReportedAlike) {
  TempDir dir;
  for (const Binary& binary : binaries()) {
    const ProcessResult unknown = run(dir, binary, {"--frobnicate"});
    EXPECT_TRUE(unknown.status.exitedWith(2)) << binary.name << ": " << unknown.status.describe();
    EXPECT_EQ(unknown.stderr_text, binary.name + ": unknown option '--frobnicate'\nTry '" +
                                       binary.name + " --help'.\n");
    EXPECT_EQ(unknown.stdout_text, "");
  }
  // An option without its value, in the same words.
  const std::vector<std::vector<std::string>> missing = {
      {"-c", "x", "--concurrency"}, {"0", "p", "--listen"}, {"127.0.0.1:9", "--message"}};
  for (size_t i = 0; i < binaries().size(); ++i) {
    const Binary& binary = binaries()[i];
    const std::string& option = missing[i].back();
    const ProcessResult result = run(dir, binary, missing[i]);
    EXPECT_TRUE(result.status.exitedWith(2)) << binary.name << ": " << result.status.describe();
    EXPECT_EQ(result.stderr_text, binary.name + ": option " + option + " needs a value\nTry '" +
                                      binary.name + " --help'.\n");
  }
}

}  // namespace
}  // namespace weir::test
