#include "config/listener_builder.h"

#include "config/unique_objects.h"

namespace weir::config {
namespace {

constexpr const char* kDefaultBind = "0.0.0.0";  // Istio's gateway listens on all addresses

bool isWildcardAddress(const std::string& address) {
  return address == "0.0.0.0" || address == "::";
}

// Two listeners clash when the same port is bound on the same address, or on any
// address and a wildcard one: with SO_REUSEPORT they would share connections.
bool clash(const Listener& a, const Listener& b) {
  return a.port == b.port && (a.bind_address == b.bind_address ||
                              isWildcardAddress(a.bind_address) ||
                              isWildcardAddress(b.bind_address));
}

}  // namespace

GatewayListeners buildListeners(const std::vector<GatewayObject>& gateways,
                                Diagnostics& diagnostics) {
  GatewayListeners result;
  for (const GatewayObject* gateway : uniqueObjects(gateways, diagnostics)) {
    const std::string gateway_name = gateway->meta.qualifiedName();
    result.gateways[gateway_name] = gateway;
    for (const GatewayServer& server : gateway->servers) {
      if (server.port.value == 0 || !server.served) {
        continue;  // reported: an error, or a warning for a server Weir does not serve
      }
      Listener listener;
      listener.gateway = gateway_name;
      listener.server_name = server.port_name;
      listener.bind_address = server.bind.empty() ? kDefaultBind : server.bind;
      listener.port = server.port.value;
      listener.protocol = server.protocol;
      listener.tls_passthrough = server.tls_passthrough;
      listener.stat_prefix = gateway->meta.name + "_" + std::to_string(server.port.value);
      listener.max_connections =
          gateway->meta.annotations.max_connections.value_or(listener.max_connections);

      bool clashes = false;
      for (const Listener& other : result.listeners) {
        if (clash(listener, other)) {
          diagnostics.error(server.port.at, "port " + std::to_string(listener.port) +
                                                " is already used by server \"" +
                                                other.server_name + "\" of gateway " +
                                                other.gateway);
          clashes = true;
          break;
        }
      }
      if (!clashes) {
        result.listeners.push_back(std::move(listener));
        result.servers.push_back(&server);
      }
    }
  }
  return result;
}

}  // namespace weir::config
