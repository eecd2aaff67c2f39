#include "proxy/command_line.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <type_traits>
#include <vector>

#include <event2/util.h>

#include "common/option_reader.h"
#include "common/socket_address.h"
#include "common/usage_error.h"
#include "common/whole_number.h"
#include "config/duration.h"

namespace weir::proxy {
namespace {

// How weir reads its command line: it takes no positional arguments, so anything
// that is not one of its options is an error, "--" too; a switch ignores "=value".
// The messages are the echo tools' too (one style for the three binaries).
constexpr cli::OptionStyle kOptionStyle{.missing_value = "option {} needs a value",
                                        .unexpected_value = "option {} takes no value",
                                        .double_dash_ends_options = false};

// The usage prints each flag's help from this column, on the flag's own line when
// the flag fits before it.
constexpr size_t kHelpColumn = 24;

// One flag of the command line: how it is written, its help, and what it sets.
// A new flag is one more entry in flags().
struct Flag {
  std::string_view short_name = {};  // "-c", or empty
  std::string_view name = {};        // "--config"
  std::string_view value_name = {};  // "PATH" in the usage; empty: a switch, without a value
  // The value's form, for the error `NAME must be EXPECTED, got "VALUE"`.
  std::string_view expected = {};
  std::string help = {};  // its lines in the usage, '\n' between them
  // Takes the value (empty for a switch) into the command line; false when it is not
  // of the expected form. Throws cli::UsageError where the error has words of its own.
  bool (*apply)(CommandLine&, std::string_view value) = nullptr;
};

template <typename Number>
constexpr uint64_t largest() {
  return std::numeric_limits<Number>::max();
}

// The part of the command line that `field` belongs to.
template <typename Value>
ProxySettings& partOf(CommandLine& line, Value ProxySettings::*) {
  return line.settings;
}
template <typename Value>
CliOptions& partOf(CommandLine& line, Value CliOptions::*) {
  return line.cli;
}

// Appliers for the common kinds of flag; `field` is a member of ProxySettings or
// CliOptions.
template <auto field, auto value>
bool setSwitch(CommandLine& line, std::string_view) {
  partOf(line, field).*field = value;
  return true;
}

template <auto field>
bool setText(CommandLine& line, std::string_view text) {
  partOf(line, field).*field = std::string(text);
  return true;
}

template <auto field>
bool addText(CommandLine& line, std::string_view text) {
  (partOf(line, field).*field).emplace_back(text);
  return true;
}

// A whole number in [min, max]; `field` is an integer or an optional one.
template <auto field, uint64_t min, uint64_t max>
bool setNumber(CommandLine& line, std::string_view text) {
  const std::optional<uint64_t> number = cli::wholeNumberIn(text, min, max);
  if (!number) return false;
  auto& target = partOf(line, field).*field;
  target = static_cast<std::remove_reference_t<decltype(target)>>(*number);
  return true;
}

// "15s", or "500ms" when not whole seconds, as --listener-filter-timeout takes it.
std::string durationText(std::chrono::milliseconds duration) {
  return duration.count() % 1000 == 0 ? fmt::format("{}s", duration.count() / 1000)
                                      : fmt::format("{}ms", duration.count());
}

std::string spliceAfterText(std::optional<uint64_t> splice_after) {
  return splice_after ? std::to_string(*splice_after) : "never";
}

const std::set<std::string_view> kLogLevels = {"trace", "debug", "info",    "warn",
                                               "error", "critical", "off"};

// Every flag, in the order of the usage. The defaults they print are the settings'
// own (ProxySettings::commandLineDefaults, CliOptions).
const std::vector<Flag>& flags() {
  static const std::vector<Flag> table = [] {
    const ProxySettings defaults = ProxySettings::commandLineDefaults();
    return std::vector<Flag>{
        {.short_name = "-c",
         .name = "--config",
         .value_name = "PATH",
         .help = "YAML file (multi-document) or directory of *.yaml/*.yml\n"
                 "files; repeatable. Required.",
         .apply = addText<&ProxySettings::config_paths>},
        {.name = "--no-watch",
         .help = "do not reload when a config file changes on disk\n"
                 "(SIGHUP and POST /reload still do)",
         .apply = setSwitch<&ProxySettings::watch_files, false>},
        {.name = "--validate",
         .help = "check the configuration, print every error as\n"
                 "file:line:column: field: message, and exit 0 (valid) or 1",
         .apply = setSwitch<&CliOptions::validate_only, true>},
        {.name = "--strict",
         .help = "refuse references to what the configuration does not\n"
                 "define: a VirtualService's gateway, a destination's\n"
                 "ServiceEntry host or port, a subset. Istio accepts them\n"
                 "(they route nowhere), and so does weir by default, with a\n"
                 "warning; with --strict they are errors (also with\n"
                 "--validate, and on reload)",
         .apply = setSwitch<&ProxySettings::strict_references, true>},
        {.name = "--bind",
         .value_name = "ADDRESS",
         .expected = "an IP address",
         .help = "listen on ADDRESS instead of each Gateway server's `bind`\n"
                 "(default 0.0.0.0, like Istio's ingress gateway); servers\n"
                 "bound to a Unix socket (unix:///path) keep it",
         .apply = [](CommandLine& line, std::string_view address) {
           // Checked here, so that --validate refuses it as a start would.
           if (!SocketAddress::fromIpLiteral(address, 0)) return false;
           line.settings.bind_address = std::string(address);
           return true;
         }},
        {.name = "--reuse-port",
         .help = "share a port that another process (another weir) already\n"
                 "listens on, joining its SO_REUSEPORT group: a hot restart.\n"
                 "Without it such a port is refused, naming the process",
         .apply = setSwitch<&ProxySettings::reuse_port, true>},
        {.name = "--port-override",
         .value_name = "GATEWAY_PORT=PORT",
         .expected = "GATEWAY_PORT=PORT (PORT 0: any free port)",
         .help = "listen on PORT for Gateway servers on GATEWAY_PORT, without\n"
                 "editing the YAML; PORT 0 picks a free port (repeatable)",
         .apply = [](CommandLine& line, std::string_view text) {
           const auto equals = text.find('=');
           if (equals == std::string_view::npos) return false;
           auto from = cli::wholeNumberIn(text.substr(0, equals), 1, largest<uint16_t>());
           auto to = cli::wholeNumberIn(text.substr(equals + 1), 0, largest<uint16_t>());
           if (!from || !to) return false;
           line.settings.port_overrides[static_cast<uint16_t>(*from)] =
               static_cast<uint16_t>(*to);
           return true;
         }},
        {.name = "--ready-file",
         .value_name = "PATH",
         .help = "once every listener accepts, write a JSON document with\n"
                 "the bound address of each Gateway server and of the admin\n"
                 "server to PATH (atomically, by rename)",
         .apply = setText<&ProxySettings::ready_file>},
        {.name = "--concurrency",
         .value_name = "N",
         .expected = "a number from 1 to 256",
         .help = "worker threads, each with its own event loop and\n"
                 "listening sockets (default: number of cores)",
         .apply = setNumber<&ProxySettings::concurrency, 1, 256>},
        {.name = "--seed",
         .value_name = "N",
         .expected = "a non-negative integer",
         .help = "seed the weighted picks; with --concurrency 1 the sequence\n"
                 "of picked destinations is the same on every run",
         .apply = setNumber<&ProxySettings::seed, 0, largest<uint64_t>()>},
        {.name = "--buffer-limit",
         .value_name = "N",
         .expected = "a number of bytes >= 1024",
         .help = fmt::format("bytes buffered per direction before reading pauses\n"
                             "(default {})",
                             defaults.buffer_limit),
         .apply = setNumber<&ProxySettings::buffer_limit, 1024, largest<size_t>()>},
        {.name = "--splice-after",
         .value_name = "N|never",
         .expected = "a number of bytes or \"never\"",
         .help = fmt::format("move a direction's bytes with splice(2), without copying\n"
                             "them through user space, once it has carried N bytes in\n"
                             "large reads (default {}; 0: from the first byte;\n"
                             "\"never\": always copy)",
                             spliceAfterText(defaults.splice_after)),
         .apply = [](CommandLine& line, std::string_view text) {
           if (text == "never") {
             line.settings.splice_after.reset();
             return true;
           }
           return setNumber<&ProxySettings::splice_after, 0, largest<uint64_t>()>(line, text);
         }},
        {.name = "--log-level",
         .value_name = "LEVEL",
         .help = fmt::format("trace, debug, info, warn, error or off (default {})",
                             spdlog::level::to_string_view(defaults.log_level)),
         .apply = [](CommandLine& line, std::string_view level) {
           if (!kLogLevels.contains(level)) {
             throw cli::UsageError(fmt::format(
                 "--log-level must be one of trace, debug, info, warn, error, off; got \"{}\"",
                 level));
           }
           line.settings.log_level = spdlog::level::from_str(std::string(level));
           return true;
         }},
        {.name = "--log-format",
         .value_name = "text|json",
         .expected = "text or json",
         .help = "weir's own log: text lines, or one JSON object per line\n"
                 "(time, level, logger, message); times are UTC, ISO 8601",
         .apply = [](CommandLine& line, std::string_view format) {
           if (format != "text" && format != "json") return false;
           line.cli.log_format = format == "json" ? LogFormat::kJson : LogFormat::kText;
           return true;
         }},
        {.name = "--admin",
         .value_name = "ADDRESS:PORT",
         .expected = "IP:PORT, localhost:PORT or none",
         .help = fmt::format("admin HTTP server (default {}:{}; port 0 picks\n"
                             "a free port; \"none\" disables it): /stats,\n"
                             "/stats/prometheus, /clusters, /config_dump, /ready, and\n"
                             "POST /reload, /reset_counters, /drain, /quitquitquit",
                             defaults.admin_address, defaults.admin_port.value_or(0)),
         .apply = [](CommandLine& line, std::string_view text) {
           if (text == "none") {
             line.settings.admin_port.reset();
             return true;
           }
           const auto colon = text.rfind(':');
           if (colon == std::string_view::npos) return false;
           auto port = cli::wholeNumberIn(text.substr(colon + 1), 0, largest<uint16_t>());
           std::string_view host = text.substr(0, colon);
           if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
             host = host.substr(1, host.size() - 2);
           }
           // An IP address, or localhost (127.0.0.1): checked here, as a start would.
           if (!port || (host != "localhost" && !SocketAddress::fromIpLiteral(host, 0))) {
             return false;
           }
           line.settings.admin_address = std::string(host);
           line.settings.admin_port = static_cast<uint16_t>(*port);
           return true;
         }},
        {.name = "--access-log",
         .value_name = "PATH",
         .help = "one line per connection to PATH (\"-\": standard output,\n"
                 "the default; \"none\": off), written by a background thread",
         .apply = setText<&CliOptions::access_log_path>},
        {.name = "--access-log-format",
         .value_name = "text|json",
         .expected = "text or json",
         .help = "Istio's default text format, or one JSON object per line",
         .apply = [](CommandLine& line, std::string_view format) {
           if (format != "text" && format != "json") return false;
           line.settings.access_log_json = format == "json";
           return true;
         }},
        {.name = "--dns-refresh-rate",
         .value_name = "SECONDS",
         .expected = "a whole number of seconds >= 1",
         .help = fmt::format("how often host names of ServiceEntry `resolution: DNS`\n"
                             "and DNS_ROUND_ROBIN endpoints are resolved again\n"
                             "(default {}, like Envoy)",
                             defaults.dns_refresh_seconds),
         .apply = setNumber<&ProxySettings::dns_refresh_seconds, 1, largest<unsigned>()>},
        {.name = "--dns-resolver",
         .value_name = "IP[:PORT]",
         .help = "ask this name server (repeatable) instead of those in\n"
                 "/etc/resolv.conf; /etc/hosts still applies",
         .apply = [](CommandLine& line, std::string_view server) {
           if (server.empty()) throw cli::UsageError("--dns-resolver needs an IP or IP:PORT");
           // What evdns takes (evdns_base_nameserver_ip_add parses it so).
           sockaddr_storage parsed{};
           int length = sizeof parsed;
           if (evutil_parse_sockaddr_port(std::string(server).c_str(),
                                          reinterpret_cast<sockaddr*>(&parsed), &length) != 0) {
             throw cli::UsageError(fmt::format(
                 "--dns-resolver must be IP or IP:PORT, got \"{}\"", server));
           }
           line.settings.dns_resolvers.emplace_back(server);
           return true;
         }},
        {.name = "--labels",
         .value_name = "KEY=VALUE[,KEY=VALUE...]",
         .expected = "KEY=VALUE[,KEY=VALUE...]",
         .help = "the gateway's own labels (repeatable), as a pod's: a\n"
                 "tcp/tls match block with sourceLabels matches only if\n"
                 "they are all among these (Istio matches them against\n"
                 "the proxy's labels); without --labels such a block\n"
                 "never matches",
         .apply = [](CommandLine& line, std::string_view text) {
           for (size_t start = 0; start <= text.size();) {
             const size_t comma = std::min(text.find(',', start), text.size());
             const std::string_view pair = text.substr(start, comma - start);
             const size_t equals = pair.find('=');
             if (equals == std::string_view::npos || equals == 0) return false;
             line.settings.labels[std::string(pair.substr(0, equals))] =
                 std::string(pair.substr(equals + 1));
             start = comma + 1;
           }
           return true;
         }},
        {.name = "--namespace",
         .value_name = "NS",
         .help = "the gateway's own namespace: a match block with\n"
                 "sourceNamespace matches only if it is NS",
         .apply = [](CommandLine& line, std::string_view name) {
           if (name.empty()) throw cli::UsageError("--namespace needs a name");
           line.settings.namespace_name = std::string(name);
           return true;
         }},
        {.name = "--max-connect-attempts",
         .value_name = "N",
         .expected = "a number from 1 to 100",
         .help = fmt::format("connects tried per client connection before giving up\n"
                             "(default {}, like Envoy); each retry picks the weighted\n"
                             "destination and an endpoint again, never one that\n"
                             "already failed for this client",
                             defaults.max_connect_attempts),
         .apply = setNumber<&ProxySettings::max_connect_attempts, 1, 100>},
        {.name = "--max-connections",
         .value_name = "N",
         .expected = "a positive number",
         .help = "client connections open at once, over all listeners and\n"
                 "workers; more are closed at once and counted in\n"
                 "downstream_global_cx_overflow (default: no limit)",
         .apply = setNumber<&ProxySettings::max_connections, 1, largest<uint64_t>()>},
        {.name = "--listener-filter-timeout",
         .value_name = "DURATION",
         .expected = "a duration like 15s or 500ms",
         .help = fmt::format("how long a TLS passthrough listener waits for the\n"
                             "client's ClientHello before closing (Go syntax, e.g.\n"
                             "500ms; default {}, Envoy's listener_filters_timeout)",
                             durationText(defaults.listener_filter_timeout)),
         .apply = [](CommandLine& line, std::string_view text) {
           auto duration = config::parseGoDuration(text);
           if (!duration || duration->count() <= 0) return false;
           line.settings.listener_filter_timeout = *duration;
           return true;
         }},
        {.name = "--drain-time",
         .value_name = "SECONDS",
         .expected = "a whole number of seconds",
         .help = fmt::format("on SIGTERM or POST /drain, stop accepting and give open\n"
                             "connections this long to finish (default {})",
                             defaults.drain_time_seconds),
         .apply = setNumber<&ProxySettings::drain_time_seconds, 0, largest<unsigned>()>},
        {.short_name = "-h",
         .name = "--help",
         .help = "this text",
         .apply = setSwitch<&CliOptions::show_help, true>},
        {.name = "--version",
         .help = "print the version and the git commit it was built from",
         .apply = setSwitch<&CliOptions::show_version, true>},
    };
  }();
  return table;
}

const Flag* findFlag(std::string_view name) {
  for (const Flag& flag : flags()) {
    if (name == flag.name || (!flag.short_name.empty() && name == flag.short_name)) {
      return &flag;
    }
  }
  return nullptr;
}

}  // namespace

