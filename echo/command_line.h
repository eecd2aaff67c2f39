// How tcp-echo-server and tcp-echo-client walk their command lines: options and
// positional arguments in any order, "--" ends the options, -h or --help asks for the
// usage. What each option means is the tool's (server_options, client_options).
#pragma once

#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "common/option_reader.h"

namespace weir::echo {

// Hands every option of `args` (without the program name) to `take_option`, which
// reads its value from the reader, or returns false for an option it does not know
// ("unknown option 'NAME'"). Returns the positional arguments in order. Sets `help`
// when -h or --help asks for the usage, `version` for --version, and then reads no
// further. Throws cli::UsageError.
std::vector<std::string_view> readCommandLine(
    std::span<const std::string_view> args, bool& help, bool& version,
    const std::function<bool(std::string_view name, cli::OptionReader& reader)>& take_option);

}  // namespace weir::echo
