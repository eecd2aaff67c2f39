// `weir --validate`: checks configuration without starting anything; every error as
// `file:line:column: field: message` on stderr, exit 0 (valid) or 1. The messages are
// the feature here, so these tests do compare text.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/child_process.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::test {
namespace {

using std::chrono::seconds;
namespace fs = std::filesystem;

constexpr auto kValidateTimeout = seconds(15);

ProcessResult validate(const TempDir& dir, const std::vector<std::string>& config_args,
                       std::optional<fs::path> working_dir = std::nullopt) {
  std::vector<std::string> argv = {kWeirBinary, "--validate"};
  for (const std::string& path : config_args) {
    argv.push_back("-c");
    argv.push_back(path);
  }
  return runToCompletion(ChildSpec{argv, dir.path() / "logs", "weir-validate", working_dir},
                         kValidateTimeout);
}

std::string show(const ProcessResult& result) {
  return result.status.describe() + (result.timed_out ? " (timed out)" : "") + "\nstdout:\n" +
         result.stdout_text + "stderr:\n" + result.stderr_text;
}

// 1-based number of the first line of `text` that contains `needle`; 0 if none.
size_t lineNumberOf(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  std::string line;
  for (size_t number = 1; std::getline(lines, line); ++number) {
    if (line.find(needle) != std::string::npos) return number;
  }
  return 0;
}

TEST(ValidateCli, WalkThroughExampleIsValid) {
  TempDir dir;
  const fs::path example = fs::path(kSourceDir) / "examples" / "tcp-traffic-shifting";
  ProcessResult result = validate(dir, {example.string()});
  EXPECT_TRUE(result.status.exitedWith(0)) << show(result);
}

// The harness's own config is valid, and --validate opens no socket: the Gateway
// port is held by the test (without SO_REUSEPORT), which would make a bind fail.
TEST(ValidateCli, GeneratedConfigIsValidAndNoSocketIsOpened) {
  TempDir dir;
  TcpListener holder;
  const fs::path config =
      istio::walkThrough(holder.port(), {{"v1", 80, {freeTcpPort()}}, {"v2", 20, {freeTcpPort()}}})
          .writeSplit(dir.path() / "config");
  ProcessResult result = validate(dir, {config.string()});
  EXPECT_TRUE(result.status.exitedWith(0)) << show(result);
}

// Two negative weights in one file: both reported at once, each at the line where it
// is written, naming the file as given relative to the working directory.
TEST(ValidateCli, NegativeWeightsAreAllReportedWithTheirPositions) {
  TempDir dir;
  const fs::path config = istio::walkThrough(9000, {{"v1", -5, {9001}}, {"v2", -3, {9002}}})
                              .writeSplit(dir.path() / "config");
  const std::string vs = readTextFile(config / "virtual-service.yaml");
  const size_t first_line = lineNumberOf(vs, "weight: -5");
  const size_t second_line = lineNumberOf(vs, "weight: -3");
  ASSERT_GT(first_line, 0u);
  ASSERT_GT(second_line, 0u);

  ProcessResult result = validate(
      dir, {"virtual-service.yaml", "gateway.yaml", "destination-rule.yaml", "service-entry.yaml"},
      config);
  EXPECT_TRUE(result.status.exitedWith(1)) << show(result);
  for (auto [line, field] : {std::pair{first_line, "tcp[0].route[0].weight"},
                             std::pair{second_line, "tcp[0].route[1].weight"}}) {
    // The field path may be rooted higher up ("spec.tcp[0]..."), so only its end is fixed.
    std::regex expected("(^|\\n)[^\\n]*virtual-service\\.yaml:" + std::to_string(line) +
                        ":[0-9]+: ([^ \\n]*\\.)?" +
                        std::regex_replace(field, std::regex("[\\[\\].]"), "\\$&") +
                        ": [^\\n]+");
    EXPECT_TRUE(std::regex_search(result.stderr_text, expected))
        << "no error for " << field << " at line " << line << "\n" << show(result);
  }
}

// Fixtures written by the config loader's author: tests/data/invalid/*.yaml, each
// with its expected lines in tests/data/invalid/EXPECTED
// (`name.yaml:LINE:COL: field: message`). weir runs inside that folder so that it
// prints the bare file name.
TEST(ValidateCli, InvalidFixturesReportTheExpectedErrors) {
  const fs::path invalid = fs::path(kTestDataDir) / "invalid";
  if (!fs::is_directory(invalid)) GTEST_SKIP() << invalid << " does not exist";
  std::set<std::string> fixtures;
  for (const auto& entry : fs::directory_iterator(invalid)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && (name.ends_with(".yaml") || name.ends_with(".yml"))) {
      fixtures.insert(name);
    }
  }
  if (fixtures.empty()) GTEST_SKIP() << invalid << " has no fixtures yet";
  ASSERT_TRUE(fs::exists(invalid / "EXPECTED")) << "fixtures without " << invalid / "EXPECTED";

  std::map<std::string, std::vector<std::string>> expected;
  std::istringstream lines(readTextFile(invalid / "EXPECTED"));
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.starts_with("#")) continue;
    size_t colon = line.find(':');
    ASSERT_NE(colon, std::string::npos) << "EXPECTED line without a file name: " << line;
    expected[line.substr(0, colon)].push_back(line);
  }
  for (const auto& [name, unused] : expected) {
    EXPECT_TRUE(fixtures.contains(name)) << "EXPECTED names " << name << ", which is not in "
                                         << invalid;
  }

  TempDir dir;
  for (const std::string& fixture : fixtures) {
    SCOPED_TRACE(fixture);
    auto wanted = expected.find(fixture);
    if (wanted == expected.end()) {
      ADD_FAILURE() << fixture << " has no line in EXPECTED, so nothing checks its messages";
      continue;
    }
    ProcessResult result = validate(dir, {fixture}, invalid);
    EXPECT_TRUE(result.status.exitedWith(1)) << show(result);
    for (const std::string& message : wanted->second) {
      EXPECT_NE(result.stderr_text.find(message), std::string::npos)
          << "missing: " << message << "\n" << show(result);
    }
  }
}

}  // namespace
}  // namespace weir::test
