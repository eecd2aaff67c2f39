#include "config/document_parser.h"

#include <array>
#include <string_view>

#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"

namespace weir::config {
namespace {

constexpr std::array<std::string_view, 3> kApiVersions = {
    "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"};

constexpr std::array<std::string_view, 4> kKinds = {"Gateway", "VirtualService",
                                                    "DestinationRule", "ServiceEntry"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& values, std::string_view value) {
  for (std::string_view candidate : values) {
    if (candidate == value) {
      return true;
    }
  }
  return false;
}

std::optional<ObjectMeta> parseMetadata(const FieldReader& metadata, const std::string& kind) {
  if (!metadata.requireMap()) {
    return std::nullopt;
  }
  metadata.checkFields(known_fields::kObjectMeta);
  ObjectMeta meta;
  meta.kind = kind;

  const FieldReader ns = metadata.field("namespace");
  if (std::optional<std::string> value = ns.string()) {
    if (!isDns1123Label(*value)) {
      ns.error("invalid namespace \"" + *value + "\": must be a DNS-1123 label");
      return std::nullopt;
    }
    meta.namespace_name = *value;
  }

  const FieldReader name = metadata.field("name");
  std::optional<std::string> value = name.requiredString();
  if (!value) {
    return std::nullopt;
  }
  if (value->empty()) {
    name.error("name cannot be empty");
    return std::nullopt;
  }
  meta.name = *value;
  meta.at = name.where();
  return meta;
}

}  // namespace

void parseDocument(const YamlNode& root, const ReadContext& context, ParsedConfig& config) {
  const FieldReader document(root, context);
  if (!root.isMap()) {
    context.diagnostics->error(FieldRef{document.where().position, "(document)"},
                               "expected a Kubernetes object (a map), got " +
                                   describeNode(root));
    return;
  }

  const FieldReader kind_field = document.field("kind");
  const std::optional<std::string> kind = kind_field.requiredString();
  if (!kind) {
    return;
  }
  if (!contains(kKinds, *kind)) {
    kind_field.warning("kind \"" + *kind + "\" is not used by Weir; skipped");
    return;
  }
  if (*kind == "Gateway") {
    config.saw_gateway = true;
  }

  const FieldReader api_version = document.field("apiVersion");
  const std::optional<std::string> version = api_version.requiredString();
  if (!version) {
    return;
  }
  if (!contains(kApiVersions, *version)) {
    api_version.error("apiVersion \"" + *version + "\" is not supported for kind " + *kind +
                      " (expected networking.istio.io/v1, v1beta1 or v1alpha3)");
    return;
  }

  document.checkFields(known_fields::kObject);
  std::optional<ObjectMeta> meta = parseMetadata(document.field("metadata"), *kind);
  const FieldReader spec = document.field("spec");
  if (!spec.requireMap()) {
    return;
  }
  if (!meta) {
    // Still check the spec, so that one load reports every problem; but an object
    // without a name cannot be referenced, so it is not kept.
    ObjectMeta placeholder;
    placeholder.kind = *kind;
    placeholder.at = document.where();
    if (*kind == "Gateway") {
      parseGateway(spec, placeholder);
    } else if (*kind == "VirtualService") {
      parseVirtualService(spec, placeholder);
    } else if (*kind == "DestinationRule") {
      parseDestinationRule(spec, placeholder);
    } else {
      parseServiceEntry(spec, placeholder);
    }
    return;
  }

  if (*kind == "Gateway") {
    config.gateways.push_back(parseGateway(spec, std::move(*meta)));
  } else if (*kind == "VirtualService") {
    config.virtual_services.push_back(parseVirtualService(spec, std::move(*meta)));
  } else if (*kind == "DestinationRule") {
    config.destination_rules.push_back(parseDestinationRule(spec, std::move(*meta)));
  } else {
    config.service_entries.push_back(parseServiceEntry(spec, std::move(*meta)));
  }
}

}  // namespace weir::config
