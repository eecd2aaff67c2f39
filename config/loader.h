// config::load(): Istio YAML files → an immutable RouteTable, or every error found.
//
// Pure function of the files' contents: no sockets, no global state, safe to call
// from any thread (a reload calls it off the event loops). yaml-cpp stays inside
// config/; callers see only RouteTable and Diagnostic.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/route_table.h"

namespace weir::config {

// One problem with the configuration, positioned in its file.
struct Diagnostic {
  SourcePosition position;
  std::string field;    // path to the field, e.g. "spec.tcp[0].route[1].weight"
  std::string message;  // what is wrong, e.g. "weight -5 < 0"

  // "route.yaml:12:7: spec.tcp[0].route[1].weight: weight -5 < 0"
  std::string toString() const;
};

struct LoadResult {
  // Set only when there are no errors.
  std::shared_ptr<const RouteTable> table;
  std::vector<Diagnostic> errors;    // all errors of all files, in file order
  std::vector<Diagnostic> warnings;  // skipped kinds, ignored fields, …

  bool ok() const { return table != nullptr; }
};

struct LoadOptions {
  // References to what the configuration does not define — a VirtualService's
  // gateway, a destination's ServiceEntry host or port, a subset — are warnings,
  // as Istio accepts them (they route nowhere); with this set they are errors
  // (weir --strict), which catches typos.
  bool strict_references = false;
};

// Each path is a YAML file (multi-document) or a directory, whose *.yaml and
// *.yml files are read in name order.
LoadResult load(const std::vector<std::string>& paths, const LoadOptions& options = {});

// The same, from in-memory documents; `name` stands in for the file name in
// messages. For tests and for embedding.
struct NamedYaml {
  std::string name;
  std::string text;
};
LoadResult loadFromText(const std::vector<NamedYaml>& documents,
                        const LoadOptions& options = {});

}  // namespace weir::config
