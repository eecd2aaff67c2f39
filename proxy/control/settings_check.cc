#include "proxy/control/settings_check.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "common/socket_address.h"
#include "config/unix_address.h"

namespace weir::proxy {
namespace {

// The ports of the Gateway servers weir listens on over IP (--port-override and
// --bind do not apply to Unix sockets).
std::set<uint16_t> gatewayPorts(const config::RouteTable& table) {
  std::set<uint16_t> ports;
  for (const config::Listener& listener : table.listeners) {
    if (!config::isUnixAddress(listener.bind_address)) ports.insert(listener.port);
  }
  return ports;
}

}  // namespace

std::string whyNotWritable(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::exists(path, error)) {
    if (fs::is_directory(path, error)) return path + ": is a directory";
    if (access(path.c_str(), W_OK) != 0) return path + ": " + std::strerror(errno);
    return "";
  }
  fs::path directory = fs::path(path).parent_path();
  if (directory.empty()) directory = ".";
  if (access(directory.c_str(), W_OK) != 0) {
    return directory.string() + ": " + std::strerror(errno);
  }
  return "";
}

std::vector<std::string> checkSettings(const ProxySettings& settings,
                                       const config::RouteTable& table) {
  std::vector<std::string> errors;
  if (settings.bind_address && !SocketAddress::fromIpLiteral(*settings.bind_address, 0)) {
    errors.push_back(fmt::format("--bind \"{}\" is not an IP address", *settings.bind_address));
  }
  if (settings.admin_port && settings.admin_address != "localhost" &&
      !SocketAddress::fromIpLiteral(settings.admin_address, 0)) {
    errors.push_back(fmt::format("--admin \"{}\" is not an IP address (or localhost)",
                                 settings.admin_address));
  }
  const std::set<uint16_t> ports = gatewayPorts(table);
  for (const auto& [gateway_port, port] : settings.port_overrides) {
    if (ports.contains(gateway_port)) continue;
    errors.push_back(fmt::format(
        "--port-override {}={}: no Gateway server listens on port {} ({})", gateway_port, port,
        gateway_port,
        ports.empty() ? std::string("the configuration has no TCP or TLS Gateway server")
                      : fmt::format("Gateway ports: {}", fmt::join(ports, ", "))));
  }
  if (!settings.ready_file.empty()) {
    if (std::string why = whyNotWritable(settings.ready_file); !why.empty()) {
      errors.push_back("--ready-file cannot be written: " + why);
    }
  }
  return errors;
}

}  // namespace weir::proxy
