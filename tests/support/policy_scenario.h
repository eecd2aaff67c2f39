// Istio YAML for tests of one cluster's policies: a Gateway on 9000, one tcp rule
// to subset v1 of host `echo`, a DestinationRule with a rule-level trafficPolicy,
// and a ServiceEntry with 127.0.0.1 endpoints labelled version v1. Each object may
// carry metadata.annotations (Weir's weir.dev/* settings).
// The cluster is "outbound|9000|v1|echo.default.svc.cluster.local".
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace weir::test {

inline const std::string kPolicyCluster = "outbound|9000|v1|echo.default.svc.cluster.local";

struct PolicyEndpoint {
  uint16_t port = 0;
  uint32_t weight = 0;  // 0: not written (Istio's default, 1)
};

using Annotations = std::map<std::string, std::string>;

struct PolicyScenario {
  std::vector<PolicyEndpoint> endpoints = {};
  std::string policy = {};  // YAML flow mapping for trafficPolicy; empty: none
  Annotations gateway_annotations = {};
  Annotations virtual_service_annotations = {};
  Annotations destination_rule_annotations = {};
  Annotations service_entry_annotations = {};
};

std::string policyScenarioYaml(const PolicyScenario& scenario);

// Writes it as <dir>/config/istio.yaml (a fresh folder) and returns the file.
std::filesystem::path writePolicyScenario(const TempDir& dir, const PolicyScenario& scenario);

}  // namespace weir::test
