#include "tests/support/policy_scenario.h"

#include <sstream>

#include "tests/support/istio_scenario.h"

namespace weir::test {
namespace {

// `metadata: {name: NAME, annotations: {"k": "v"}}`; values are double-quoted
// YAML, so a test can write "\n" escapes.
std::string metadata(const std::string& name, const Annotations& annotations) {
  std::string text = "metadata: {name: " + name;
  if (!annotations.empty()) {
    text += ", annotations: {";
    bool first = true;
    for (const auto& [key, value] : annotations) {
      text += (first ? "\"" : ", \"") + key + "\": \"" + value + "\"";
      first = false;
    }
    text += "}";
  }
  return text + "}";
}

}  // namespace

std::string policyScenarioYaml(const PolicyScenario& scenario) {
  std::ostringstream yaml;
  yaml << "apiVersion: networking.istio.io/v1\nkind: Gateway\n"
       << metadata("gw", scenario.gateway_annotations) << R"(
spec:
  servers:
  - port: {number: 9000, name: tcp, protocol: TCP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
)" << metadata("vs", scenario.virtual_service_annotations) << R"(
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo, port: {number: 9000}, subset: v1}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
)" << metadata("dr", scenario.destination_rule_annotations) << R"(
spec:
  host: echo
)";
  if (!scenario.policy.empty()) yaml << "  trafficPolicy: " << scenario.policy << "\n";
  yaml << R"(  subsets:
  - {name: v1, labels: {version: v1}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
)" << metadata("echo", scenario.service_entry_annotations) << R"(
spec:
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  endpoints:
)";
  for (const PolicyEndpoint& endpoint : scenario.endpoints) {
    yaml << "  - {address: 127.0.0.1, ports: {tcp: " << endpoint.port
         << "}, labels: {version: v1}";
    if (endpoint.weight != 0) yaml << ", weight: " << endpoint.weight;
    yaml << "}\n";
  }
  return yaml.str();
}

std::filesystem::path writePolicyScenario(const TempDir& dir, const PolicyScenario& scenario) {
  const std::filesystem::path path = dir.freshSubdir("config") / "istio.yaml";
  replaceFile(path, policyScenarioYaml(scenario));
  return path;
}

}  // namespace weir::test
