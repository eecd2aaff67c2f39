#include "traffic_shift_config.h"

#include <set>
#include <sstream>

#include "temp_dir.h"

namespace weir::test {

std::filesystem::path writeTrafficShiftConfig(const std::filesystem::path& dir,
                                              const TrafficShiftConfig& config) {
  std::filesystem::create_directories(dir);
  const std::string port = std::to_string(config.gateway_port);

  writeTextFile(dir / "gateway.yaml",
                "apiVersion: networking.istio.io/v1\n"
                "kind: Gateway\n"
                "metadata:\n"
                "  name: tcp-echo-gateway\n"
                "spec:\n"
                "  selector:\n"
                "    istio: ingressgateway\n"
                "  servers:\n"
                "  - port:\n"
                "      number: " + port + "\n"
                "      name: tcp\n"
                "      protocol: TCP\n"
                "    hosts:\n"
                "    - \"*\"\n");

  std::ostringstream virtual_service;
  virtual_service << "apiVersion: networking.istio.io/v1\n"
                     "kind: VirtualService\n"
                     "metadata:\n"
                     "  name: tcp-echo\n"
                     "spec:\n"
                     "  hosts:\n"
                     "  - \"*\"\n"
                     "  gateways:\n"
                     "  - tcp-echo-gateway\n"
                     "  tcp:\n"
                     "  - match:\n"
                     "    - port: " << port << "\n"
                     "    route:\n";
  for (const WeightedSubset& route : config.routes) {
    virtual_service << "    - destination:\n"
                       "        host: tcp-echo-server\n"
                       "        port:\n"
                       "          number: " << port << "\n"
                       "        subset: " << route.subset << "\n"
                       "      weight: " << route.weight << "\n";
  }
  writeTextFile(dir / "virtual-service.yaml", virtual_service.str());

  std::ostringstream destination_rule;
  destination_rule << "apiVersion: networking.istio.io/v1\n"
                      "kind: DestinationRule\n"
                      "metadata:\n"
                      "  name: tcp-echo-destination\n"
                      "spec:\n"
                      "  host: tcp-echo-server\n"
                      "  subsets:\n";
  std::set<std::string> written;
  for (const WeightedSubset& route : config.routes) {
    if (!written.insert(route.subset).second) continue;
    destination_rule << "  - name: " << route.subset << "\n"
                        "    labels:\n"
                        "      version: " << route.subset << "\n";
  }
  writeTextFile(dir / "destination-rule.yaml", destination_rule.str());

  std::ostringstream endpoints;
  endpoints << "apiVersion: networking.istio.io/v1\n"
               "kind: ServiceEntry\n"
               "metadata:\n"
               "  name: tcp-echo-server\n"
               "spec:\n"
               "  hosts:\n"
               "  - tcp-echo-server\n"
               "  ports:\n"
               "  - number: " << port << "\n"
               "    name: tcp\n"
               "    protocol: TCP\n"
               "  resolution: STATIC\n"
               "  endpoints:\n";
  std::set<std::string> with_endpoints;
  for (const WeightedSubset& route : config.routes) {
    if (!with_endpoints.insert(route.subset).second) continue;
    for (uint16_t endpoint_port : route.endpoint_ports) {
      endpoints << "  - address: 127.0.0.1\n"
                   "    ports:\n"
                   "      tcp: " << endpoint_port << "\n"
                   "    labels:\n"
                   "      version: " << route.subset << "\n";
    }
  }
  writeTextFile(dir / "endpoints.yaml", endpoints.str());
  return dir;
}

}  // namespace weir::test
