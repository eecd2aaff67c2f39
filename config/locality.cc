#include "config/locality.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

namespace weir::config {
namespace {

// The parts of "region/zone/subzone" (at most three: a third '/' belongs to the
// subzone); nullopt when one of them is empty.
std::optional<std::vector<std::string>> localityParts(const std::string& locality) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() < 2) {
    const size_t slash = locality.find('/', start);
    if (slash == std::string::npos) {
      break;
    }
    parts.push_back(locality.substr(start, slash - start));
    start = slash + 1;
  }
  parts.push_back(locality.substr(start));
  if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
    return std::nullopt;
  }
  return parts;
}

}  // namespace

std::optional<std::string> localitiesError(const std::vector<std::string>& localities) {
  // What earlier localities cover: region -> zone -> subzones, "*" meaning all of
  // that level.
  std::map<std::string, std::map<std::string, std::set<std::string>>> covered;
  const std::string kAll = "*";
  for (const std::string& locality : localities) {
    const auto overlap = "locality " + locality + " overlap with previous specified ones";
    const auto stars = std::count(locality.begin(), locality.end(), '*');
    if (stars > 1 || (stars == 1 && locality.back() != '*')) {
      return "locality " + locality +
             " wildcard '*' number can not exceed 1 and must be in the end";
    }
    if (covered.contains(kAll)) {
      return overlap;
    }
    const std::optional<std::vector<std::string>> parts = localityParts(locality);
    if (!parts) {
      return "locality " + locality + " must not contain empty region/zone/subzone info";
    }
    const std::string& region = (*parts)[0];
    if (parts->size() == 1) {  // a whole region
      if (covered.contains(region)) {
        return overlap;
      }
      covered[region][kAll] = {kAll};
      continue;
    }
    const std::string& zone = (*parts)[1];
    auto found_region = covered.find(region);
    if (found_region != covered.end() && found_region->second.contains(kAll)) {
      return overlap;
    }
    auto& zones = covered[region];
    if (parts->size() == 2) {  // a whole zone
      if (zones.contains(zone)) {
        return overlap;
      }
      zones[zone] = {kAll};
      continue;
    }
    const std::string& subzone = (*parts)[2];
    auto& subzones = zones[zone];
    if (subzones.contains(kAll) || subzones.contains(subzone)) {
      return overlap;
    }
    subzones.insert(subzone);
  }
  return std::nullopt;
}

}  // namespace weir::config
