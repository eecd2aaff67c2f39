// weir-loadgen: the load generator of Weir's benchmark (bench/run_bench.py). One mode
// per run; results as JSON lines on standard output. Loopback only.
#include <csignal>
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include "bench/loadgen/bulk_mode.h"
#include "bench/loadgen/connrate_mode.h"
#include "bench/loadgen/idle_mode.h"
#include "bench/loadgen/options.h"
#include "bench/loadgen/pingpong_mode.h"
#include "bench/loadgen/sink_mode.h"
#include "common/file_limit.h"
#include "common/usage_error.h"

int main(int argc, char** argv) {
  using namespace weir::bench;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  Options options;
  try {
    options = parseOptions(args);
  } catch (const weir::cli::UsageError& error) {
    std::fprintf(stderr, "weir-loadgen: %s\n\n%s", error.what(), usageText().c_str());
    return 2;
  }
  if (options.help) {
    std::fputs(usageText().c_str(), stdout);
    return 0;
  }
  std::signal(SIGPIPE, SIG_IGN);
  weir::raiseOpenFileLimit();
  try {
    switch (options.mode) {
      case Mode::kConnrate: return runConnrate(options);
      case Mode::kPingpong: return runPingpong(options);
      case Mode::kBulk: return runBulk(options);
      case Mode::kIdle: return runIdle(options);
      case Mode::kSink: return runSink(options);
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "weir-loadgen: %s\n", error.what());
  }
  return 3;
}
