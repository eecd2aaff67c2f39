// Istio's port protocol names (istio.io/istio pkg/config/protocol): which ones
// Istio knows, how its gateway treats each, and which of those Weir serves.
#pragma once

#include <string>
#include <string_view>

namespace weir::config {

// Upper-cased, as Istio compares them case-insensitively: "tcp" -> "TCP".
std::string normalizeProtocol(std::string_view protocol);

// One of Istio's protocol names (normalized): TCP, UDP, HTTP, HTTP2, HTTPS, TLS, …
bool isIstioProtocol(std::string_view normalized);

// Protocols an Istio gateway proxies as opaque TCP, routed by `tcp` rules: TCP and
// the database protocols MONGO, REDIS, MYSQL. Weir serves these as plain TCP.
bool isWeirListenerProtocol(std::string_view normalized);

// Istio's IsHTTP: HTTP, HTTP2, HTTP_PROXY, GRPC, GRPC-WEB.
bool isHttpProtocol(std::string_view normalized);

// Istio's IsTLS: HTTPS and TLS, the protocols whose servers need `tls` settings.
bool isTlsProtocol(std::string_view normalized);

// HTTP-family or TLS: protocols where Istio can tell several hosts apart on one port.
bool isHttpOrTlsProtocol(std::string_view normalized);

}  // namespace weir::config
