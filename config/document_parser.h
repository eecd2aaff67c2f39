// Reads one YAML document: the Kubernetes envelope (apiVersion, kind, metadata),
// then the parser of its kind (object_parsers.h), adding the object to `config`.
// Kinds Weir does not use (Service, Deployment, …) are skipped with a warning, so
// that Weir can read the folder a user would `kubectl apply`.
#pragma once

#include "config/field_reader.h"
#include "config/istio_objects.h"
#include "config/yaml_tree.h"

namespace weir::config {

void parseDocument(const YamlNode& root, const ReadContext& context, ParsedConfig& config);

}  // namespace weir::config
