// Gateway: each server becomes a listener of the proxy.
#include <set>

#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"
#include "config/protocols.h"

namespace weir::config {
namespace {

std::vector<ServerHost> parseServerHosts(const FieldReader& hosts, const ObjectMeta& meta) {
  std::vector<ServerHost> result;
  if (!hosts.present()) {
    hosts.reportMissing();
    return result;
  }
  std::vector<FieldReader> items = hosts.items();
  if (hosts.isList() && items.empty()) {
    hosts.error("server config must contain at least one host");
  }
  for (const FieldReader& item : items) {
    std::optional<std::string> text = item.string();
    if (!text) {
      continue;
    }
    ServerHost host{"*", *text, item.where()};
    if (const size_t slash = text->find('/'); slash != std::string::npos) {
      host.namespace_filter = text->substr(0, slash);
      host.host = text->substr(slash + 1);
      if (host.namespace_filter == ".") {
        host.namespace_filter = meta.namespace_name;
      }
    }
    if (host.host.empty() || host.namespace_filter.empty()) {
      item.error("invalid host \"" + *text + "\": expected [namespace/]host");
      continue;
    }
    if (host.host != "*") {
      if (std::optional<std::string> error = wildcardDomainError(host.host)) {
        item.error(*error);
        continue;
      }
    }
    result.push_back(std::move(host));
  }
  return result;
}

void parsePort(const FieldReader& port, GatewayServer& server) {
  if (!port.requireMap()) {
    return;
  }
  port.checkFields(known_fields::kServerPort);

  const FieldReader number = port.field("number");
  if (!number.present()) {
    number.reportMissing();
  } else if (std::optional<uint16_t> value = readPortNumber(number)) {
    server.port = locate(*value, number);
  }

  const FieldReader name = port.field("name");
  if (std::optional<std::string> value = name.requiredString()) {
    if (value->empty()) {
      name.error("port name must be set");
    }
    server.port_name = *value;
  }

  const FieldReader protocol = port.field("protocol");
  if (std::optional<std::string> value = protocol.requiredString()) {
    const std::string normalized = normalizeProtocol(*value);
    if (!isIstioProtocol(normalized)) {
      protocol.error("invalid protocol \"" + *value +
                     "\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, "
                     "REDIS, MYSQL, TCP");
    } else if (!isWeirListenerProtocol(normalized)) {
      protocol.error("protocol " + normalized + " is not supported by Weir yet");
    }
    server.protocol = normalized;
  }
}

GatewayServer parseServer(const FieldReader& item, const ObjectMeta& meta) {
  GatewayServer server;
  server.at = item.where();
  server.port.at = item.where();
  if (!item.requireMap()) {
    return server;
  }
  item.checkFields(known_fields::kServer);
  parsePort(item.field("port"), server);
  server.hosts = parseServerHosts(item.field("hosts"), meta);

  const FieldReader bind = item.field("bind");
  if (std::optional<std::string> value = bind.string()) {
    if (value->starts_with("unix://")) {
      bind.error("unix domain socket binds are not supported by Weir yet");
    } else if (!isIpAddress(*value)) {
      bind.error("bind address \"" + *value + "\" is not a valid IP address");
    } else {
      server.bind = *value;
    }
  }

  const FieldReader tls = item.field("tls");
  if (tls.present() && server.protocol == "TCP") {
    tls.error("server cannot have TLS settings for non HTTPS/TLS ports");
  }
  return server;
}

}  // namespace

GatewayObject parseGateway(const FieldReader& spec, ObjectMeta meta) {
  GatewayObject gateway{std::move(meta), {}};
  spec.checkFields(known_fields::kGatewaySpec);

  const FieldReader servers = spec.field("servers");
  if (!servers.present()) {
    servers.reportMissing();
    return gateway;
  }
  const std::vector<FieldReader> items = servers.items();
  if (servers.isList() && items.empty()) {
    servers.error("gateway must have at least one server");
  }

  std::set<std::string> port_names;
  for (const FieldReader& item : items) {
    GatewayServer server = parseServer(item, gateway.meta);
    if (!server.port_name.empty() && !port_names.insert(server.port_name).second) {
      item.field("port").field("name").error(
          "port names in servers must be unique: duplicate name " + server.port_name);
    }
    gateway.servers.push_back(std::move(server));
  }
  return gateway;
}

}  // namespace weir::config
