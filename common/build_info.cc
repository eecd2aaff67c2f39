#include "common/build_info.h"

#include <fmt/format.h>

// They come from CMake (common/CMakeLists.txt), on this file only, so that a new
// commit recompiles one file.
#ifndef WEIR_VERSION
#error "WEIR_VERSION is set by CMake"
#endif
#if !defined(WEIR_COMMIT) || !defined(WEIR_TREE_STATUS) || !defined(WEIR_BUILD_TYPE)
#error "WEIR_COMMIT, WEIR_TREE_STATUS and WEIR_BUILD_TYPE are set by CMake"
#endif

namespace weir {

std::string_view buildVersion() { return WEIR_VERSION; }

std::string_view buildCommit() { return WEIR_COMMIT; }

std::string_view buildTreeStatus() { return WEIR_TREE_STATUS; }

std::string_view buildType() { return WEIR_BUILD_TYPE; }

std::string versionLine(std::string_view program) {
  return fmt::format("{} {} (commit {})", program, buildVersion(), buildCommit().substr(0, 12));
}

}  // namespace weir
