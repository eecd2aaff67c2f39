// What /server_info and the server.* statistics say about the process: the build
// (version and the commit it came from), Envoy's server state, the uptime and the
// settings it runs with.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <weir/proxy.h>

namespace weir::proxy {

// Envoy's admin.v3.ServerInfo.State, with its numbers (the server.state gauge).
enum class ServerState : uint64_t { kLive = 0, kDraining = 1, kPreInitializing = 2, kInitializing = 3 };

const char* serverStateName(ServerState state);  // "LIVE", "DRAINING", …

// The build, fixed when CMake configured it.
struct BuildInfo {
  std::string version;     // "0.1.0", the project's
  std::string commit;      // full git SHA, or "unknown" outside a git checkout
  std::string status;      // "Clean", "Modified" (uncommitted changes), or "unknown"
  std::string build_type;  // "RelWithDebInfo", …
};
const BuildInfo& buildInfo();

// Envoy's layout of its version string: "<commit>/<version>/<status>/<build type>".
std::string envoyStyleVersion(const BuildInfo& build);
// Envoy's server.version gauge: the commit's first six hex digits as a number; 0
// when the commit is unknown.
uint64_t versionStatValue(const std::string& commit);

// The process's own arguments (/proc/self/cmdline): the weir command line, or the
// host program's when weir is embedded.
std::vector<std::string> processCommandLine();

struct ServerInfoInput {
  ServerState state = ServerState::kLive;
  std::chrono::seconds uptime{0};
  const ProxySettings* settings = nullptr;
  unsigned concurrency = 0;  // the workers actually running
  std::string log_level;     // of the default logger
  std::vector<std::string> command_line;
  std::string hostname;
};

// Envoy's /server_info fields (version, state, uptime_current_epoch,
// uptime_all_epochs, hot_restart_version, command_line_options, node), the
// options under weir's own flag names, plus "command_line".
std::string serverInfoJson(const BuildInfo& build, const ServerInfoInput& input);

}  // namespace weir::proxy
