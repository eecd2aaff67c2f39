#include "config/document_parser.h"

#include <array>
#include <string_view>

#include "config/annotations.h"
#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"

namespace weir::config {
namespace {

constexpr std::array<std::string_view, 3> kApiVersions = {
    "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"};

constexpr std::array<std::string_view, 5> kKinds = {"Gateway", "VirtualService",
                                                    "DestinationRule", "ServiceEntry",
                                                    "WorkloadEntry"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& values, std::string_view value) {
  for (std::string_view candidate : values) {
    if (candidate == value) {
      return true;
    }
  }
  return false;
}

// Always returns the metadata, so that an object with a bad name is still checked
// and linked (DestinationRules and ServiceEntries are found by host, not by name);
// the name is left empty when it is missing or invalid, and the error reported.
ObjectMeta parseMetadata(const FieldReader& metadata, const FieldReader& document,
                         const std::string& kind) {
  ObjectMeta meta;
  meta.kind = kind;
  meta.at = document.where();
  if (!metadata.requireMap()) {
    return meta;
  }
  meta.at = metadata.where();
  metadata.checkFields(known_fields::kObjectMeta);
  meta.annotations = parseWeirAnnotations(metadata.field("annotations"), kind);
  meta.labels = readStringMap(metadata.field("labels"));

  const FieldReader ns = metadata.field("namespace");
  if (std::optional<std::string> value = ns.string()) {
    if (isDns1123Label(*value)) {
      meta.namespace_name = *value;
    } else {
      ns.error("invalid namespace \"" + *value + "\": must be a DNS-1123 label");
    }
  }

  const FieldReader name = metadata.field("name");
  if (std::optional<std::string> value = name.requiredString()) {
    if (value->empty()) {
      name.error("name cannot be empty");
    } else {
      meta.name = *value;
      meta.at = name.where();
    }
  }
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
  ObjectMeta meta = parseMetadata(document.field("metadata"), document, *kind);
  const FieldReader spec = document.field("spec");
  if (!spec.requireMap()) {
    return;
  }
  if (*kind == "Gateway") {
    config.gateways.push_back(parseGateway(spec, std::move(meta)));
  } else if (*kind == "VirtualService") {
    config.virtual_services.push_back(parseVirtualService(spec, std::move(meta)));
  } else if (*kind == "DestinationRule") {
    config.destination_rules.push_back(parseDestinationRule(spec, std::move(meta)));
  } else if (*kind == "ServiceEntry") {
    config.service_entries.push_back(parseServiceEntry(spec, std::move(meta)));
  } else {
    config.workload_entries.push_back(parseWorkloadEntry(spec, std::move(meta)));
  }
}

}  // namespace weir::config
