#include "proxy/options.h"

#include "config/duration.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace weir::proxy {
namespace {

template <typename Number>
std::optional<Number> parseNumber(const std::string& text) {
  Number value{};
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || text.empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string usageText() {
  return R"(Usage: weir -c PATH [-c PATH...] [options]

Runs a TCP proxy configured by Istio YAML: each Gateway server is a listener,
VirtualService tcp routes pick a DestinationRule subset by weight for every new
connection, and ServiceEntry endpoints say where the subsets' workloads listen.

Options:
  -c, --config PATH     YAML file (multi-document) or directory of *.yaml/*.yml
                        files; repeatable. Required.
      --no-watch        do not reload when a config file changes on disk
                        (SIGHUP and POST /reload still do)
      --validate        check the configuration, print every error as
                        file:line:column: field: message, and exit 0 (valid) or 1
      --strict          refuse references to what the configuration does not
                        define: a VirtualService's gateway, a destination's
                        ServiceEntry host or port, a subset. Istio accepts them
                        (they route nowhere), and so does weir by default, with a
                        warning; with --strict they are errors (also with
                        --validate, and on reload)
      --bind ADDRESS    listen on ADDRESS instead of each Gateway server's `bind`
                        (default 0.0.0.0, like Istio's ingress gateway); servers
                        bound to a Unix socket (unix:///path) keep it
      --port-override GATEWAY_PORT=PORT
                        listen on PORT for Gateway servers on GATEWAY_PORT, without
                        editing the YAML; PORT 0 picks a free port (repeatable)
      --ready-file PATH once every listener accepts, write a JSON document with
                        the bound address of each Gateway server and of the admin
                        server to PATH (atomically, by rename)
      --concurrency N   worker threads, each with its own event loop and
                        listening sockets (default: number of cores)
      --seed N          seed the weighted picks; with --concurrency 1 the sequence
                        of picked destinations is the same on every run
      --buffer-limit N  bytes buffered per direction before reading pauses
                        (default 1048576)
      --splice-after N|never
                        move a direction's bytes with splice(2), without copying
                        them through user space, once it has carried N bytes in
                        large reads (default 65536; 0: from the first byte;
                        "never": always copy)
      --log-level LEVEL trace, debug, info, warn, error or off (default info)
      --admin ADDRESS:PORT
                        admin HTTP server (default 127.0.0.1:15000; port 0 picks
                        a free port; "none" disables it): /stats,
                        /stats/prometheus, /clusters, /config_dump, /ready, and
                        POST /reload, /reset_counters, /drain, /quitquitquit
      --access-log PATH one line per connection to PATH ("-": standard output,
                        the default; "none": off), written by a background thread
      --access-log-format text|json
                        Istio's default text format, or one JSON object per line
      --dns-refresh-rate SECONDS
                        how often host names of ServiceEntry `resolution: DNS`
                        and DNS_ROUND_ROBIN endpoints are resolved again
                        (default 5, like Envoy)
      --dns-resolver IP[:PORT]
                        ask this name server (repeatable) instead of those in
                        /etc/resolv.conf; /etc/hosts still applies
      --labels KEY=VALUE[,KEY=VALUE...]
                        the gateway's own labels (repeatable), as a pod's: a
                        tcp/tls match block with sourceLabels matches only if
                        they are all among these (Istio matches them against
                        the proxy's labels); without --labels such a block
                        never matches
      --namespace NS    the gateway's own namespace: a match block with
                        sourceNamespace matches only if it is NS
      --max-connect-attempts N
                        connects tried per client connection before giving up
                        (default 1, like Envoy); each retry picks the weighted
                        destination and an endpoint again, never one that
                        already failed for this client
      --max-connections N
                        client connections open at once, over all listeners and
                        workers; more are closed at once and counted in
                        downstream_global_cx_overflow (default: no limit)
      --listener-filter-timeout DURATION
                        how long a TLS passthrough listener waits for the
                        client's ClientHello before closing (Go syntax, e.g.
                        500ms; default 15s, Envoy's listener_filters_timeout)
      --drain-time SECONDS
                        on SIGTERM or POST /drain, stop accepting and give open
                        connections this long to finish (default 30)
  -h, --help            this text
      --version         print the version
Logs go to standard error. SIGHUP, an edit of a config file, or POST /reload reloads the
configuration (a bad one is refused and the old one keeps serving). SIGTERM
drains, a second SIGTERM or SIGINT exits at once.
)";
}

std::variant<Options, OptionsError> parseOptions(const std::vector<std::string>& arguments) {
  Options options;
  static const std::set<std::string> kLogLevels = {"trace", "debug", "info", "warn",
                                                   "error", "critical", "off"};
  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    std::string value;
    std::string name = argument;
    bool has_inline_value = false;
    if (argument.starts_with("--")) {
      if (auto equals = argument.find('='); equals != std::string::npos) {
        name = argument.substr(0, equals);
        value = argument.substr(equals + 1);
        has_inline_value = true;
      }
    }
    auto takeValue = [&]() -> std::optional<std::string> {
      if (has_inline_value) {
        return value;
      }
      if (i + 1 >= arguments.size()) {
        return std::nullopt;
      }
      return arguments[++i];
    };
    auto missing = [&] { return OptionsError{"option " + name + " needs a value"}; };

    if (name == "-h" || name == "--help") {
      options.show_help = true;
    } else if (name == "--version") {
      options.show_version = true;
    } else if (name == "--no-watch") {
      options.watch_files = false;
    } else if (name == "--validate") {
      options.validate_only = true;
    } else if (name == "--strict") {
      options.strict_references = true;
    } else if (name == "-c" || name == "--config") {
      auto path = takeValue();
      if (!path) return missing();
      options.config_paths.push_back(*path);
    } else if (name == "--bind") {
      auto address = takeValue();
      if (!address) return missing();
      options.bind_address = *address;
    } else if (name == "--concurrency") {
      auto text = takeValue();
      if (!text) return missing();
      auto number = parseNumber<unsigned>(*text);
      if (!number || *number == 0 || *number > 256) {
        return OptionsError{"--concurrency must be a number from 1 to 256, got \"" + *text + "\""};
      }
      options.concurrency = *number;
    } else if (name == "--seed") {
      auto text = takeValue();
      if (!text) return missing();
      auto number = parseNumber<uint64_t>(*text);
      if (!number) {
        return OptionsError{"--seed must be a non-negative integer, got \"" + *text + "\""};
      }
      options.seed = *number;
    } else if (name == "--buffer-limit") {
      auto text = takeValue();
      if (!text) return missing();
      auto number = parseNumber<size_t>(*text);
      if (!number || *number < 1024) {
        return OptionsError{"--buffer-limit must be a number of bytes >= 1024, got \"" + *text +
                            "\""};
      }
      options.buffer_limit = *number;
    } else if (name == "--splice-after") {
      auto text = takeValue();
      if (!text) return missing();
      if (*text == "never") {
        options.splice_after.reset();
        continue;
      }
      auto number = parseNumber<uint64_t>(*text);
      if (!number) {
        return OptionsError{"--splice-after must be a number of bytes or \"never\", got \"" +
                            *text + "\""};
      }
      options.splice_after = *number;
    } else if (name == "--admin") {
      auto text = takeValue();
      if (!text) return missing();
      if (*text == "none") {
        options.admin_port.reset();
        continue;
      }
      const auto colon = text->rfind(':');
      auto port = colon == std::string::npos ? std::nullopt
                                             : parseNumber<uint16_t>(text->substr(colon + 1));
      std::string host = colon == std::string::npos ? "" : text->substr(0, colon);
      if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
      }
      if (!port || host.empty()) {
        return OptionsError{"--admin must be ADDRESS:PORT or none, got \"" + *text + "\""};
      }
      options.admin_address = host;
      options.admin_port = *port;
    } else if (name == "--port-override") {
      auto text = takeValue();
      if (!text) return missing();
      const auto equals = text->find('=');
      auto from = equals == std::string::npos ? std::nullopt
                                              : parseNumber<uint16_t>(text->substr(0, equals));
      auto to = equals == std::string::npos ? std::nullopt
                                            : parseNumber<uint16_t>(text->substr(equals + 1));
      if (!from || !to || *from == 0) {
        return OptionsError{"--port-override must be GATEWAY_PORT=PORT (PORT 0: any free port), "
                            "got \"" + *text + "\""};
      }
      options.port_overrides[*from] = *to;
    } else if (name == "--ready-file") {
      auto text = takeValue();
      if (!text) return missing();
      options.ready_file = *text;
    } else if (name == "--access-log") {
      auto text = takeValue();
      if (!text) return missing();
      options.access_log_path = *text;
    } else if (name == "--access-log-format") {
      auto text = takeValue();
      if (!text) return missing();
      if (*text != "text" && *text != "json") {
        return OptionsError{"--access-log-format must be text or json, got \"" + *text + "\""};
      }
      options.access_log_json = *text == "json";
    } else if (name == "--dns-refresh-rate") {
      auto text = takeValue();
      if (!text) return missing();
      auto number = parseNumber<unsigned>(*text);
      if (!number || *number == 0) {
        return OptionsError{"--dns-refresh-rate must be a whole number of seconds >= 1, got \"" +
                            *text + "\""};
      }
      options.dns_refresh_seconds = *number;
    } else if (name == "--dns-resolver") {
      auto text = takeValue();
      if (!text) return missing();
      if (text->empty()) return OptionsError{"--dns-resolver needs an IP or IP:PORT"};
      options.dns_resolvers.push_back(*text);
    } else if (name == "--labels") {
      auto text = takeValue();
      if (!text) return missing();
      for (size_t start = 0; start <= text->size();) {
        const size_t comma = std::min(text->find(',', start), text->size());
        const std::string pair = text->substr(start, comma - start);
        const size_t equals = pair.find('=');
        if (equals == std::string::npos || equals == 0) {
          return OptionsError{"--labels must be KEY=VALUE[,KEY=VALUE...], got \"" + *text +
                              "\""};
        }
        options.labels[pair.substr(0, equals)] = pair.substr(equals + 1);
        start = comma + 1;
      }
    } else if (name == "--namespace") {
      auto text = takeValue();
      if (!text) return missing();
      if (text->empty()) return OptionsError{"--namespace needs a name"};
      options.namespace_name = *text;
    } else if (name == "--max-connect-attempts") {
      auto text = takeValue();
      if (!text) return missing();
      auto number = parseNumber<unsigned>(*text);
      if (!number || *number == 0 || *number > 100) {
        return OptionsError{"--max-connect-attempts must be a number from 1 to 100, got \"" +
                            *text + "\""};
      }
      options.max_connect_attempts = *number;
    } else if (name == "--max-connections") {
      auto text = takeValue();
      if (!text) return missing();
      auto number = parseNumber<uint64_t>(*text);
      if (!number || *number == 0) {
        return OptionsError{"--max-connections must be a positive number, got \"" + *text + "\""};
      }
      options.max_connections = *number;
    } else if (name == "--listener-filter-timeout") {
      auto text = takeValue();
      if (!text) return missing();
      auto duration = config::parseGoDuration(*text);
      if (!duration || duration->count() <= 0) {
        return OptionsError{"--listener-filter-timeout must be a duration like 15s or 500ms, got \"" +
                            *text + "\""};
      }
      options.listener_filter_timeout = *duration;
    } else if (name == "--drain-time") {
      auto text = takeValue();
      if (!text) return missing();
      auto number = parseNumber<unsigned>(*text);
      if (!number) {
        return OptionsError{"--drain-time must be a whole number of seconds, got \"" + *text +
                            "\""};
      }
      options.drain_time_seconds = *number;
    } else if (name == "--log-level") {
      auto text = takeValue();
      if (!text) return missing();
      if (!kLogLevels.contains(*text)) {
        return OptionsError{"--log-level must be one of trace, debug, info, warn, error, off; "
                            "got \"" + *text + "\""};
      }
      options.log_level = *text;
    } else {
      return OptionsError{"unknown option \"" + argument + "\" (see weir --help)"};
    }
  }
  if (!options.show_help && !options.show_version && options.config_paths.empty()) {
    return OptionsError{"no configuration given: use -c PATH (see weir --help)"};
  }
  return options;
}

}  // namespace weir::proxy
