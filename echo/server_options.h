// Command line of tcp-echo-server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace weir::echo {

struct ServerOptions {
  static constexpr std::size_t kDefaultMaxLineBytes = 64 * 1024;

  std::vector<std::uint16_t> ports;           // 0: an ephemeral port; none with unix_path
  std::string prefix;                         // required unless raw
  std::optional<std::string> listen_address;  // IP literal; unset: [::] dual-stack
  // --listen unix:PATH or unix:@NAME: a Unix domain socket instead of ports.
  std::optional<std::string> unix_path;
  bool raw = false;
  bool proxy_protocol = false;  // --proxy-protocol: see EchoSettings::proxy_protocol
  std::size_t max_line_bytes = kDefaultMaxLineBytes;
  bool verbose = false;
  bool help = false;     // --help: print usage, ignore everything else
  bool version = false;  // --version: print the version, ignore everything else
};

// `args` excludes the program name. Throws UsageError.
ServerOptions parseServerArgs(std::span<const std::string_view> args);

std::string serverUsage(std::string_view program);

}  // namespace weir::echo
