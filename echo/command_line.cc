#include "echo/command_line.h"

#include <fmt/format.h>

#include "common/usage_error.h"

namespace weir::echo {
namespace {

constexpr cli::OptionStyle kOptionStyle{.missing_value = "{}: missing value",
                                        .unexpected_value = "{}: takes no value"};

}  // namespace

std::vector<std::string_view> readCommandLine(
    std::span<const std::string_view> args, bool& help,
    const std::function<bool(std::string_view name, cli::OptionReader& reader)>& take_option) {
  std::vector<std::string_view> positional;
  cli::OptionReader reader(args, kOptionStyle);
  while (reader.next()) {
    if (!reader.isOption()) {
      positional.push_back(reader.argument());
      continue;
    }
    const std::string_view name = reader.name();
    if (name == "-h" || name == "--help") {
      help = true;
      break;
    }
    if (!take_option(name, reader)) {
      throw cli::UsageError(fmt::format("unknown option '{}'", name));
    }
  }
  return positional;
}

}  // namespace weir::echo
