// tcp-echo-server: Istio's tcp-echo sample, wire-compatible, on libevent.
#include <event2/event.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include "common/build_info.h"
#include "common/file_limit.h"
#include "common/libevent_handles.h"
#include "common/usage_error.h"
#include "echo/address_text.h"
#include "echo/echo_server.h"
#include "echo/server_options.h"

namespace {

using namespace weir::echo;
using weir::EventBasePtr;
using weir::EventPtr;
using weir::SocketAddress;

constexpr std::string_view kProgram = "tcp-echo-server";

void onStopSignal(evutil_socket_t signal_number, short, void* base) {
  spdlog::info("signal {}, exiting", signal_number);
  event_base_loopexit(static_cast<event_base*>(base), nullptr);
}

int serve(const ServerOptions& options) {
  // One logger for the program and its server, on standard error: standard output
  // carries the "listening on" lines that tests wait for.
  const auto logger = weir::echo::newEchoLogger();
  logger->set_level(options.verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(logger);
  std::signal(SIGPIPE, SIG_IGN);
  spdlog::debug("open file limit {}", weir::raiseOpenFileLimit());

  EventBasePtr base(event_base_new());
  if (!base) {
    spdlog::critical("event_base_new failed");
    return 1;
  }
  EventPtr on_int(evsignal_new(base.get(), SIGINT, &onStopSignal, base.get()));
  EventPtr on_term(evsignal_new(base.get(), SIGTERM, &onStopSignal, base.get()));
  evsignal_add(on_int.get(), nullptr);
  evsignal_add(on_term.get(), nullptr);

  EchoSettings settings;
  settings.mode = options.raw ? EchoMode::kRaw : EchoMode::kLines;
  settings.prefix = options.prefix;
  settings.max_line_bytes = options.max_line_bytes;
  settings.proxy_protocol = options.proxy_protocol;
  settings.logger = logger;
  EchoServer server(base.get(), settings);
  const auto announce = [&options](const SocketAddress& bound) {
    const char* proxy = options.proxy_protocol ? ", proxy protocol" : "";
    if (options.raw) {
      fmt::print("listening on {}, raw{}\n", addressText(bound), proxy);
    } else {
      fmt::print("listening on {}, prefix: {}{}\n", addressText(bound), options.prefix, proxy);
    }
    // Tests wait for this line on a pipe.
    std::fflush(stdout);
  };
  try {
    if (options.unix_path) {
      announce(server.listen(*SocketAddress::fromUnixPath(*options.unix_path)));
    }
    for (std::uint16_t port : options.ports) {
      announce(options.listen_address
                   ? server.listen(*SocketAddress::fromHostLiteral(*options.listen_address, port))
                   : server.listenOnAllAddresses(port));
    }
  } catch (const std::exception& error) {
    spdlog::critical("{}", error.what());
    return 1;
  }
  event_base_dispatch(base.get());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  ServerOptions options;
  try {
    options = parseServerArgs(args);
  } catch (const weir::cli::UsageError& error) {
    return weir::cli::reportUsageError(kProgram, error);
  }
  if (options.help) {
    fmt::print("{}", serverUsage(kProgram));
    return 0;
  }
  if (options.version) {
    fmt::print("{}\n", weir::versionLine(kProgram));
    return 0;
  }
  return serve(options);
}
