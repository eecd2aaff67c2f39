// Command-line options of the `weir` binary, parsed without side effects so that
// tests can check them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/loader.h"

namespace weir::proxy {

struct Options {
  std::vector<std::string> config_paths;    // -c/--config, repeatable
  std::optional<std::string> bind_address;  // --bind: overrides every Gateway `bind`
  unsigned concurrency = 0;                 // --concurrency; 0: one worker per core
  std::optional<uint64_t> seed;             // --seed
  std::string log_level = "info";           // --log-level
  size_t buffer_limit = 1024 * 1024;        // --buffer-limit, bytes per direction
  // --splice-after BYTES|never: when a direction switches to splice(2).
  std::optional<uint64_t> splice_after = 64 * 1024;
  // --admin ADDRESS:PORT, or --admin none (admin_port unset). Port 0: ephemeral.
  std::string admin_address = "127.0.0.1";
  std::optional<uint16_t> admin_port = 15000;
  unsigned drain_time_seconds = 30;         // --drain-time
  std::chrono::milliseconds listener_filter_timeout{15'000};  // --listener-filter-timeout
  std::optional<uint64_t> max_connections;  // --max-connections
  unsigned max_connect_attempts = 1;        // --max-connect-attempts
  unsigned dns_refresh_seconds = 5;         // --dns-refresh-rate (Envoy's default 5s)
  // --dns-resolver IP[:PORT] (repeatable): name servers instead of resolv.conf's.
  std::vector<std::string> dns_resolvers;
  // --labels K=V[,K=V...] (repeatable) and --namespace NS: the gateway's own
  // labels and namespace, which sourceLabels / sourceNamespace are matched against.
  std::map<std::string, std::string> labels;
  std::string namespace_name;
  std::string access_log_path = "-";        // --access-log: "-" stdout, "none" off
  bool access_log_json = false;             // --access-log-format json
  // --port-override GATEWAY_PORT=PORT (repeatable): listen on PORT (0: a free
  // ephemeral port) for Gateway servers that name GATEWAY_PORT.
  std::map<uint16_t, uint16_t> port_overrides;
  std::string ready_file;                   // --ready-file PATH
  bool validate_only = false;               // --validate
  // --strict: a reference to what the configuration does not define (gateway,
  // ServiceEntry host or port, subset) is an error, not Istio's warning.
  bool strict_references = false;

  // For embedding (weir/proxy.h), not command-line flags:
  std::vector<config::NamedYaml> config_texts;  // used when config_paths is empty
  bool ephemeral_ports = false;             // every Gateway port -> a free port
  bool handle_signals = true;               // SIGTERM drains, SIGINT stops, SIGHUP reloads
  bool watch_files = true;                  // reload when a config file changes
  bool show_help = false;
  bool show_version = false;
};

struct OptionsError {
  std::string message;
};

std::variant<Options, OptionsError> parseOptions(const std::vector<std::string>& arguments);

std::string usageText();

}  // namespace weir::proxy
