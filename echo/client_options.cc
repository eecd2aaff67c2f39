#include "echo/client_options.h"

#include <fmt/format.h>

#include <vector>

#include "echo/option_reader.h"
#include "echo/usage_error.h"

namespace weir::echo {
namespace {

// Bounds that keep the arithmetic and the file-descriptor use sane.
constexpr std::uint64_t kMaxConnections = 100'000'000;
constexpr std::uint64_t kMaxConcurrency = 100'000;
constexpr std::uint64_t kMaxTimeoutMs = 24ULL * 3600 * 1000;

}  // namespace

ClientOptions parseClientArgs(std::span<const std::string_view> args) {
  ClientOptions options;
  std::vector<std::string_view> positional;
  OptionReader reader(args);
  while (reader.next()) {
    if (!reader.isOption()) {
      positional.push_back(reader.argument());
      continue;
    }
    std::string_view name = reader.name();
    if (name == "-h" || name == "--help") {
      options.help = true;
      return options;
    }
    if (name == "-n") {
      options.connections = parseUnsigned(reader.value(), "-n", 1, kMaxConnections);
    } else if (name == "-c") {
      options.concurrency = parseUnsigned(reader.value(), "-c", 1, kMaxConcurrency);
    } else if (name == "--message") {
      options.message = std::string(reader.value());
    } else if (name == "--timeout-ms") {
      options.timeout = std::chrono::milliseconds(
          parseUnsigned(reader.value(), "--timeout-ms", 1, kMaxTimeoutMs));
    } else if (name == "--print") {
      reader.expectNoValue();
      options.print_answers = true;
    } else {
      throw UsageError(fmt::format("unknown option '{}'", name));
    }
  }
  if (positional.empty()) {
    throw UsageError("missing HOST:PORT");
  }
  if (positional.size() > 1) {
    throw UsageError(fmt::format("unexpected argument '{}'", positional[1]));
  }
  options.target = parseHostPort(positional[0]);
  return options;
}

std::string clientUsage(std::string_view program) {
  return fmt::format(
      "Usage: {} HOST:PORT [-n N] [-c C] [--message TEXT] [--timeout-ms MS] [--print]\n"
      "\n"
      "Opens N connections to HOST:PORT, at most C at a time; on each sends TEXT and a\n"
      "newline, reads the answer up to its first newline and counts its first word.\n"
      "Prints one line per word, \"one 801 (80.1%)\", most frequent first, then\n"
      "\"errors K\" and one line per kind of error. HOST is an IP address or localhost;\n"
      "IPv6 goes in brackets: [::1]:9000.\n"
      "\n"
      "Options:\n"
      "  -n N              connections in total (default 1000)\n"
      "  -c C              connections open at once (default 20)\n"
      "  --message TEXT    what to send (default hello)\n"
      "  --timeout-ms MS   limit per connection, connect and answer (default 10000)\n"
      "  --print           print every answer as it arrives, before the tally\n"
      "  -h, --help        print this help\n"
      "\n"
      "Exit status: 0 if every connection got an answer, 1 if any failed, 2 for bad\n"
      "arguments.\n",
      program);
}

}  // namespace weir::echo
