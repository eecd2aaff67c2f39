#include "config/listener_builder.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include "config/protocols.h"
#include "config/unique_objects.h"
#include "config/unix_address.h"

namespace weir::config {
namespace {

constexpr const char* kDefaultBind = "0.0.0.0";  // Istio's gateway listens on all addresses

// What one socket (a port and bind) holds so far: Istio's gateway makes one Envoy
// listener per port and bind, and mergeGateways (pilot/pkg/model/gateway.go)
// decides which servers share it, in load order.
struct SharedSocket {
  // The first server here that is not a TLS server (Istio's plainTextServers).
  // Only HTTP servers may join it; any other later server is skipped.
  struct PlainText {
    std::string protocol;  // normalized, e.g. "TCP"
    std::string name;      // for messages: server "tcp" of gateway default/gw
  };
  std::optional<PlainText> plain_text;
  // The hosts of the servers with `tls` here (Istio's tlsHostsByPort), by
  // duplicateKey: a later server repeating one is skipped.
  std::vector<std::string> tls_hosts;
  // The first Listener made here: the ones after it share its stat prefix.
  std::optional<size_t> first_listener;
};

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
  std::map<std::pair<uint16_t, std::string>, SharedSocket> sockets;  // by port and bind
  for (const GatewayObject* gateway : uniqueObjects(gateways, diagnostics)) {
    const std::string gateway_name = gateway->meta.qualifiedName();
    result.gateways[gateway_name] = gateway;
    for (const GatewayServer& server : gateway->servers) {
      const bool unix_socket = isUnixAddress(server.bind);
      if ((server.port.value == 0 && !unix_socket) || server.protocol.empty()) {
        continue;  // an error, reported
      }
      // An absent bind is the wildcard address Istio's listener gets.
      const std::string bind = server.bind.empty() ? kDefaultBind : server.bind;
      SharedSocket& socket = sockets[{server.port.value, bind}];
      std::vector<std::string> host_keys;
      for (const ServerHost& host : server.hosts) {
        host_keys.push_back(duplicateKey(host));
      }

      // Servers with `tls` on one socket are told apart by SNI, so Istio drops a
      // later one that repeats a host (Envoy refuses two filter chains for one
      // name).
      if (server.has_tls) {
        std::string duplicates;
        for (const std::string& key : host_keys) {
          if (std::find(socket.tls_hosts.begin(), socket.tls_hosts.end(), key) !=
              socket.tls_hosts.end()) {
            duplicates += (duplicates.empty() ? "" : " ") + key;
          }
        }
        if (!duplicates.empty()) {
          diagnostics.warning(server.at, "skipping server on gateway " + gateway_name +
                                             ", duplicate host names: [" + duplicates + "]");
          continue;
        }
        socket.tls_hosts.insert(socket.tls_hosts.end(), host_keys.begin(), host_keys.end());
      }
      // After a plain-text server only HTTP servers may share the socket; a plain
      // server after TLS ones takes what their SNI names do not (Envoy's filter
      // chain without server_names).
      const std::string port_text =
          std::to_string(server.port.value) + "." + server.protocol;
      if (socket.plain_text) {
        if (!isHttpProtocol(server.protocol) || !isHttpProtocol(socket.plain_text->protocol)) {
          diagnostics.warning(server.at,
                              "skipping server on gateway " + gateway_name + " port " +
                                  server.port_name + "." + port_text +
                                  ": conflict with existing server " +
                                  std::to_string(server.port.value) + "." +
                                  socket.plain_text->protocol + " (" + socket.plain_text->name +
                                  ", which keeps the port)");
          continue;
        }
      } else if (!server.has_tls || isHttpProtocol(server.protocol)) {
        socket.plain_text = SharedSocket::PlainText{
            server.protocol, "server \"" + server.port_name + "\" of gateway " + gateway_name};
      }
      if (!server.served) {
        continue;  // valid, warned about, no listener
      }

      Listener listener;
      listener.gateway = gateway_name;
      listener.server_name = server.port_name;
      listener.bind_address = bind;
      listener.port = server.port.value;
      listener.protocol = server.protocol;
      listener.tls_passthrough = server.tls_passthrough;
      listener.stat_prefix = statPrefix(*gateway, listener);
      listener.max_connections =
          gateway->meta.annotations.max_connections.value_or(listener.max_connections);
      for (const ServerHost& host : server.hosts) {
        listener.hosts.push_back(host.host);
      }
      if (socket.first_listener) {
        // one socket, one listener's counters
        listener.stat_prefix = result.listeners[*socket.first_listener].stat_prefix;
      } else {
        socket.first_listener = result.listeners.size();
      }
      result.listeners.push_back(std::move(listener));
      result.servers.push_back(&server);
    }
  }
  return result;
}

}  // namespace weir::config
