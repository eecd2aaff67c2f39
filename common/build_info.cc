#include "common/build_info.h"

#include <fmt/format.h>

// Both come from CMake (common/CMakeLists.txt), on this file only, so that a new
// commit recompiles one file.
#ifndef WEIR_VERSION
#error "WEIR_VERSION is set by CMake"
#endif
#ifndef WEIR_COMMIT
#error "WEIR_COMMIT is set by CMake"
#endif

namespace weir {

std::string_view buildVersion() { return WEIR_VERSION; }

std::string_view buildCommit() { return WEIR_COMMIT; }

std::string versionLine(std::string_view program) {
  return fmt::format("{} {} (commit {})", program, buildVersion(), buildCommit());
}

}  // namespace weir
