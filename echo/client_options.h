// Command line of tcp-echo-client.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "echo/cli_values.h"

namespace weir::echo {

struct ClientOptions {
  HostPort target;
  std::size_t connections = 1000;            // -n: in total
  std::size_t concurrency = 20;              // -c: at most this many open at once
  std::string message = "hello";             // sent with a '\n' appended
  std::chrono::milliseconds timeout{10000};  // per connection, connect + answer
  bool print_answers = false;                // --print
  bool help = false;
};

// `args` excludes the program name. Throws UsageError.
ClientOptions parseClientArgs(std::span<const std::string_view> args);

std::string clientUsage(std::string_view program);

}  // namespace weir::echo
