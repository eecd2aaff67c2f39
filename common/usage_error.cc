#include "common/usage_error.h"

#include <fmt/format.h>

#include <cstdio>

namespace weir::cli {

std::string unknownOptionMessage(std::string_view option) {
  return fmt::format("unknown option '{}'", option);
}

int reportUsageError(std::string_view program, const UsageError& error) {
  fmt::print(stderr, "{}: {}\nTry '{} --help'.\n", program, error.what(), program);
  return 2;
}

}  // namespace weir::cli
