// Gateway: each server Weir can serve becomes a listener. Every server is checked
// as Istio's ValidateGateway checks it, in its words, including servers that Weir
// does not serve (HTTP, or TLS it would have to terminate): those are valid Istio,
// so they load with a warning and get no listener.
#include <algorithm>
#include <array>
#include <map>
#include <string_view>

#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"
#include "config/protocols.h"
#include "config/server_tls_settings.h"
#include "config/unix_address.h"

namespace weir::config {
namespace {

std::vector<ServerHost> parseServerHosts(const FieldReader& hosts, const ObjectMeta& meta) {
  std::vector<ServerHost> result;
  const std::vector<FieldReader> items = hosts.items();
  if (items.empty() && (!hosts.present() || hosts.isList())) {
    hosts.error("server config must contain at least one host");
  }
  for (const FieldReader& item : items) {
    std::optional<std::string> text = item.string();
    if (!text) {
      if (!item.present()) {
        item.error("expected a string, got a null value");
      }
      continue;
    }
    const std::vector<std::string> errors = gatewayServerHostErrors(*text);
    for (const std::string& error : errors) {
      item.error(error);
    }
    if (!errors.empty()) {
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
    result.push_back(std::move(host));
  }
  return result;
}

// What one server says besides the GatewayServer, for the checks across servers.
struct ParsedServer {
  GatewayServer server;
  bool has_port = false;
  bool https_redirect = false;
  std::optional<FieldReader> port_name;
  std::optional<FieldReader> https_redirect_field;
};

// Istio's validateServerPort; returns whether the port is valid (Istio checks a
// server's `tls` against its protocol only then). Absent fields read as proto3's
// zero values, so they get Istio's messages for "" and 0. A server bound to a
// unix:// address may have port 0 (the bind's own checks are elsewhere).
bool parsePort(const FieldReader& port, bool unix_bind, ParsedServer& parsed) {
  GatewayServer& server = parsed.server;
  if (!port.present()) {
    port.error("port is required");
    return false;
  }
  if (!port.expectMap()) {
    return false;
  }
  parsed.has_port = true;
  parsed.port_name = port.field("name");
  port.checkFields(known_fields::kServerPort);
  bool valid = true;

  const FieldReader protocol = port.field("protocol");
  if (const std::optional<std::string> written = protocol.string();
      written || !protocol.present()) {
    server.protocol = normalizeProtocol(written.value_or(""));
    if (!isIstioProtocol(server.protocol)) {
      protocol.error("invalid protocol \"" + written.value_or("") +
                     "\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, "
                     "MYSQL, TCP");
      valid = false;
    }
  } else {
    valid = false;  // not a string, reported
  }

  const FieldReader number = port.field("number");
  const std::optional<int64_t> value = number.present() ? number.integer() : 0;
  if (!value) {
    valid = false;
  } else if (*value == 0 && unix_bind) {
    // no TCP port to listen on
  } else if (*value < 1 || *value > 65535) {
    number.error("port number " + std::to_string(*value) + " must be in the range 1..65535");
    valid = false;
  } else {
    server.port = locate(static_cast<uint16_t>(*value), number);
  }

  const FieldReader target_port = port.field("targetPort");
  if (const std::optional<int64_t> target = target_port.integer(); target && *target != 0) {
    target_port.error("targetPort has no impact on Gateways");
    valid = false;
  }

  const FieldReader name = port.field("name");
  server.port_name = name.string().value_or("");
  if (server.port_name.empty()) {
    name.error("port name must be set");
    valid = false;
  }
  return valid;
}

bool passesThrough(ServerTlsMode mode) {
  return mode == ServerTlsMode::kPassthrough || mode == ServerTlsMode::kAutoPassthrough;
}

// Whether Weir listens for this server, and a warning saying why not when it
// does not. Only for servers without errors in what decides it.
void decideServing(const FieldReader& item, const std::optional<ServerTlsSettings>& tls,
                   GatewayServer& server) {
  const FieldReader protocol = item.field("port").field("protocol");
  if (isTlsProtocol(server.protocol)) {
    if (!tls) {
      return;  // an error, reported
    }
    if (tls->mode == ServerTlsMode::kPassthrough) {
      server.tls_passthrough = true;
      server.served = true;
      return;
    }
    item.field("tls").field("mode").warning(
        std::string("tls mode ") + toString(tls->mode) +
        (tls->mode == ServerTlsMode::kAutoPassthrough
             ? " routes by Istio's outbound_ SNI names to mesh services, which Weir does not have"
             : " terminates TLS, which Weir does not do (it serves TLS servers in mode "
               "PASSTHROUGH)") +
        "; this server is not served");
    return;
  }
  if (isWeirListenerProtocol(server.protocol)) {
    server.served = !item.field("tls").present();  // with `tls`: an error, reported
    return;
  }
  if (isIstioProtocol(server.protocol)) {
    protocol.warning("protocol " + server.protocol +
                     ": Weir serves only TCP (also MONGO, MYSQL, REDIS) and TLS passthrough "
                     "servers; this server is not served");
  }
}

ParsedServer parseServer(const FieldReader& item, const ObjectMeta& meta) {
  ParsedServer parsed;
  GatewayServer& server = parsed.server;
  server.at = item.where();
  server.port.at = item.where();
  if (!item.expectMap()) {
    return parsed;
  }
  item.checkFields(known_fields::kServer);
  server.hosts = parseServerHosts(item.field("hosts"), meta);
  const FieldReader bind = item.field("bind");
  const std::optional<std::string> bind_text = bind.string();
  const bool unix_bind = bind_text && isUnixAddress(*bind_text);
  const bool port_valid = parsePort(item.field("port"), unix_bind, parsed);

  if (const std::optional<std::string>& value = bind_text) {
    if (unix_bind) {
      // Istio's validateServerBind: a socket path, and no TCP port beside it.
      bool valid = true;
      if (std::optional<std::string> error = unixAddressError(unixSocketPath(*value))) {
        bind.error(*error);
        valid = false;
      }
      if (parsed.has_port && server.port.value != 0) {
        item.field("port").field("number").error("port number must be 0 for unix domain socket");
        valid = false;
      }
      if (valid) server.bind = *value;
    } else if (!value->empty() && !isIpAddress(*value)) {
      bind.error(*value + " is not a valid IP");
    } else {
      server.bind = *value;
    }
  }

  const FieldReader tls = item.field("tls");
  std::optional<ServerTlsSettings> settings;
  if (tls.present()) {
    server.has_tls = true;
    settings = readServerTlsSettings(tls);
    parsed.https_redirect = settings && settings->https_redirect;
    parsed.https_redirect_field = tls.field("httpsRedirect");
  }
  if (port_valid) {
    if (isTlsProtocol(server.protocol) && !tls.present()) {
      tls.error("server must have TLS settings for HTTPS/TLS protocols");
    } else if (!isTlsProtocol(server.protocol) && tls.present()) {
      if (!isHttpProtocol(server.protocol)) {
        tls.error("server cannot have TLS settings for non HTTPS/TLS ports");
      } else if (settings && (!passesThrough(settings->mode) || settings->has_key_material)) {
        // Only httpsRedirect makes sense on a plain HTTP server.
        tls.error("server cannot have TLS settings for plain text HTTP ports");
      }
    }
    decideServing(item, settings, server);
  }
  return parsed;
}

}  // namespace

GatewayObject parseGateway(const FieldReader& spec, ObjectMeta meta) {
  GatewayObject gateway{std::move(meta), {}};
  spec.checkFields(known_fields::kGatewaySpec);

  const FieldReader servers = spec.field("servers");
  const std::vector<FieldReader> items = servers.items();
  if (items.empty() && (!servers.present() || servers.isList())) {
    servers.error("gateway must have at least one server");
  }

  std::map<std::string, bool> port_names;
  for (const FieldReader& item : items) {
    if (!item.present()) {
      // Istio says it twice (validateServer, then the port-name loop).
      item.error("cannot have nil server");
      item.error("server may not be nil");
      continue;
    }
    ParsedServer parsed = parseServer(item, gateway.meta);
    if (parsed.has_port) {
      // Istio checks this for every server with a port, an unnamed one included.
      const std::string& name = parsed.server.port_name;
      if (port_names[name]) {
        parsed.port_name->error("port names in servers must be unique: duplicate name " + name);
      }
      port_names[name] = true;
      if (parsed.https_redirect && !isHttpProtocol(parsed.server.protocol)) {
        parsed.https_redirect_field->warning(
            "tls.httpsRedirect should only be used with http servers");
      }
    }
    gateway.servers.push_back(std::move(parsed.server));
  }
  return gateway;
}

}  // namespace weir::config
