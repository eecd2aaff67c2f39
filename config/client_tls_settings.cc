#include "config/client_tls_settings.h"

#include <algorithm>
#include <array>
#include <string>

#include "config/known_fields.h"
#include "config/proto_values.h"

namespace weir::config {
namespace {

constexpr std::string_view kConfigMapPrefix = "configmap://";

// A string field; "" when absent (proto3 reads both the same).
std::string text(const FieldReader& field) { return field.string().value_or(""); }

}  // namespace

void checkClientTlsSettings(const FieldReader& tls, std::string_view ns) {
  if (!tls.expectMap()) {
    return;
  }
  tls.checkFields(known_fields::kClientTlsSettings);
  const FieldReader mode_field = tls.field("mode");
  const std::string mode = text(mode_field);
  static constexpr std::array<std::string_view, 4> kModes = {"DISABLE", "SIMPLE", "MUTUAL",
                                                             "ISTIO_MUTUAL"};
  if (mode_field.present() && std::find(kModes.begin(), kModes.end(), mode) == kModes.end()) {
    mode_field.error("unknown TLS mode \"" + mode +
                     "\": expected DISABLE, SIMPLE, MUTUAL or ISTIO_MUTUAL");
    return;
  }
  const FieldReader credential_field = tls.field("credentialName");
  const std::string credential = text(credential_field);
  const std::string ca = text(tls.field("caCertificates"));
  const std::string certificate = text(tls.field("clientCertificate"));
  const std::string key = text(tls.field("privateKey"));
  const std::string crl = text(tls.field("caCrl"));
  tls.field("sni").string();  // only its type matters
  const FieldReader names = tls.field("subjectAltNames");
  const bool has_names = !readStringList(names).empty();
  const FieldReader skip_verify = tls.field("insecureSkipVerify");
  const bool insecure = readBool(skip_verify).value_or(false);

  // configmap://NAMESPACE/NAME: a CA bundle from a ConfigMap of the rule's own namespace.
  if (credential.starts_with(kConfigMapPrefix)) {
    const std::string rest = credential.substr(kConfigMapPrefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string::npos) {
      credential_field.error("invalid configmap:// credentialName: invalid resource name \"" +
                             credential + "\". Expected namespace and name");
    } else if (slash == 0 || slash + 1 == rest.size()) {
      credential_field.error("invalid configmap:// credentialName: invalid resource name \"" +
                             credential + "\". Expected " + (slash == 0 ? "namespace" : "name"));
    } else if (rest.substr(0, slash) != ns) {
      credential_field.error(
          "invalid configmap:// credentialName: namespace must match the configuration "
          "namespace \"" + std::string(ns) + "\"");
    }
  }

  if (insecure && mode == "SIMPLE" && (!ca.empty() || !credential.empty() || has_names)) {
    skip_verify.error(
        "cannot specify CaCertificates or CredentialName or SubjectAltNames when "
        "InsecureSkipVerify is set true");
  }
  if (insecure && mode == "MUTUAL" && (!ca.empty() || has_names)) {
    skip_verify.error(
        "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
  }
  if ((mode == "SIMPLE" || mode == "MUTUAL") && !credential.empty()) {
    // The credential holds the certificates; giving them here too is ambiguous.
    if (!certificate.empty() || !ca.empty() || !key.empty() || !crl.empty()) {
      credential_field.error(
          "cannot specify client certificates or CA certificate or CA CRL If credentialName is "
          "set");
    }
    return;
  }
  if (mode == "MUTUAL") {
    if (certificate.empty()) {
      tls.error("client certificate required for mutual tls");
    }
    if (key.empty()) {
      tls.error("private key required for mutual tls");
    }
  }
}

}  // namespace weir::config
