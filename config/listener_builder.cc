#include "config/listener_builder.h"

#include <algorithm>
#include <cctype>

#include "config/unique_objects.h"
#include "config/unix_address.h"

namespace weir::config {
namespace {

constexpr const char* kDefaultBind = "0.0.0.0";  // Istio's gateway listens on all addresses

bool isWildcardAddress(const std::string& address) {
  return address == "0.0.0.0" || address == "::";
}

// Two listeners clash when the same port is bound on the same address, or on any
// address and a wildcard one: with SO_REUSEPORT they would share connections. A
// Unix domain socket clashes only with the same socket.
bool clash(const Listener& a, const Listener& b) {
  if (isUnixAddress(a.bind_address) || isUnixAddress(b.bind_address)) {
    return a.bind_address == b.bind_address;
  }
  return a.port == b.port && (a.bind_address == b.bind_address ||
                              isWildcardAddress(a.bind_address) ||
                              isWildcardAddress(b.bind_address));
}

// Istio merges TLS servers on one port and bind into one listener, told apart by
// SNI (pilot/pkg/model/gateway.go, mergeGateways); any other pair on one port is a
// conflict.
bool mergeable(const Listener& a, const Listener& b) {
  return a.tls_passthrough && b.tls_passthrough && a.bind_address == b.bind_address &&
         a.port == b.port;
}

// A server host as Istio compares them for duplicates across merged TLS servers
// (sanitizeServerHostNamespace): "*/host" is "host", "./host" is "ns/host".
std::string duplicateKey(const ServerHost& host) {
  return host.namespace_filter == "*" ? host.host : host.namespace_filter + "/" + host.host;
}

// The listener's stat prefix (tcp.<prefix>.…): "<gateway>_<port>" like Envoy's
// tcp_proxy stat_prefix; a Unix socket has no port, so its path stands in, with
// every character a stat name cannot carry as '_' ("gw_run_db_sock").
std::string statPrefix(const GatewayObject& gateway, const Listener& listener) {
  if (!isUnixAddress(listener.bind_address)) {
    return gateway.meta.name + "_" + std::to_string(listener.port);
  }
  std::string path(unixSocketPath(listener.bind_address));
  std::replace_if(
      path.begin(), path.end(),
      [](unsigned char c) { return !std::isalnum(c) && c != '-' && c != '_'; }, '_');
  path.erase(0, path.find_first_not_of('_'));
  return gateway.meta.name + "_" + path;
}

}  // namespace

GatewayListeners buildListeners(const std::vector<GatewayObject>& gateways,
                                Diagnostics& diagnostics) {
  GatewayListeners result;
  // Hosts of the TLS servers already merged on each listener (by its index), as
  // Istio's tlsHostsByPort.
  std::map<size_t, std::vector<std::string>> merged_hosts;
  for (const GatewayObject* gateway : uniqueObjects(gateways, diagnostics)) {
    const std::string gateway_name = gateway->meta.qualifiedName();
    result.gateways[gateway_name] = gateway;
    for (const GatewayServer& server : gateway->servers) {
      const bool unix_socket = isUnixAddress(server.bind);
      if ((server.port.value == 0 && !unix_socket) || !server.served) {
        continue;  // reported: an error, or a warning for a server Weir does not serve
      }
      Listener listener;
      listener.gateway = gateway_name;
      listener.server_name = server.port_name;
      listener.bind_address = server.bind.empty() ? kDefaultBind : server.bind;
      listener.port = server.port.value;
      listener.protocol = server.protocol;
      listener.tls_passthrough = server.tls_passthrough;
      listener.stat_prefix = statPrefix(*gateway, listener);
      listener.max_connections =
          gateway->meta.annotations.max_connections.value_or(listener.max_connections);
      std::vector<std::string> host_keys;
      for (const ServerHost& host : server.hosts) {
        listener.hosts.push_back(host.host);
        host_keys.push_back(duplicateKey(host));
      }

      // The first listener it clashes with; a merge only if that is a TLS server
      // on the same socket (the ones after it then are too).
      const auto other =
          std::find_if(result.listeners.begin(), result.listeners.end(),
                       [&](const Listener& known) { return clash(listener, known); });
      if (other != result.listeners.end() && !mergeable(listener, *other)) {
        diagnostics.error(server.port.at, "port " + std::to_string(listener.port) +
                                              " is already used by server \"" +
                                              other->server_name + "\" of gateway " +
                                              other->gateway);
        continue;
      }
      if (other != result.listeners.end()) {
        std::vector<std::string>& known =
            merged_hosts[static_cast<size_t>(other - result.listeners.begin())];
        std::string duplicates;
        for (const std::string& key : host_keys) {
          if (std::find(known.begin(), known.end(), key) != known.end()) {
            duplicates += (duplicates.empty() ? "" : " ") + key;
          }
        }
        if (!duplicates.empty()) {
          // Istio drops the later server (with this log line), since Envoy refuses
          // two filter chains for one SNI name.
          diagnostics.warning(server.at, "skipping server on gateway " + gateway_name +
                                             ", duplicate host names: [" + duplicates + "]");
          continue;
        }
        known.insert(known.end(), host_keys.begin(), host_keys.end());
        listener.stat_prefix = other->stat_prefix;  // one socket, one listener's counters
      } else if (listener.tls_passthrough) {
        merged_hosts[result.listeners.size()] = host_keys;
      }
      result.listeners.push_back(std::move(listener));
      result.servers.push_back(&server);
    }
  }
  return result;
}

}  // namespace weir::config
