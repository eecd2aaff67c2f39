// The command line of the `weir` binary, parsed without side effects so that tests
// can check it: into the proxy's settings (weir/proxy.h), the same type an embedding
// program fills in, plus the few things only the binary acts on.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <weir/proxy.h>

#include "proxy/control/proxy_log.h"

namespace weir::proxy {

// What the weir binary does around the proxy, which is not the proxy's to know: an
// embedding program prints its own help, checks its configuration with Proxy::start,
// and sets up its own logging (the proxy only writes to spdlog's loggers).
struct CliOptions {
  bool show_help = false;             // -h, --help
  bool show_version = false;          // --version
  bool validate_only = false;         // --validate: check the configuration and exit
  // --log-format of weir's own log (its level, --log-level, is ProxySettings::log_level)
  LogFormat log_format = LogFormat::kText;
  std::string access_log_path = "-";  // --access-log: "-" standard output, "none" off
};

struct CommandLine {
  ProxySettings settings = ProxySettings::commandLineDefaults();
  CliOptions cli;
};

// `arguments` excludes the program name. Throws cli::UsageError naming the first
// problem, e.g. `--concurrency must be a number from 1 to 256, got "0"`.
CommandLine parseOptions(std::span<const std::string_view> arguments);

std::string usageText();

}  // namespace weir::proxy
