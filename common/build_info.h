// What the binaries were built from, for --version (and the admin server): the
// project's version and the git commit, found when CMake configured the build
// ("unknown" outside a git checkout, e.g. a release tarball).
#pragma once

#include <string>
#include <string_view>

namespace weir {

std::string_view buildVersion();  // "0.1.0"
std::string_view buildCommit();   // "4ae4fc1d2e3f", or "unknown"

// What `program --version` prints, without the newline: "weir 0.1.0 (commit 4ae4fc1d2e3f)".
std::string versionLine(std::string_view program);

}  // namespace weir
