#include "echo/command_line.h"

#include <fmt/format.h>

#include "common/usage_error.h"

namespace weir::echo {
namespace {

// weir's words (one style for the three binaries); "--" ends the options here.
constexpr cli::OptionStyle kOptionStyle{.missing_value = "option {} needs a value",
                                        .unexpected_value = "option {} takes no value"};

}  // namespace

std::vector<std::string_view> readCommandLine(
    std::span<const std::string_view> args, bool& help, bool& version,
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
    if (name == "--version") {
      version = true;
      break;
    }
    if (!take_option(name, reader)) {
      throw cli::UsageError(cli::unknownOptionMessage(name));
    }
  }
  return positional;
}

}  // namespace weir::echo
