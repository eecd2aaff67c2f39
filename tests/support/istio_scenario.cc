#include "istio_scenario.h"

#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "temp_dir.h"

namespace weir::test {

std::string gatewayYaml(const IstioScenario& scenario) {
  std::ostringstream yaml;
  yaml << "apiVersion: networking.istio.io/v1\n"
          "kind: Gateway\n"
          "metadata:\n"
          "  name: tcp-echo-gateway\n"
          "spec:\n"
          "  selector:\n"
          "    istio: ingressgateway\n"
          "  servers:\n";
  for (const GatewayServer& server : scenario.servers) {
    yaml << "  - port:\n"
            "      number: " << server.port << "\n"
            "      name: " << server.name << "\n"
            "      protocol: TCP\n"
            "    hosts:\n"
            "    - \"*\"\n";
  }
  return yaml.str();
}

std::string virtualServiceYaml(const IstioScenario& scenario) {
  std::ostringstream yaml;
  yaml << "apiVersion: networking.istio.io/v1\n"
          "kind: VirtualService\n"
          "metadata:\n"
          "  name: tcp-echo\n"
          "spec:\n"
          "  hosts:\n"
          "  - \"*\"\n"
          "  gateways:\n"
          "  - tcp-echo-gateway\n"
          "  tcp:\n";
  for (const TcpRule& rule : scenario.rules) {
    yaml << "  - match:\n";
    for (uint16_t port : rule.match_ports) {
      yaml << "    - port: " << port << "\n";
    }
    yaml << "    route:\n";
    for (const RouteDestination& destination : rule.route) {
      yaml << "    - destination:\n"
              "        host: tcp-echo-server\n"
              "        port:\n"
              "          number: " << scenario.service_port << "\n"
              "        subset: " << destination.subset << "\n"
              "      weight: " << destination.weight << "\n";
    }
  }
  return yaml.str();
}

std::string destinationRuleYaml(const IstioScenario& scenario) {
  std::ostringstream yaml;
  yaml << "apiVersion: networking.istio.io/v1\n"
          "kind: DestinationRule\n"
          "metadata:\n"
          "  name: tcp-echo-destination\n"
          "spec:\n"
          "  host: tcp-echo-server\n"
          "  subsets:\n";
  std::set<std::string> written;
  for (const SubsetEndpoint& endpoint : scenario.endpoints) {
    if (!written.insert(endpoint.subset).second) continue;
    yaml << "  - name: " << endpoint.subset << "\n"
            "    labels:\n"
            "      version: " << endpoint.subset << "\n";
    if (auto policy = scenario.subset_policies.find(endpoint.subset);
        policy != scenario.subset_policies.end()) {
      yaml << "    trafficPolicy: " << policy->second << "\n";
    }
  }
  return yaml.str();
}

std::string serviceEntryYaml(const IstioScenario& scenario) {
  std::ostringstream yaml;
  yaml << "apiVersion: networking.istio.io/v1\n"
          "kind: ServiceEntry\n"
          "metadata:\n"
          "  name: tcp-echo-server\n"
          "spec:\n"
          "  hosts:\n"
          "  - tcp-echo-server\n"
          "  ports:\n"
          "  - number: " << scenario.service_port << "\n"
          "    name: tcp\n"
          "    protocol: TCP\n"
          "  resolution: STATIC\n"
          "  endpoints:\n";
  for (const SubsetEndpoint& endpoint : scenario.endpoints) {
    yaml << "  - address: 127.0.0.1\n"
            "    ports:\n"
            "      tcp: " << endpoint.port << "\n"
            "    labels:\n"
            "      version: " << endpoint.subset << "\n";
  }
  return yaml.str();
}

void writeIstioScenario(const std::filesystem::path& dir, const IstioScenario& scenario) {
  std::filesystem::create_directories(dir);
  const auto& names = istioScenarioFileNames();
  replaceFile(dir / names[0], gatewayYaml(scenario));
  replaceFile(dir / names[1], virtualServiceYaml(scenario));
  replaceFile(dir / names[2], destinationRuleYaml(scenario));
  replaceFile(dir / names[3], serviceEntryYaml(scenario));
}

void replaceFile(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::path aside = file;
  aside += ".writing";
  writeTextFile(aside, text);
  std::error_code error;
  std::filesystem::rename(aside, file, error);
  if (error) {
    throw std::runtime_error("rename " + aside.string() + " -> " + file.string() + ": " +
                             error.message());
  }
}

TextPosition positionOf(const std::string& text, const std::string& needle) {
  const size_t offset = text.find(needle);
  if (offset == std::string::npos) return {};
  TextPosition position{1, 1};
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
  }
  return position;
}

}  // namespace weir::test
