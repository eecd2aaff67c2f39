#include "bench/loadgen/options.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "common/option_reader.h"
#include "common/usage_error.h"
#include "common/whole_number.h"

namespace weir::bench {
namespace {

// How weir-loadgen reads its command line: every argument after the mode is a flag
// with a value; "--" is not special.
constexpr cli::OptionStyle kOptionStyle{.missing_value = "{} needs a value",
                                        .unexpected_value = "{} takes no value",
                                        .double_dash_ends_options = false};

// Byte counts take binary suffixes: 16M is 16 MiB, 1G is 1 GiB.
std::uint64_t parseNumber(std::string_view text, std::string_view flag, std::uint64_t min,
                          std::uint64_t max) {
  const cli::WholeNumber number = cli::readByteCount(text);
  if (number.problem != cli::WholeNumber::Problem::kNone || number.value > max ||
      number.value < min) {
    throw cli::UsageError(
        fmt::format("{}: expected a number from {} to {}, got '{}'", flag, min, max, text));
  }
  return number.value;
}

const std::map<std::string_view, Mode> kModes = {
    {"connrate", Mode::kConnrate}, {"pingpong", Mode::kPingpong}, {"bulk", Mode::kBulk},
    {"idle", Mode::kIdle},         {"sink", Mode::kSink}};

// The flags each mode accepts: a flag of another mode is a mistake worth reporting.
const std::map<Mode, std::set<std::string_view>> kFlags = {
    {Mode::kConnrate, {"--target", "--clients", "--duration-ms", "--threads", "--timeout-ms", "--sources"}},
    {Mode::kPingpong,
     {"--target", "--connections", "--size", "--duration-ms", "--threads", "--timeout-ms", "--sources"}},
    {Mode::kBulk, {"--target", "--bytes", "--timeout-ms", "--sources"}},
    {Mode::kIdle,
     {"--target", "--connections", "--parallel", "--hold-ms", "--timeout-ms", "--sources"}},
    {Mode::kSink, {"--listen", "--hold-ms"}},
};

}  // namespace

Options parseOptions(std::span<const std::string_view> args) {
  Options options;
  if (args.empty()) {
    throw cli::UsageError("missing MODE");
  }
  if (args[0] == "-h" || args[0] == "--help") {
    options.help = true;
    return options;
  }
  const auto mode = kModes.find(args[0]);
  if (mode == kModes.end()) {
    throw cli::UsageError(fmt::format("unknown mode '{}'", args[0]));
  }
  options.mode = mode->second;
  // Defaults that differ by mode.
  if (options.mode == Mode::kIdle) {
    options.connections = 10000;
    options.timeout = std::chrono::milliseconds(10000);
  }
  if (options.mode == Mode::kBulk) {
    options.timeout = std::chrono::milliseconds(60000);
  }
  if (options.mode == Mode::kSink) {
    options.hold = std::chrono::milliseconds(3600 * 1000);
  }

  bool have_target = false;
  bool have_listen = false;
  cli::OptionReader reader(args.subspan(1), kOptionStyle);
  while (reader.next()) {
    const std::string_view flag = reader.name();
    if (!reader.hasInlineValue() && (flag == "-h" || flag == "--help")) {
      options.help = true;
      return options;
    }
    const std::string_view value = reader.value();
    if (!kFlags.at(options.mode).contains(flag)) {
      throw cli::UsageError(fmt::format("{} does not apply to mode {}", flag, args[0]));
    }
    auto millis = [&](std::uint64_t min) {
      return std::chrono::milliseconds(parseNumber(value, flag, min, 24ull * 3600 * 1000));
    };
    if (flag == "--target") {
      options.target = parseLoopbackEndpoint(value, false);
      have_target = true;
    } else if (flag == "--listen") {
      options.listen = parseLoopbackEndpoint(value, true);
      have_listen = true;
    } else if (flag == "--clients" || flag == "--connections") {
      options.connections = static_cast<std::uint32_t>(parseNumber(value, flag, 1, 1'000'000));
    } else if (flag == "--size") {
      options.message_bytes = static_cast<std::uint32_t>(parseNumber(value, flag, 2, 1 << 20));
    } else if (flag == "--bytes") {
      options.bulk_bytes = parseNumber(value, flag, 1, 1ull << 50);
    } else if (flag == "--threads") {
      options.threads = static_cast<std::uint32_t>(parseNumber(value, flag, 1, 64));
    } else if (flag == "--sources") {
      options.sources = static_cast<std::uint32_t>(parseNumber(value, flag, 1, 254));
    } else if (flag == "--parallel") {
      options.parallel = static_cast<std::uint32_t>(parseNumber(value, flag, 1, 100'000));
    } else if (flag == "--duration-ms") {
      options.duration = millis(1);
    } else if (flag == "--timeout-ms") {
      options.timeout = millis(1);
    } else if (flag == "--hold-ms") {
      options.hold = millis(0);
    }
  }
  if (options.mode == Mode::kSink ? !have_listen : !have_target) {
    throw cli::UsageError(options.mode == Mode::kSink ? "sink needs --listen 127.x.y.z:PORT"
                                                      : "missing --target 127.x.y.z:PORT");
  }
  return options;
}

std::string usageText() {
  return R"(Usage: weir-loadgen MODE [options]

A load generator for TCP echo proxies. It only connects to and listens on 127.0.0.0/8.
Each mode prints one JSON object per line on standard output; the last one is the
result. Exit status: 0 when the run had no errors, 1 when it had some, 2 for bad usage,
3 when the generator itself failed (no epoll, cannot listen).

Modes:
  connrate --target A:P [--clients 50] [--duration-ms 3000] [--threads 2]
      Each client in a loop: connect, send "ping\n", read the answer line, close.
      Result: exchanges, rate_per_s, p50_us/p99_us (connect to answer), answers by
      prefix (one per exchange).
  pingpong --target A:P [--connections 50] [--size 64] [--duration-ms 3000] [--threads 2]
      Persistent connections, each sending a SIZE-byte line (SIZE-1 bytes + '\n') and
      waiting for its echo before the next. Result: messages, rate_per_s, round trip
      p50_us/p99_us, answers by prefix (one per connection: the split is per connection).
  bulk --target A:P [--bytes 1G] [--timeout-ms 60000]
      One connection sends BYTES, shuts down writing, and reads back the byte count the
      sink received as a line; a different count is an error. Result: gbit_per_s.
  idle --target A:P [--connections 10000] [--parallel 256] [--hold-ms 60000]
      Opens the connections (at most PARALLEL connecting at once), does one echo exchange
      on each, prints {"event":"ready",...} and holds them until standard input (a pipe)
      closes, SIGTERM/SIGINT, or HOLD-MS; then closes them and prints the result.
  sink --listen 127.0.0.1:0 [--hold-ms 3600000]
      Prints {"event":"listening","port":P}; for each connection counts the bytes until
      the peer shuts down writing, answers the count as a line, closes, and prints
      {"event":"received","bytes":N}. Runs until SIGTERM/SIGINT or HOLD-MS.

Common options:
  --timeout-ms N   longest wait for one connect/exchange (bulk: the whole transfer)
  --sources N      spread client source addresses over 127.0.0.1..127.0.0.N (default 8)
Byte counts take binary suffixes: 16M = 16 MiB, 1G = 1 GiB.
)";
}

}  // namespace weir::bench
