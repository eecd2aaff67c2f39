// Localities as Istio writes them in localityLbSetting: "region", "region/zone" or
// "region/zone/subzone", where a trailing "*" stands for any zone or subzone.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace weir::config {

// Istio's validateLocalities: each locality well formed (at most one '*', and only
// at the end; no empty part), and none covered by an earlier one ("a" covers
// "a/b/c", as does "a/*"). Returns Istio's message for the first problem, e.g.
// "locality a/b/c overlap with previous specified ones".
std::optional<std::string> localitiesError(const std::vector<std::string>& localities);

}  // namespace weir::config
