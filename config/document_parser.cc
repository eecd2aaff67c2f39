#include "config/document_parser.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "config/annotations.h"
#include "config/host_names.h"
#include "config/known_fields.h"
#include "config/object_parsers.h"
#include "config/spelling.h"

namespace weir::config {
namespace {

constexpr std::string_view kNetworkingGroup = "networking.istio.io";

constexpr std::array<std::string_view, 3> kApiVersions = {
    "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"};

// The kinds Weir reads, all of networking.istio.io.
constexpr std::array<std::string_view, 5> kKinds = {"Gateway", "VirtualService",
                                                    "DestinationRule", "ServiceEntry",
                                                    "WorkloadEntry"};

// Istio's API groups and their kinds (its CRDs): in these groups any other kind is
// a typo, while Istio kinds Weir does not use are skipped.
struct IstioGroup {
  std::string_view name;
  std::vector<std::string_view> kinds;
};

const std::array<IstioGroup, 4> kIstioGroups = {{
    {kNetworkingGroup,
     {"Gateway", "VirtualService", "DestinationRule", "ServiceEntry", "WorkloadEntry",
      "WorkloadGroup", "Sidecar", "EnvoyFilter", "ProxyConfig"}},
    {"security.istio.io", {"AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication"}},
    {"telemetry.istio.io", {"Telemetry"}},
    {"extensions.istio.io", {"WasmPlugin", "TrafficExtension"}},
}};

template <size_t N>
bool contains(const std::array<std::string_view, N>& values, std::string_view value) {
  for (std::string_view candidate : values) {
    if (candidate == value) {
      return true;
    }
  }
  return false;
}

const IstioGroup* istioGroup(std::string_view api_version) {
  const std::string_view group = api_version.substr(0, api_version.find('/'));
  for (const IstioGroup& known : kIstioGroups) {
    if (known.name == group) {
      return &known;
    }
  }
  return nullptr;
}

// What to do with a document, from its kind and apiVersion.
enum class DocumentUse { kRead, kSkip, kRefuse };

// Kinds of Istio's groups are checked (a misspelt kind is an error with the nearest
// kind); Istio kinds Weir has no use for, and kinds of other APIs (Kubernetes'
// Service, Gateway API's Gateway), are skipped with a warning; Weir's kinds need
// one of the networking.istio.io versions Istio serves.
DocumentUse classify(const FieldReader& kind_field, const std::string& kind,
                     const FieldReader& api_version_field) {
  const std::optional<std::string> version =
      api_version_field.present() ? api_version_field.string() : std::nullopt;
  const IstioGroup* group = version ? istioGroup(*version) : nullptr;
  if (group != nullptr &&
      std::find(group->kinds.begin(), group->kinds.end(), kind) == group->kinds.end()) {
    kind_field.error("unknown kind \"" + kind + "\" for apiVersion " + *version +
                     didYouMean(kind, group->kinds));
    return DocumentUse::kRefuse;
  }
  const bool other_api = version && group == nullptr && version->find('/') != std::string::npos &&
                         version->substr(0, version->find('/')).find('.') != std::string::npos;
  if (!contains(kKinds, kind) || other_api) {
    kind_field.warning("kind \"" + kind + "\"" +
                       (other_api ? " of apiVersion " + *version : std::string()) +
                       " is not used by Weir; skipped");
    return DocumentUse::kSkip;
  }
  if (!api_version_field.present()) {
    api_version_field.reportMissing();
    return DocumentUse::kRefuse;
  }
  if (!version) {
    return DocumentUse::kRefuse;  // not a string, reported
  }
  if (!contains(kApiVersions, *version)) {
    api_version_field.error("apiVersion \"" + *version + "\" is not supported for kind " + kind +
                            " (expected networking.istio.io/v1, v1beta1 or v1alpha3)");
    return DocumentUse::kRefuse;
  }
  return DocumentUse::kRead;
}

// Kubernetes' rule for namespace names (an RFC 1123 label in lower case).
bool isNamespaceName(std::string_view name) {
  return isDns1123Label(name) &&
         std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
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
    if (isNamespaceName(*value)) {
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
  const DocumentUse use = classify(kind_field, *kind, document.field("apiVersion"));
  if (*kind == "Gateway" && use != DocumentUse::kSkip) {
    config.saw_gateway = true;
  }
  if (use != DocumentUse::kRead) {
    return;
  }

  document.checkFields(known_fields::kObject);
  ObjectMeta meta = parseMetadata(document.field("metadata"), document, *kind);
  if (*kind == "Gateway" && !meta.name.empty() && !isDns1123Label(meta.name)) {
    // Istio's ValidateGateway: a gateway is named by a DNS label (no dots).
    document.field("metadata").field("name").error("invalid gateway name: \"" + meta.name +
                                                   "\"");
  }
  const FieldReader spec = document.field("spec");
  if (!spec.present() && (*kind == "ServiceEntry" || *kind == "WorkloadEntry")) {
    // Their CRDs require a spec, so the API server refuses the object before
    // Istio's webhook sees it: Kubernetes' words.
    spec.error("missing required field \"spec\" (CRD: spec: Required value)");
    return;
  }
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
