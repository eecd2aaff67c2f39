// Issue 17: `weir --validate` checks the command line as a start would, not only
// the YAML: a flag value the start would refuse is refused by --validate too, in
// the flag's own words, and never blamed on the configuration. The real binary;
// the messages are the feature, so the tests compare text.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::test {
namespace {

using std::chrono::seconds;
namespace fs = std::filesystem;

const std::string kWalkThrough =
    (fs::path(kSourceDir) / "examples" / "tcp-traffic-shifting").string();

ProcessResult runWeir(const TempDir& dir, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), kWeirBinary);
  return runToCompletion(ChildSpec{arguments, dir.path() / "logs", "weir", std::nullopt},
                         seconds(15));
}

std::string show(const ProcessResult& result) {
  return result.status.describe() + (result.timed_out ? " (timed out)" : "") + "\nstdout:\n" +
         result.stdout_text + "stderr:\n" + result.stderr_text;
}

TEST(ValidateCommandLine, ABindAddressThatIsNoIpIsAUsageError) {
  TempDir dir;
  const ProcessResult result =
      runWeir(dir, {"-c", kWalkThrough, "--bind", "127.0.0.300", "--validate"});
  EXPECT_TRUE(result.status.exitedWith(2)) << show(result);
  EXPECT_EQ(result.stderr_text,
            "weir: --bind must be an IP address, got \"127.0.0.300\"\nTry 'weir --help'.\n");
  EXPECT_EQ(result.stdout_text, "");
}

TEST(ValidateCommandLine, AnAdminAddressThatIsNoIpIsAUsageError) {
  TempDir dir;
  const ProcessResult result =
      runWeir(dir, {"-c", kWalkThrough, "--admin", "admin.example:15000", "--validate"});
  EXPECT_TRUE(result.status.exitedWith(2)) << show(result);
  EXPECT_NE(result.stderr_text.find("--admin must be IP:PORT, localhost:PORT or none"),
            std::string::npos)
      << show(result);
}

// A --port-override that names no Gateway port was silently ignored: an error that
// lists the ports there are, from --validate and from a real start alike.
TEST(ValidateCommandLine, APortOverrideForNoGatewayPortListsTheGatewayPorts) {
  TempDir dir;
  const std::string expected =
      "--port-override 9999=0: no Gateway server listens on port 9999 (Gateway ports: 9000)";
  const ProcessResult validated =
      runWeir(dir, {"-c", kWalkThrough, "--port-override", "9999=0", "--validate"});
  EXPECT_TRUE(validated.status.exitedWith(1)) << show(validated);
  EXPECT_NE(validated.stderr_text.find("weir: " + expected), std::string::npos)
      << show(validated);
  EXPECT_EQ(validated.stdout_text.find("configuration OK"), std::string::npos) << show(validated);

  const ProcessResult started =
      runWeir(dir, {"-c", kWalkThrough, "--bind", "127.0.0.1", "--port-override", "9999=0",
                    "--port-override", "9000=0", "--admin", "none"});
  EXPECT_TRUE(started.status.exitedWith(1)) << show(started);
  EXPECT_NE(started.stderr_text.find(expected), std::string::npos) << show(started);
  EXPECT_EQ(started.stderr_text.find("ready:"), std::string::npos) << show(started);
}

TEST(ValidateCommandLine, APortOverrideForAGatewayPortIsFine) {
  TempDir dir;
  const ProcessResult result =
      runWeir(dir, {"-c", kWalkThrough, "--port-override", "9000=0", "--validate"});
  EXPECT_TRUE(result.status.exitedWith(0)) << show(result);
}

// Files the start would write: refused up front when they cannot be written.
TEST(ValidateCommandLine, AccessLogAndReadyFileMustBeWritable) {
  TempDir dir;
  const std::string missing = (dir.path() / "no-such-dir" / "file").string();
  const ProcessResult result = runWeir(
      dir, {"-c", kWalkThrough, "--access-log", missing, "--ready-file", missing, "--validate"});
  EXPECT_TRUE(result.status.exitedWith(1)) << show(result);
  EXPECT_NE(result.stderr_text.find("weir: --access-log cannot be written: "), std::string::npos)
      << show(result);
  EXPECT_NE(result.stderr_text.find("weir: --ready-file cannot be written: "), std::string::npos)
      << show(result);
  EXPECT_TRUE(fs::is_empty(dir.path() / "logs") || !fs::exists(dir.path() / "no-such-dir"));
}

// `weir examples/...`: the path without -c.
TEST(ValidateCommandLine, APathWithoutDashCSuggestsIt) {
  TempDir dir;
  const ProcessResult result = runWeir(dir, {kWalkThrough, "--validate"});
  EXPECT_TRUE(result.status.exitedWith(2)) << show(result);
  EXPECT_EQ(result.stderr_text,
            "weir: unexpected argument '" + kWalkThrough +
                "': configuration paths come with -c (weir -c " + kWalkThrough +
                ")\nTry 'weir --help'.\n");
}

}  // namespace
}  // namespace weir::test
