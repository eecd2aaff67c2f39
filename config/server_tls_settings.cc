#include "config/server_tls_settings.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/known_fields.h"
#include "config/proto_values.h"

namespace weir::config {
namespace {

struct ModeName {
  ServerTlsMode mode;
  const char* name;
};

constexpr std::array<ModeName, 6> kModes = {{
    {ServerTlsMode::kPassthrough, "PASSTHROUGH"},
    {ServerTlsMode::kSimple, "SIMPLE"},
    {ServerTlsMode::kMutual, "MUTUAL"},
    {ServerTlsMode::kAutoPassthrough, "AUTO_PASSTHROUGH"},
    {ServerTlsMode::kIstioMutual, "ISTIO_MUTUAL"},
    {ServerTlsMode::kOptionalMutual, "OPTIONAL_MUTUAL"},
}};

constexpr std::array<std::string_view, 5> kProtocolVersions = {"TLS_AUTO", "TLSV1_0", "TLSV1_1",
                                                               "TLSV1_2", "TLSV1_3"};

// Istio's ValidCipherSuites (pkg/config/security), BoringSSL's names.
constexpr std::array<std::string_view, 15> kCipherSuites = {"ECDHE-ECDSA-AES128-GCM-SHA256",
                                                            "ECDHE-RSA-AES128-GCM-SHA256",
                                                            "ECDHE-ECDSA-AES256-GCM-SHA384",
                                                            "ECDHE-RSA-AES256-GCM-SHA384",
                                                            "ECDHE-ECDSA-CHACHA20-POLY1305",
                                                            "ECDHE-RSA-CHACHA20-POLY1305",
                                                            "ECDHE-ECDSA-AES128-SHA",
                                                            "ECDHE-RSA-AES128-SHA",
                                                            "ECDHE-ECDSA-AES256-SHA",
                                                            "ECDHE-RSA-AES256-SHA",
                                                            "AES128-GCM-SHA256",
                                                            "AES256-GCM-SHA384",
                                                            "AES128-SHA",
                                                            "AES256-SHA",
                                                            "DES-CBC3-SHA"};

// Settings of a TLS handshake the proxy would terminate: nothing for PASSTHROUGH.
constexpr std::array<std::string_view, 6> kTerminationOnlyFields = {
    "subjectAltNames",    "verifyCertificateSpki", "verifyCertificateHash",
    "minProtocolVersion", "maxProtocolVersion",    "cipherSuites"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Istio's IsValidCipherSuite: a known name, or an expression starting with an
// operator (`-NAME`, `+NAME`, `!NAME`), which Istio passes on unchecked.
bool isValidCipherSuite(std::string_view suite) {
  if (suite.empty() || suite == "ALL") {
    return true;
  }
  const unsigned char first = static_cast<unsigned char>(suite.front());
  if (!std::isalnum(first)) {
    return true;
  }
  return contains(kCipherSuites, suite);
}

// "[a b]", as Go prints a list of strings.
std::string goList(const std::set<std::string>& names) {
  std::string text = "[";
  for (const std::string& name : names) {
    text += (text.size() > 1 ? " " : "") + name;
  }
  return text + "]";
}

// A string field; proto3 reads an empty string as unset.
std::string readText(const FieldReader& field) { return field.string().value_or(""); }

// One tlsCertificates entry.
struct Certificate {
  std::string server_certificate;
  std::string private_key;
};

std::vector<Certificate> readCertificates(const FieldReader& list) {
  std::vector<Certificate> certificates;
  for (const FieldReader& item : list.items()) {
    Certificate certificate;
    if (item.expectMap()) {
      item.checkFields(known_fields::kServerTlsCertificate);
      certificate.server_certificate = readText(item.field("serverCertificate"));
      certificate.private_key = readText(item.field("privateKey"));
      readText(item.field("caCertificates"));
    }
    certificates.push_back(std::move(certificate));
  }
  return certificates;
}

std::optional<ServerTlsMode> readMode(const FieldReader& mode) {
  const std::optional<std::string> text = mode.string();
  if (!text) {
    return mode.present() ? std::nullopt : std::optional(ServerTlsMode::kPassthrough);
  }
  for (const ModeName& known : kModes) {
    if (*text == known.name) {
      return known.mode;
    }
  }
  mode.error("invalid tls mode \"" + *text +
             "\", supported modes are PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, "
             "ISTIO_MUTUAL, OPTIONAL_MUTUAL");
  return std::nullopt;
}

std::optional<std::string> readProtocolVersion(const FieldReader& field) {
  const std::optional<std::string> text = field.string();
  if (text && !contains(kProtocolVersions, *text)) {
    field.error("invalid TLS protocol version \"" + *text +
                "\", supported versions are TLS_AUTO, TLSV1_0, TLSV1_1, TLSV1_2, TLSV1_3");
    return std::nullopt;
  }
  return text;
}

void warnAboutCipherSuites(const FieldReader& field) {
  std::set<std::string> invalid;
  std::set<std::string> valid;
  std::set<std::string> duplicate;
  for (const Located<std::string>& suite : readStringList(field)) {
    if (!isValidCipherSuite(suite.value)) {
      invalid.insert(suite.value);
    } else if (!valid.insert(suite.value).second) {
      duplicate.insert(suite.value);
    }
  }
  if (!invalid.empty()) {
    field.warning("ignoring invalid cipher suites: " + goList(invalid));
  }
  if (!duplicate.empty()) {
    field.warning("ignoring duplicate cipher suites: " + goList(duplicate));
  }
}

}  // namespace

const char* toString(ServerTlsMode mode) {
  for (const ModeName& known : kModes) {
    if (known.mode == mode) {
      return known.name;
    }
  }
  return "?";
}

std::optional<ServerTlsSettings> readServerTlsSettings(const FieldReader& tls) {
  if (!tls.expectMap()) {
    return std::nullopt;
  }
  tls.checkFields(known_fields::kServerTlsSettings);
  const std::optional<ServerTlsMode> mode = readMode(tls.field("mode"));

  const std::string server_certificate = readText(tls.field("serverCertificate"));
  const std::string private_key = readText(tls.field("privateKey"));
  const std::string ca_certificates = readText(tls.field("caCertificates"));
  const std::string ca_crl = readText(tls.field("caCrl"));
  const std::string credential_name = readText(tls.field("credentialName"));
  readText(tls.field("caCertCredentialName"));
  const bool has_credential_names = !readStringList(tls.field("credentialNames")).empty();
  const std::vector<Certificate> certificates = readCertificates(tls.field("tlsCertificates"));
  for (const char* list :
       {"subjectAltNames", "verifyCertificateSpki", "verifyCertificateHash", "ecdhCurves"}) {
    readStringList(tls.field(list));
  }
  readBool(tls.field("insecureSkipVerify"));
  const FieldReader redirect = tls.field("httpsRedirect");
  const bool https_redirect = readBool(redirect).value_or(false);
  const FieldReader min_version = tls.field("minProtocolVersion");
  const std::optional<std::string> minimum = readProtocolVersion(min_version);
  readProtocolVersion(tls.field("maxProtocolVersion"));
  const FieldReader cipher_suites = tls.field("cipherSuites");
  if (!mode) {
    return std::nullopt;
  }

  // From here on, Istio's validateTLSOptions, check by check.
  if ((minimum == "TLSV1_0" || minimum == "TLSV1_1") && !cipher_suites.present()) {
    min_version.warning(
        "TLS version below TLSV1_2 require setting compatible ciphers as by default they no "
        "longer include compatible ciphers.");
  }
  warnAboutCipherSuites(cipher_suites);

  ServerTlsSettings settings;
  settings.mode = *mode;
  settings.https_redirect = https_redirect;
  settings.has_key_material =
      !ca_certificates.empty() || !private_key.empty() || !server_certificate.empty();

  if (*mode == ServerTlsMode::kIstioMutual) {
    // Istio's own certificates: nothing else may be given.
    const std::pair<bool, const char*> forbidden[] = {
        {!server_certificate.empty(), "server certificate"},
        {!private_key.empty(), "private key"},
        {!ca_certificates.empty(), "CA bundle"},
        {!certificates.empty(), "tlsCertificates"},
        {!credential_name.empty(), "credentialName"},
        {has_credential_names, "credentialNames"},
    };
    for (const auto& [set, what] : forbidden) {
      if (set) {
        tls.error(std::string("ISTIO_MUTUAL TLS cannot have associated ") + what);
      }
    }
    return settings;
  }

  const bool passthrough =
      *mode == ServerTlsMode::kPassthrough || *mode == ServerTlsMode::kAutoPassthrough;
  if (passthrough) {
    if (!ca_crl.empty() || settings.has_key_material || !certificates.empty() ||
        !credential_name.empty() || has_credential_names) {
      tls.warning(std::string(toString(*mode)) +
                  " mode does not use certificates, they will be ignored");
    }
    for (const std::string_view field : kTerminationOnlyFields) {
      const FieldReader reader = tls.field(field);
      if (reader.present()) {
        reader.warning("field \"" + std::string(field) + "\" has no effect in " + toString(*mode) +
                       " mode (TLS is not terminated); ignored");
      }
    }
  }

  const int certificate_sources = (!server_certificate.empty() && !private_key.empty() ? 1 : 0) +
                                  (!credential_name.empty() ? 1 : 0) +
                                  (has_credential_names ? 1 : 0) + (!certificates.empty() ? 1 : 0);
  if (certificate_sources > 1) {
    tls.error(
        "only one of credential_name, credential_names, server_certificate/private_key, "
        "tls_certificates should be specified");
  }

  const bool terminates = *mode == ServerTlsMode::kSimple || *mode == ServerTlsMode::kMutual ||
                          *mode == ServerTlsMode::kOptionalMutual;
  if (terminates && (!credential_name.empty() || has_credential_names)) {
    return settings;  // the credential (a Kubernetes secret) holds everything else
  }
  if (terminates) {
    const std::string prefix = *mode == ServerTlsMode::kSimple ? "SIMPLE TLS" : "MUTUAL TLS";
    if (*mode != ServerTlsMode::kSimple && ca_certificates.empty()) {
      tls.error(prefix + " requires a client CA bundle");
    }
    if (certificates.size() > 2) {
      tls.field("tlsCertificates").warning(prefix + " can support up to 2 server certificates");
    }
    const std::vector<Certificate> to_verify =
        certificates.empty() ? std::vector<Certificate>{{server_certificate, private_key}}
                             : certificates;
    for (const Certificate& certificate : to_verify) {
      if (certificate.server_certificate.empty()) {
        tls.error(prefix + " requires a server certificate");
      }
      if (certificate.private_key.empty()) {
        tls.error(prefix + " requires a private key");
      }
    }
  }
  if (!ca_crl.empty()) {
    if (!credential_name.empty()) {
      tls.error(
          "CRL is not supported with credentialName. CRL has to be specified in the credential");
    }
    if (*mode == ServerTlsMode::kSimple) {
      tls.error("CRL is not supported with SIMPLE TLS");
    }
  }
  return settings;
}

}  // namespace weir::config
