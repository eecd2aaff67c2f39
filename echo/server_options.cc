#include "echo/server_options.h"

#include <fmt/format.h>

#include <limits>

#include "common/socket_address.h"
#include "common/usage_error.h"
#include "echo/cli_values.h"
#include "echo/command_line.h"

namespace weir::echo {

ServerOptions parseServerArgs(std::span<const std::string_view> args) {
  ServerOptions options;
  auto take_option = [&](std::string_view name, cli::OptionReader& reader) {
    if (name == "--listen") {
      std::string_view address = reader.value();
      if (address.starts_with("unix:")) {
        const std::string_view path = address.substr(5);
        if (!SocketAddress::fromUnixPath(path)) {
          throw cli::UsageError(fmt::format(
              "--listen: expected unix:PATH or unix:@NAME of at most 107 bytes, got '{}'",
              address));
        }
        options.unix_path = std::string(path);
        options.listen_address.reset();
      } else if (!SocketAddress::fromHostLiteral(address, 0)) {
        throw cli::UsageError(fmt::format(
            "--listen: expected an IPv4 or IPv6 address or unix:PATH, got '{}'", address));
      } else {
        options.listen_address = std::string(address);
        options.unix_path.reset();
      }
    } else if (name == "--raw") {
      reader.expectNoValue();
      options.raw = true;
    } else if (name == "--proxy-protocol") {
      reader.expectNoValue();
      options.proxy_protocol = true;
    } else if (name == "--max-line-bytes") {
      options.max_line_bytes = static_cast<std::size_t>(parseUnsigned(
          reader.value(), "--max-line-bytes", 1, std::numeric_limits<std::uint32_t>::max()));
    } else if (name == "-v" || name == "--verbose") {
      reader.expectNoValue();
      options.verbose = true;
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
  // A Unix socket takes the place of the ports: PREFIX comes first.
  const std::size_t prefix_at = options.unix_path ? 0 : 1;
  if (!options.unix_path) {
    if (positional.empty()) {
      throw cli::UsageError("missing PORT[,PORT...]");
    }
    options.ports = parsePortList(positional[0]);
  }
  if (positional.size() > prefix_at) {
    options.prefix = std::string(positional[prefix_at]);
  } else if (!options.raw) {
    throw cli::UsageError("missing PREFIX (only --raw may go without one)");
  }
  if (positional.size() > prefix_at + 1) {
    throw cli::UsageError(fmt::format("unexpected argument '{}'", positional[prefix_at + 1]));
  }
  return options;
}

std::string serverUsage(std::string_view program) {
  return fmt::format(
      "Usage: {0} [options] PORT[,PORT...] PREFIX\n"
      "       {0} --raw [options] PORT[,PORT...]\n"
      "       {0} --listen unix:PATH [options] PREFIX   (or --raw without PREFIX)\n"
      "\n"
      "Answers every line a client sends with \"PREFIX line\", like Istio's tcp-echo\n"
      "sample. A port of 0 takes a free port; the port actually bound is printed as\n"
      "  listening on [::]:PORT, prefix: PREFIX\n"
      "\n"
      "Options:\n"
      "  --listen ADDRESS      bind this IP address (default [::], dual-stack; 0.0.0.0\n"
      "                        if IPv6 is unavailable)\n"
      "  --listen unix:PATH    listen on a Unix domain socket instead of ports (unix:@NAME:\n"
      "                        Linux's abstract namespace); a stale socket file at PATH\n"
      "                        is replaced, and the file is removed on exit. Printed as\n"
      "                          listening on unix:PATH, prefix: PREFIX\n"
      "  --raw                 echo every byte back as is: no lines, no prefix\n"
      "  --proxy-protocol      every connection must start with a PROXY protocol header\n"
      "                        (HAProxy v1 text or v2 binary, told apart by its first\n"
      "                        bytes); a connection without a valid one is closed and\n"
      "                        logged. The client address from the header is shown:\n"
      "                          lines: \"PREFIX [from ADDRESS] line\", e.g.\n"
      "                                 \"one [from 127.0.0.2:40000] hello\"\n"
      "                          --raw: \"PROXY-FROM ADDRESS\\n\" first, then the echo\n"
      "                        ADDRESS is 127.0.0.2:40000, [::1]:40000, or unknown (v1\n"
      "                        UNKNOWN, v2 LOCAL or a v2 family without addresses)\n"
      "  --max-line-bytes N    drop a client whose line exceeds N bytes (default {1})\n"
      "  -v, --verbose         log every connection to stderr\n"
      "  -h, --help            print this help\n"
      "  --version             print the version and the git commit it was built from\n",
      program, ServerOptions::kDefaultMaxLineBytes);
}

}  // namespace weir::echo
