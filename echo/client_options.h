// Command line of tcp-echo-client.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "echo/cli_values.h"
#include "echo/split_expectation.h"

namespace weir::echo {

inline constexpr double kDefaultConfidence = 0.999;

// tcp-echo-client's exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitConnectionErrors = 1;  // also when the split was outside
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSplitOutside = 3;  // no connection errors, split outside

struct ClientOptions {
  HostPort target;
  // unix:PATH or unix:@NAME instead of HOST:PORT: the path, target unused.
  std::optional<std::string> unix_target;
  std::size_t connections = 1000;            // -n: in total
  std::size_t concurrency = 20;              // -c: at most this many open at once
  std::string message = "hello";             // sent with a '\n' appended
  std::chrono::milliseconds timeout{10000};  // per connection, connect + answer
  bool print_answers = false;                // --print
  std::optional<SplitExpectation> expect;    // --expect one=80,two=20
  double confidence = kDefaultConfidence;    // --tolerance, only with --expect
  bool help = false;
  bool version = false;  // --version: print the version, ignore everything else
};

// `args` excludes the program name. Throws UsageError.
ClientOptions parseClientArgs(std::span<const std::string_view> args);

std::string clientUsage(std::string_view program);

// The exit status after a run with `errors` failed connections; `split_ok` is false only
// when --expect was given and the split was outside. Connection errors win over the split.
int clientExitStatus(std::size_t errors, bool split_ok);

}  // namespace weir::echo
