// Kubernetes identifies an object by kind, namespace and name; a load that defines
// one twice is an error (the second would silently replace the first in a cluster).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/diagnostics.h"

namespace weir::config {

// The objects in order, without the repeats of a namespace/name, each reported.
// Objects without a name (already reported) are kept: they cannot clash.
template <typename Object>
std::vector<const Object*> uniqueObjects(const std::vector<Object>& objects,
                                         Diagnostics& diagnostics) {
  std::map<std::string, const Object*> first_by_name;
  std::vector<const Object*> unique;
  for (const Object& object : objects) {
    if (object.meta.name.empty()) {
      unique.push_back(&object);
      continue;
    }
    const std::string name = object.meta.qualifiedName();
    const auto [first, inserted] = first_by_name.emplace(name, &object);
    if (!inserted) {
      diagnostics.error(object.meta.at, "duplicate " + object.meta.kind + " \"" + name +
                                            "\" (first defined at " +
                                            formatPosition(first->second->meta.at.position) +
                                            ")");
      continue;
    }
    unique.push_back(&object);
  }
  return unique;
}

}  // namespace weir::config
