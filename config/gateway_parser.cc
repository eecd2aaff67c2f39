// Gateway: each server becomes a listener of the proxy.
#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"
#include "config/protocols.h"
#include "config/unix_address.h"

namespace weir::config {
namespace {

// Istio's ServerTLSSettings.TLSmode values.
constexpr std::array<std::string_view, 6> kTlsModes = {
    "PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"};

// The fields Istio means by "certificates" in its PASSTHROUGH warning.
constexpr std::array<std::string_view, 7> kCertificateFields = {
    "serverCertificate", "privateKey", "caCertificates", "caCrl",
    "credentialName",    "credentialNames", "tlsCertificates"};

// Settings of a TLS handshake the proxy would terminate.
constexpr std::array<std::string_view, 6> kTerminationOnlyFields = {
    "subjectAltNames",    "verifyCertificateSpki", "verifyCertificateHash",
    "minProtocolVersion", "maxProtocolVersion",    "cipherSuites"};

// Protocols whose servers Weir serves as TLS passthrough: Istio routes both by
// `tls` rules when tls.mode is PASSTHROUGH.
bool isTlsProtocol(std::string_view protocol) { return protocol == "TLS" || protocol == "HTTPS"; }

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

// `unix_bind`: the server binds a Unix domain socket, whose port number must be 0
// (or left out), as Istio's validateServerBind requires.
void parsePort(const FieldReader& port, GatewayServer& server, bool unix_bind) {
  if (!port.requireMap()) {
    return;
  }
  port.checkFields(known_fields::kServerPort);

  const FieldReader number = port.field("number");
  if (unix_bind) {
    if (number.integer().value_or(0) != 0) {
      number.error("port number must be 0 for unix domain socket");
    }
    server.port = locate(uint16_t{0}, number);
  } else if (!number.present()) {
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
    } else if (!isWeirListenerProtocol(normalized) && !isTlsProtocol(normalized)) {
      protocol.error("protocol " + normalized + " is not supported by Weir yet");
    }
    server.protocol = normalized;
  }
}

// Server.tls of a TLS/HTTPS server. Istio's default mode is PASSTHROUGH (the
// enum's zero value), so `tls: {}` passes through too. Returns whether the server
// is a valid passthrough server.
bool parseTlsSettings(const FieldReader& tls) {
  if (!tls.expectMap()) {
    return false;
  }
  tls.checkFields(known_fields::kServerTlsSettings);
  const FieldReader mode = tls.field("mode");
  const std::string value = mode.string().value_or("PASSTHROUGH");
  if (std::find(kTlsModes.begin(), kTlsModes.end(), value) == kTlsModes.end()) {
    mode.error("invalid tls mode \"" + value +
               "\", supported modes are PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, "
               "ISTIO_MUTUAL, OPTIONAL_MUTUAL");
    return false;
  }
  if (value != "PASSTHROUGH") {
    mode.error("tls mode " + value +
               " is not supported: Weir only passes TLS through (mode PASSTHROUGH), it "
               "does not terminate TLS");
    return false;
  }

  // What Istio's validation says about these, and what Envoy does: nothing.
  bool has_certificates = false;
  for (const std::string_view field : kCertificateFields) {
    has_certificates = has_certificates || tls.field(field).present();
  }
  if (has_certificates) {
    tls.warning("PASSTHROUGH mode does not use certificates, they will be ignored");
  }
  const FieldReader redirect = tls.field("httpsRedirect");
  if (redirect.string().value_or("false") == "true") {
    redirect.warning("tls.httpsRedirect should only be used with http servers");
  }
  for (const std::string_view field : kTerminationOnlyFields) {
    const FieldReader reader = tls.field(field);
    if (reader.present()) {
      reader.warning("field \"" + std::string(field) +
                     "\" has no effect in PASSTHROUGH mode (TLS is not terminated); ignored");
    }
  }
  return true;
}

GatewayServer parseServer(const FieldReader& item, const ObjectMeta& meta) {
  GatewayServer server;
  server.at = item.where();
  server.port.at = item.where();
  if (!item.requireMap()) {
    return server;
  }
  item.checkFields(known_fields::kServer);
  const FieldReader bind = item.field("bind");
  const std::optional<std::string> bind_text = bind.string();
  parsePort(item.field("port"), server, bind_text && isUnixAddress(*bind_text));
  server.hosts = parseServerHosts(item.field("hosts"), meta);

  if (const std::optional<std::string>& value = bind_text) {
    if (isUnixAddress(*value)) {
      if (std::optional<std::string> error = unixAddressError(unixSocketPath(*value))) {
        bind.error(*error);
      } else {
        server.bind = *value;
      }
    } else if (!isIpAddress(*value)) {
      bind.error("bind address \"" + *value + "\" is not a valid IP address");
    } else {
      server.bind = *value;
    }
  }

  const FieldReader tls = item.field("tls");
  if (isTlsProtocol(server.protocol)) {
    if (!tls.present()) {
      tls.error("server must have TLS settings for HTTPS/TLS protocols");
    } else {
      server.tls_passthrough = parseTlsSettings(tls);
    }
  } else if (tls.present() && server.protocol == "TCP") {
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
