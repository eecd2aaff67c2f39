#include "common/build_info.h"

#include <gtest/gtest.h>

#include <regex>

namespace weir {
namespace {

// --version of the three binaries: "NAME VERSION (commit ABCDEF)", the commit as
// git abbreviates it at configure time, or "unknown" outside a git checkout.
TEST(BuildInfo, VersionLineNamesVersionAndCommit) {
  const std::string line = versionLine("tcp-echo-server");
  EXPECT_TRUE(std::regex_match(
      line, std::regex("tcp-echo-server \\d+\\.\\d+\\.\\d+ \\(commit ([0-9a-f]{7,40}|unknown)\\)")))
      << line;
  EXPECT_NE(line.find(std::string(buildVersion())), std::string::npos);
  // buildCommit() is the full SHA (for /server_info); the line abbreviates it.
  EXPECT_NE(line.find(std::string(buildCommit().substr(0, 12))), std::string::npos);
  EXPECT_TRUE(buildCommit() == "unknown" || buildCommit().size() == 40) << buildCommit();
}

}  // namespace
}  // namespace weir
