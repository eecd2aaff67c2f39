// Istio YAML for tests that change the configuration while weir runs: a Gateway with
// any number of TCP servers, a VirtualService with any number of tcp rules, and the
// DestinationRule subsets and ServiceEntry endpoints they name. Each object goes in
// its own file, so a test can edit one and see exactly what it wrote.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace weir::test {

struct GatewayServer {
  std::string name;   // the port name, e.g. "tcp"; listener stats use the port number
  uint16_t port = 0;  // Gateway port number (often moved to an ephemeral one by --port-override)
};

struct RouteDestination {
  std::string subset;
  int weight = 0;  // written as is, so a test can also write an invalid weight
};

// One tcp[] rule: `match: [{port: P}...]` (ORed) and its weighted route.
struct TcpRule {
  std::vector<uint16_t> match_ports;
  std::vector<RouteDestination> route;
};

// An endpoint 127.0.0.1:port labelled version=<subset>.
struct SubsetEndpoint {
  std::string subset;
  uint16_t port = 0;
};

// Gateway "tcp-echo-gateway", VirtualService "tcp-echo", DestinationRule
// "tcp-echo-destination" (one subset per distinct subset of `endpoints`, selected by
// label version), ServiceEntry "tcp-echo-server" (STATIC, service port
// `service_port`). Every destination is host tcp-echo-server, port service_port, so
// the clusters are named "outbound|<service_port>|<subset>|tcp-echo-server.default.svc.cluster.local".
struct IstioScenario {
  std::vector<GatewayServer> servers;
  std::vector<TcpRule> rules;
  std::vector<SubsetEndpoint> endpoints;
  uint16_t service_port = 9000;
  // subset → its trafficPolicy as a YAML flow mapping, e.g. "{outlierDetection: {...}}".
  std::map<std::string, std::string> subset_policies = {};
};

std::string gatewayYaml(const IstioScenario& scenario);
std::string virtualServiceYaml(const IstioScenario& scenario);
std::string destinationRuleYaml(const IstioScenario& scenario);
std::string serviceEntryYaml(const IstioScenario& scenario);

// The file names writeIstioScenario uses, in this order.
inline const std::vector<std::string>& istioScenarioFileNames() {
  static const std::vector<std::string> names = {"gateway.yaml", "virtual-service.yaml",
                                                 "destination-rule.yaml", "service-entry.yaml"};
  return names;
}

// Writes the four files into `dir` (created if needed), each by replaceFile.
void writeIstioScenario(const std::filesystem::path& dir, const IstioScenario& scenario);

// Replaces `file` the way careful editors do: write `text` to a sibling whose name does
// not end in .yaml, then rename it over `file`. A reader sees the old or the new file,
// never half of one, and a watcher of `file`'s directory sees one IN_MOVED_TO.
void replaceFile(const std::filesystem::path& file, const std::string& text);

// 1-based line and column of the first occurrence of `needle` in `text`; {0, 0} if none.
struct TextPosition {
  int line = 0;
  int column = 0;
};
TextPosition positionOf(const std::string& text, const std::string& needle);

}  // namespace weir::test
