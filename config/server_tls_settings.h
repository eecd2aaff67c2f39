// A Gateway server's `tls` settings, checked as Istio's validateTLSOptions checks
// them, in its words, whatever the mode: Weir serves only PASSTHROUGH, but a file
// with a SIMPLE or MUTUAL server must be refused or accepted exactly as Istio
// would, because the same file goes to a cluster.
#pragma once

#include <optional>

#include "config/field_reader.h"

namespace weir::config {

// ServerTLSSettings.TLSmode.
enum class ServerTlsMode {
  kPassthrough,  // the enum's zero value: `tls: {}` passes through
  kSimple,
  kMutual,
  kAutoPassthrough,
  kIstioMutual,
  kOptionalMutual,
};

// What the server checks around the TLS settings need to know.
struct ServerTlsSettings {
  ServerTlsMode mode = ServerTlsMode::kPassthrough;
  bool https_redirect = false;
  // caCertificates, privateKey or serverCertificate set: Istio refuses these on a
  // plain HTTP server even in a passthrough mode.
  bool has_key_material = false;
};

// Reads and checks `tls` (present and not null): every error and warning Istio
// gives is reported. Returns nullopt when `tls` is not a map or its mode is not one
// of Istio's.
std::optional<ServerTlsSettings> readServerTlsSettings(const FieldReader& tls);

// "PASSTHROUGH", "SIMPLE", …, as written in YAML.
const char* toString(ServerTlsMode mode);

}  // namespace weir::config
