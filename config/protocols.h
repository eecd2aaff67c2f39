// Istio's port protocol names (istio.io/istio pkg/config/protocol): which ones
// Istio knows, and which of those Weir serves.
#pragma once

#include <string>
#include <string_view>

namespace weir::config {

// Upper-cased, as Istio compares them case-insensitively: "tcp" -> "TCP".
std::string normalizeProtocol(std::string_view protocol);

// One of Istio's protocol names (normalized): TCP, UDP, HTTP, HTTP2, HTTPS, TLS, …
bool isIstioProtocol(std::string_view normalized);

// Weir serves only plain TCP for now.
bool isWeirListenerProtocol(std::string_view normalized);

// HTTP-family or TLS: protocols where Istio can tell several hosts apart on one port.
bool isHttpOrTlsProtocol(std::string_view normalized);

}  // namespace weir::config
