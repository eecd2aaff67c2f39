// tcp-echo-client: many short connections to an echo server, answers tallied by first word.
#include <event2/event.h>
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include "common/build_info.h"
#include "common/file_limit.h"
#include "common/libevent_handles.h"
#include "common/socket_address.h"
#include "common/usage_error.h"
#include "echo/client_options.h"
#include "echo/echo_client.h"
#include "echo/split_expectation.h"

namespace {

using namespace weir::echo;
using weir::EventBasePtr;
using weir::SocketAddress;

constexpr std::string_view kProgram = "tcp-echo-client";

int runClient(const ClientOptions& options) {
  std::signal(SIGPIPE, SIG_IGN);
  weir::raiseOpenFileLimit();
  ClientPlan plan{
      .target = options.unix_target
                    ? *SocketAddress::fromUnixPath(*options.unix_target)
                    : SocketAddress::resolve(options.target.host, options.target.port),
      .connections = options.connections,
      .concurrency = options.concurrency,
      .message = options.message,
      .timeout = options.timeout,
      .on_answer = {},
  };
  if (options.print_answers) {
    plan.on_answer = [](std::string_view answer) {
      fmt::print("{}\n", answer);
      std::fflush(stdout);
    };
  }
  EventBasePtr base(event_base_new());
  if (!base) {
    fmt::print(stderr, "{}: event_base_new failed\n", kProgram);
    return kExitConnectionErrors;
  }
  EchoClient client(base.get(), std::move(plan));
  client.run();
  const AnswerTally& tally = client.tally();
  fmt::print("{}", tally.report());
  bool split_ok = true;
  if (options.expect) {
    SplitVerdict verdict = checkSplit(*options.expect, tally.answersByWord(), options.confidence);
    fmt::print("{}", formatSplitVerdict(verdict));
    split_ok = verdict.ok;
  }
  std::fflush(stdout);
  return clientExitStatus(tally.errors(), split_ok);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  ClientOptions options;
  try {
    options = parseClientArgs(args);
  } catch (const weir::cli::UsageError& error) {
    weir::cli::reportUsageError(kProgram, error);
    return kExitUsage;
  }
  if (options.help) {
    fmt::print("{}", clientUsage(kProgram));
    return kExitOk;
  }
  if (options.version) {
    fmt::print("{}\n", weir::versionLine(kProgram));
    return kExitOk;
  }
  try {
    return runClient(options);
  } catch (const std::exception& error) {
    // A host name that does not resolve is a bad argument too.
    fmt::print(stderr, "{}: {}\n", kProgram, error.what());
    return kExitUsage;
  }
}
