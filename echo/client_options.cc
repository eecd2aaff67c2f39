#include "echo/client_options.h"

#include <fmt/format.h>

#include <vector>

#include "common/socket_address.h"
#include "common/usage_error.h"
#include "echo/command_line.h"

namespace weir::echo {
namespace {

// Bounds that keep the arithmetic and the file-descriptor use sane.
constexpr std::uint64_t kMaxConnections = 100'000'000;
constexpr std::uint64_t kMaxConcurrency = 100'000;
constexpr std::uint64_t kMaxTimeoutMs = 24ULL * 3600 * 1000;

}  // namespace

ClientOptions parseClientArgs(std::span<const std::string_view> args) {
  ClientOptions options;
  bool tolerance_given = false;
  auto take_option = [&](std::string_view name, cli::OptionReader& reader) {
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
    } else if (name == "--expect") {
      options.expect = parseSplitExpectation(reader.value());
    } else if (name == "--tolerance") {
      options.confidence = parseConfidence(reader.value(), "--tolerance");
      tolerance_given = true;
    } else {
      return false;
    }
    return true;
  };
  const std::vector<std::string_view> positional =
      readCommandLine(args, options.help, options.version, take_option);
  if (options.help || options.version) {
    return options;
  }
  if (positional.empty()) {
    throw cli::UsageError("missing HOST:PORT");
  }
  if (positional.size() > 1) {
    throw cli::UsageError(fmt::format("unexpected argument '{}'", positional[1]));
  }
  if (tolerance_given && !options.expect) {
    throw cli::UsageError("--tolerance needs --expect");
  }
  if (positional[0].starts_with("unix:")) {
    const std::string_view path = positional[0].substr(5);
    if ((!path.starts_with('/') && !path.starts_with('@')) || !SocketAddress::fromUnixPath(path)) {
      throw cli::UsageError(fmt::format(
          "'{}': expected unix:/PATH or unix:@NAME of at most 107 bytes", positional[0]));
    }
    options.unix_target = std::string(path);
    return options;
  }
  options.target = parseHostPort(positional[0]);
  return options;
}

std::string clientUsage(std::string_view program) {
  return fmt::format(
      "Usage: {} HOST:PORT|unix:PATH [-n N] [-c C] [--message TEXT] [--timeout-ms MS]\n"
      "       [--print]\n"
      "       [--expect WORD=WEIGHT,... [--tolerance CONFIDENCE]]\n"
      "\n"
      "Opens N connections to HOST:PORT, at most C at a time; on each sends TEXT and a\n"
      "newline, reads the answer up to its first newline and counts its first word.\n"
      "Prints one line per word, \"one 801 (80.1%)\", most frequent first, then\n"
      "\"errors K\" and one line per kind of error. HOST is an IP address or localhost;\n"
      "IPv6 goes in brackets: [::1]:9000. unix:/run/echo.sock (or unix:@NAME, Linux's\n"
      "abstract namespace) connects to a Unix domain socket instead.\n"
      "\n"
      "Options:\n"
      "  -n N              connections in total (default 1000)\n"
      "  -c C              connections open at once (default 20)\n"
      "  --message TEXT    what to send (default hello)\n"
      "  --timeout-ms MS   limit per connection, connect and answer (default 10000)\n"
      "  --print           print every answer as it arrives, before the tally\n"
      "  --expect WORD=WEIGHT,...\n"
      "                    after the tally, check the split of answers by first word:\n"
      "                    relative weights as in Istio (one=80,two=20 or one=4,two=1);\n"
      "                    weight 0, and any word not listed, must get no answer\n"
      "  --tolerance CONFIDENCE\n"
      "                    confidence of the check, 99.9% or 0.999 (default 99.9%)\n"
      "  -h, --help        print this help\n"
      "  --version         print the version and the git commit it was built from\n"
      "\n"
      "With --expect, each word of share p = weight / sum must get a count of the n\n"
      "answers within n*p +- z*sqrt(n*p*(1-p)), the normal approximation of the\n"
      "binomial at CONFIDENCE (rough for small n), rounded inward to whole counts. With\n"
      "m > 1 words of 0 < p < 1 each interval is at 1 - (1 - CONFIDENCE) / m\n"
      "(Bonferroni), so that all of them hold together at CONFIDENCE. One line per word:\n"
      "  expect one 80.0%: observed 801 of 1000 (80.1%), 99.95% interval [756, 844] ok\n"
      "then \"split ok\" or \"split outside the expected interval\".\n"
      "\n"
      "Exit status: 0 if every connection got an answer (and the split is within),\n"
      "1 if any connection failed, 2 for bad arguments, 3 if every connection got an\n"
      "answer but the split is outside.\n",
      program);
}

int clientExitStatus(std::size_t errors, bool split_ok) {
  if (errors > 0) {
    return kExitConnectionErrors;
  }
  return split_ok ? kExitOk : kExitSplitOutside;
}

}  // namespace weir::echo
