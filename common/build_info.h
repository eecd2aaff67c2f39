// What the binaries were built from, for --version and the admin server's
// /server_info: the project's version and the git commit, found when CMake configured the build
// ("unknown" outside a git checkout, e.g. a release tarball).
#pragma once

#include <string>
#include <string_view>

namespace weir {

std::string_view buildVersion();     // "0.1.0"
std::string_view buildCommit();      // the full SHA, or "unknown"
std::string_view buildTreeStatus();  // "Clean", "Modified" (tracked files differed), "unknown"
std::string_view buildType();        // CMAKE_BUILD_TYPE: "Release", …, or "none"

// What `program --version` prints, without the newline: "weir 0.1.0 (commit
// 4ae4fc1d2e3f)", the commit abbreviated to 12 digits.
std::string versionLine(std::string_view program);

}  // namespace weir
