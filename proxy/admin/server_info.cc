#include "proxy/admin/server_info.h"

#include <cctype>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "common/build_info.h"
#include "common/json_text.h"

namespace weir::proxy {
namespace {

std::string optionalNumber(const auto& value) {
  return value ? std::to_string(*value) : std::string("null");
}

// A duration as protobuf's JSON writes one, as Envoy prints it: "30s", "0.500s".
std::string protoDuration(std::chrono::milliseconds duration) {
  const auto count = duration.count();
  return count % 1000 == 0 ? fmt::format("{}s", count / 1000)
                           : fmt::format("{}.{:03}s", count / 1000, count % 1000);
}

std::string commandLineOptionsJson(const ProxySettings& settings, unsigned concurrency,
                                   const std::string& log_level) {
  std::string port_overrides = "{";
  bool first = true;
  for (const auto& [from, to] : settings.port_overrides) {
    port_overrides += fmt::format("{}\"{}\":{}", first ? "" : ",", from, to);
    first = false;
  }
  port_overrides += "}";
  return fmt::format(
      "{{\"config\":{},\"bind\":{},\"port_override\":{},\"ephemeral_ports\":{},"
      "\"admin\":{},\"concurrency\":{},\"seed\":{},\"watch\":{},\"strict\":{},"
      "\"buffer_limit\":{},\"splice_after\":{},\"drain_time\":{},"
      "\"listener_filter_timeout\":{},\"max_connections\":{},\"max_connect_attempts\":{},"
      "\"dns_refresh_rate\":{},\"dns_resolver\":{},\"labels\":{},\"namespace\":{},"
      "\"access_log_format\":{},\"ready_file\":{},\"log_level\":{}}}",
      jsonStringArray(settings.config_paths),
      settings.bind_address ? jsonString(*settings.bind_address) : "null", port_overrides,
      settings.ephemeral_ports ? "true" : "false",
      settings.admin_port
          ? jsonString(fmt::format("{}:{}", settings.admin_address, *settings.admin_port))
          : jsonString("none"),
      concurrency, optionalNumber(settings.seed), settings.watch_files ? "true" : "false",
      settings.strict_references ? "true" : "false", settings.buffer_limit,
      settings.splice_after ? std::to_string(*settings.splice_after) : jsonString("never"),
      jsonString(protoDuration(std::chrono::seconds(settings.drain_time_seconds))),
      jsonString(protoDuration(settings.listener_filter_timeout)),
      optionalNumber(settings.max_connections), settings.max_connect_attempts,
      jsonString(protoDuration(std::chrono::seconds(settings.dns_refresh_seconds))),
      jsonStringArray(settings.dns_resolvers), jsonStringObject(settings.labels),
      jsonString(settings.namespace_name),
      jsonString(settings.access_log_json ? "json" : "text"), jsonString(settings.ready_file),
      jsonString(log_level));
}

// "0.1.0" -> {0, 1, 0}; parts that are not numbers are 0.
std::vector<unsigned> versionNumbers(const std::string& version) {
  std::vector<unsigned> numbers(3, 0);
  size_t part = 0;
  for (char c : version) {
    if (c == '.') {
      if (++part == numbers.size()) break;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      numbers[part] = numbers[part] * 10 + static_cast<unsigned>(c - '0');
    } else {
      break;
    }
  }
  return numbers;
}

}  // namespace

const char* serverStateName(ServerState state) {
  switch (state) {
    case ServerState::kLive: return "LIVE";
    case ServerState::kDraining: return "DRAINING";
    case ServerState::kPreInitializing: return "PRE_INITIALIZING";
    case ServerState::kInitializing: return "INITIALIZING";
  }
  return "LIVE";
}

const BuildInfo& buildInfo() {
  static const BuildInfo build{std::string(buildVersion()), std::string(buildCommit()),
                               std::string(buildTreeStatus()), std::string(buildType())};
  return build;
}

std::string envoyStyleVersion(const BuildInfo& build) {
  return fmt::format("{}/{}/{}/{}", build.commit, build.version, build.status, build.build_type);
}

uint64_t versionStatValue(const std::string& commit) {
  if (commit.size() < 6) return 0;
  uint64_t value = 0;
  for (size_t i = 0; i < 6; ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(commit[i])));
    if (c >= '0' && c <= '9') {
      value = value * 16 + static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      value = value * 16 + static_cast<uint64_t>(c - 'a' + 10);
    } else {
      return 0;
    }
  }
  return value;
}

std::vector<std::string> processCommandLine() {
  std::ifstream file("/proc/self/cmdline", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::vector<std::string> arguments;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    arguments.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return arguments;
}

std::string serverInfoJson(const BuildInfo& build, const ServerInfoInput& input) {
  const std::string uptime = jsonString(protoDuration(input.uptime));
  const std::vector<unsigned> numbers = versionNumbers(build.version);
  const std::string metadata =
      input.settings != nullptr ? jsonStringObject(input.settings->labels) : std::string("{}");
  const std::string node = fmt::format(
      "{{\"id\":{},\"cluster\":\"weir\",\"metadata\":{{\"LABELS\":{},\"NAMESPACE\":{}}},"
      "\"user_agent_name\":\"weir\",\"user_agent_build_version\":{{\"version\":"
      "{{\"major_number\":{},\"minor_number\":{},\"patch\":{}}},\"metadata\":"
      "{{\"revision.sha\":{},\"revision.status\":{},\"build.type\":{}}}}}}}",
      jsonString(input.hostname), metadata,
      jsonString(input.settings ? input.settings->namespace_name : ""), numbers[0], numbers[1],
      numbers[2], jsonString(build.commit), jsonString(build.status),
      jsonString(build.build_type));
  return fmt::format(
      "{{\"version\":{},\"state\":{},\"hot_restart_version\":\"disabled\","
      "\"command_line_options\":{},\"node\":{},\"uptime_current_epoch\":{},"
      "\"uptime_all_epochs\":{},\"command_line\":{}}}\n",
      jsonString(envoyStyleVersion(build)), jsonString(serverStateName(input.state)),
      input.settings ? commandLineOptionsJson(*input.settings, input.concurrency, input.log_level)
                     : std::string("{}"),
      node, uptime, uptime, jsonStringArray(input.command_line));
}

}  // namespace weir::proxy
