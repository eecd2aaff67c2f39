// Collecting the problems of one load, each tied to a field and its position.
//
// Internal to config/: the parsers and the linker report here; loader.cc turns the
// collection into LoadResult::errors / ::warnings. Errors make the load fail,
// warnings do not.
#pragma once

#include <string>
#include <vector>

#include "config/loader.h"

namespace weir::config {

// Where a value was written: its position and the path of its field, e.g.
// {route.yaml:12:7, "spec.tcp[0].route[1].weight"}.
struct FieldRef {
  SourcePosition position;
  std::string field;
};

// A value read from YAML together with where it was written, so that later stages
// (cross-object checks in the linker) can point at the right line.
template <typename T>
struct Located {
  T value{};
  FieldRef at;
};

struct Diagnostics {
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;
  // LoadOptions::strict_references: dangling references are errors.
  bool strict_references = false;

  void error(const FieldRef& at, std::string message);
  void warning(const FieldRef& at, std::string message);
  // A reference to something the load does not define (a gateway, a destination's
  // ServiceEntry host or port, a subset). Istio validates one object at a time and
  // accepts it, so it is a warning; an error when strict_references is set.
  void danglingReference(const FieldRef& at, std::string message);
  bool hasErrors() const { return !errors.empty(); }
};

// "file:line:column", for messages that refer to another place.
std::string formatPosition(const SourcePosition& position);

}  // namespace weir::config