std::string usageText() {
  std::string text = R"(Usage: weir -c PATH [-c PATH...] [options]

Runs a TCP proxy configured by Istio YAML: each Gateway server is a listener,
VirtualService tcp routes pick a DestinationRule subset by weight for every new
connection, and ServiceEntry endpoints say where the subsets' workloads listen.

Options:
)";
  const std::string indent(kHelpColumn, ' ');
  for (const Flag& flag : flags()) {
    std::string line = flag.short_name.empty() ? std::string(6, ' ')
                                               : fmt::format("  {}, ", flag.short_name);
    line += flag.name;
    if (!flag.value_name.empty()) line += fmt::format(" {}", flag.value_name);
    line += line.size() < kHelpColumn ? std::string(kHelpColumn - line.size(), ' ')
                                      : "\n" + indent;
    for (char c : flag.help) line += c == '\n' ? "\n" + indent : std::string(1, c);
    text += line + "\n";
  }
  text += R"(Logs go to standard error. SIGHUP, an edit of a config file, or POST /reload reloads the
configuration (a bad one is refused and the old one keeps serving). SIGTERM
drains, a second SIGTERM or SIGINT exits at once.
)";
  return text;
}

CommandLine parseOptions(std::span<const std::string_view> arguments) {
  CommandLine command_line;
  cli::OptionReader reader(arguments, kOptionStyle);
  while (reader.next()) {
    if (!reader.isOption()) {
      // `weir examples/x`: a path where -c was meant.
      throw cli::UsageError(fmt::format(
          "unexpected argument '{}': configuration paths come with -c (weir -c {})",
          reader.argument(), reader.argument()));
    }
    const Flag* flag = findFlag(reader.name());
    if (flag == nullptr) {
      throw cli::UsageError(cli::unknownOptionMessage(reader.name()));
    }
    const std::string_view value = flag->value_name.empty() ? "" : reader.value();
    if (!flag->apply(command_line, value)) {
      throw cli::UsageError(
          fmt::format("{} must be {}, got \"{}\"", flag->name, flag->expected, value));
    }
  }
  const CliOptions& only_cli = command_line.cli;
  if (!only_cli.show_help && !only_cli.show_version &&
      command_line.settings.config_paths.empty()) {
    throw cli::UsageError("no configuration given: use -c PATH");
  }
  return command_line;
}

}  // namespace weir::proxy
